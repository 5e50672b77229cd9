#!/usr/bin/env bash
# The compliance console in a real browser: serves the demo (its own
# PostgreSQL in a temporary folder), installs playwright-core (pinned, in
# tests/console/node_modules; it never downloads a browser) and drives the
# machine's Chromium through the console's story (story.mjs), saving a
# screenshot of each screen to tests/console/screenshots/ (shown in the README).
#   tests/console/run.sh                                      # as CI runs it
#   MODELMART_BIN=target/debug/modelmart tests/console/run.sh # an already built server
#   CHROMIUM=/path/to/chromium tests/console/run.sh           # another Chromium
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -d "$HOME/.cargo/bin" ] && export PATH="$HOME/.cargo/bin:$PATH"

CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ]; then
    echo "no Chromium at $CHROMIUM: install it from the package manager (apt-get install chromium)" >&2
    exit 1
fi
export CHROMIUM

# shellcheck source=tests/support/demo-server.sh
. tests/support/demo-server.sh
demo_binary
start_demo_server "console-story-secret-console-story-secret-0123"

(cd tests/console && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)

wait_for_demo_server

tokens='{}'
for name in ALICE BOB AUDITOR PLATFORM_ADMIN NORTHWIND_READER NORTHWIND_ADMIN CONTOSO_READER; do
    tokens="$(python3 -c 'import json, sys; t = json.loads(sys.argv[1]); t[sys.argv[2]] = sys.argv[3]; print(json.dumps(t))' \
        "$tokens" "$name" "$(demo_token "$name")")"
done
CONSOLE_TENANT_ID="$(grep -E '^export NORTHWIND_TID=' "$WORK/server.out" | sed -E 's/^export NORTHWIND_TID=([^ ]+).*/\1/')"
export CONSOLE_URL="http://127.0.0.1:$PORT" CONSOLE_TOKENS="$tokens" CONSOLE_TENANT_ID

started=$(date +%s)
node tests/console/story.mjs
echo "console story: passed in $(( $(date +%s) - started )) s" >&2
