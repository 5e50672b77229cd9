# Sourced by the scripts that test a live server (tests/schemathesis/run.sh,
# tests/sdk/run.sh): the server binary, and a `modelmart serve --demo` on a
# private PostgreSQL in a temporary folder, stopped and removed on exit.
#
#   demo_binary                    # sets BINARY: $MODELMART_BIN, or a fresh debug build
#   start_demo_server SECRET       # sets WORK, PORT, SERVER_PID; returns at once
#   wait_for_demo_server           # until /readyz answers (fails after 60 s)
#   demo_token NAME                # the token the demo exported as NAME (NORTHWIND_ADMIN, ALICE...)
#
# Rate limiting is off so a long run is not cut short by 429s (the limiter
# has its own tests), and shutdown skips the readiness grace.

demo_binary() {
    if [ -n "${MODELMART_BIN:-}" ]; then
        BINARY="$MODELMART_BIN"
    else
        cargo build --locked -q
        BINARY="${CARGO_TARGET_DIR:-target}/debug/modelmart"
    fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

stop_demo_server() {
    if [ -n "${SERVER_PID:-}" ]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}

start_demo_server() {
    WORK="$(mktemp -d)"
    # As root the private PostgreSQL runs as `postgres`, which must reach its folder.
    chmod 755 "$WORK"
    PORT="$(free_port)"
    local pg_port
    pg_port="$(free_port)"
    trap stop_demo_server EXIT
    env -u DATABASE_URL \
        MODELMART_DATA_DIR="$WORK/data" \
        MODELMART_EMBEDDED_PG_PORT="$pg_port" \
        MODELMART_JWT_SECRET="$1" \
        MODELMART_RATE_LIMIT_PER_SECOND=0 \
        MODELMART_SHUTDOWN_GRACE_MS=0 \
        MODELMART_LOG=error \
        "$BINARY" serve --demo --listen "127.0.0.1:$PORT" >"$WORK/server.out" 2>"$WORK/server.err" &
    SERVER_PID=$!
}

wait_for_demo_server() {
    for _ in $(seq 1 120); do
        curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && return 0
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            cat "$WORK/server.err" >&2
            return 1
        fi
        sleep 0.5
    done
    echo "the demo server was not ready within 60 s" >&2
    cat "$WORK/server.err" >&2
    return 1
}

# The token the demo server exported as variable $1 (`export NAME=<token>  # roles`).
demo_token() {
    local bearer
    bearer="$(grep -E "^export $1=" "$WORK/server.out" | head -1 | sed -E 's/^export [A-Z_]+=([^ ]+).*/\1/')"
    if [ -z "$bearer" ]; then
        echo "the demo server printed no token for $1" >&2
        return 1
    fi
    echo "$bearer"
}
