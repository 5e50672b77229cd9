#!/usr/bin/env bash
# Property-based API testing: schemathesis against a live `modelmart serve
# --demo` (its own PostgreSQL in a temporary folder), once per role, with all
# checks, positive and negative data and the stateful phase. Fails on any
# server error or any answer that breaks its documented status, content type
# or schema.
#   tests/schemathesis/run.sh                 # as CI runs it
#   ST_EXAMPLES=200 tests/schemathesis/run.sh # a longer search
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -d "$HOME/.cargo/bin" ] && export PATH="$HOME/.cargo/bin:$PATH"

SCHEMATHESIS_VERSION="4.32.5"
EXAMPLES="${ST_EXAMPLES:-50}"
VENV="target/schemathesis-venv"
if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
    echo "installing schemathesis $SCHEMATHESIS_VERSION into $VENV" >&2
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION"
fi

cargo build --locked -q
BINARY="${CARGO_TARGET_DIR:-target}/debug/modelmart"
WORK="$(mktemp -d)"
# As root the private PostgreSQL runs as `postgres`, which must reach its folder.
chmod 755 "$WORK"
PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
PG_PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

# The demo server prints one development token per role; its private
# PostgreSQL lives in $WORK and stops with it. Rate limiting is off so the
# search is not cut short by 429s (the limiter has its own tests).
env -u DATABASE_URL \
    MODELMART_DATA_DIR="$WORK/data" \
    MODELMART_EMBEDDED_PG_PORT="$PG_PORT" \
    MODELMART_JWT_SECRET="schemathesis-secret-schemathesis-secret-0123" \
    MODELMART_RATE_LIMIT_PER_SECOND=0 \
    MODELMART_SHUTDOWN_GRACE_MS=0 \
    MODELMART_LOG=error \
    "$BINARY" serve --demo --listen "127.0.0.1:$PORT" >"$WORK/server.out" 2>"$WORK/server.err" &
SERVER_PID=$!
for _ in $(seq 1 120); do
    curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        cat "$WORK/server.err" >&2
        exit 1
    fi
    sleep 0.5
done

token() { grep -E "$1" "$WORK/server.out" | head -1 | awk '{print $NF}'; }
# The demo tenant the tenant tokens belong to (Northwind, unrestricted).
export MODELMART_ST_TENANT="01930000-0000-7000-8000-000000000003"

failed=0
for role in "tenant.admin +Northwind" "catalog.reader +Northwind" "^ +catalog.admin" \
    "compliance.officer \(alice\)" "^ +auditor" "^ +platform.admin"; do
    bearer="$(token "$role")"
    if [ -z "$bearer" ]; then
        echo "no demo token for $role" >&2
        exit 1
    fi
    echo "== schemathesis as ${role//[\\^+]/}" >&2
    if ! "$VENV/bin/schemathesis" --config-file tests/schemathesis/schemathesis.toml run \
        "http://127.0.0.1:$PORT/openapi.json" \
        -H "Authorization: Bearer $bearer" \
        --checks all --mode all --max-examples "$EXAMPLES" --workers 2 --seed 20261129 \
        >"$WORK/run.log" 2>&1; then
        failed=1
        cat "$WORK/run.log"
    else
        grep -E "^=+ .* in [0-9.]+s =+$" "$WORK/run.log" | tail -1 >&2
    fi
done
exit "$failed"
