#!/usr/bin/env bash
# Runs every shell example of README.md, as written, against a fresh
# `modelmart serve --demo`, with the `export` lines the demo prints, and
# checks each one's documented outcome.
#
# Each ```sh block is preceded by a marker the reader does not see:
#   <!-- readme-test: expect REGEX -->   run it; its output must match REGEX
#   <!-- readme-test: skip REASON -->    not run here (REASON says where it is)
# A block without a marker fails the run, so a new example cannot go
# unchecked. Blocks run in the README's order, each in its own shell.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/support/demo-server.sh

demo_binary
start_demo_server "readme-secret-readme-secret-readme-secret-0123"
wait_for_demo_server
grep -E '^export ' "$WORK/server.out" >"$WORK/demo.env"

python3 tests/readme/blocks.py README.md "$WORK/blocks"
failed=0
for block in "$WORK"/blocks/*.sh; do
    name="$(basename "$block" .sh)"
    expect_file="$WORK/blocks/$name.expect"
    if [ ! -f "$expect_file" ]; then
        continue
    fi
    if ! output="$(bash -c "set -euo pipefail; . '$WORK/demo.env'; . '$block'" 2>&1)"; then
        echo "README example $name failed:" >&2
        sed 's/^/    /' "$block" >&2
        echo "  output: $output" >&2
        failed=1
        continue
    fi
    if ! python3 tests/readme/blocks.py "$expect_file" <<<"$output"; then
        echo "README example $name did not give its documented outcome:" >&2
        sed 's/^/    /' "$block" >&2
        echo "  expected to match: $(cat "$expect_file")" >&2
        echo "  output: ${output:0:2000}" >&2
        failed=1
        continue
    fi
    echo "README example $name: as documented" >&2
done
exit "$failed"
