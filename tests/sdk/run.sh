#!/usr/bin/env bash
# Generated SDKs: from openapi/openapi.json, generates a Python client
# (openapi-python-client) and TypeScript types (openapi-typescript), type-checks
# tests/sdk/typescript/usage.ts against the types (tsc, strict), then drives
# tests/sdk/scenario.py through the Python client against a live `modelmart
# serve --demo` (its own PostgreSQL in a temporary folder): discover, enable,
# a hold suspends the enablement, the tenant's events say so, the lift restores it.
#   tests/sdk/run.sh                                    # as CI runs it
#   MODELMART_BIN=target/debug/modelmart tests/sdk/run.sh   # an already built server
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -d "$HOME/.cargo/bin" ] && export PATH="$HOME/.cargo/bin:$PATH"

OPENAPI_PYTHON_CLIENT_VERSION="0.29.1"
MYPY_VERSION="2.4.1"
SPEC="openapi/openapi.json"
VENV="target/sdk-venv"
PY_OUT="target/sdk/python"
TS_DIR="tests/sdk/typescript"

log() { echo "== $*" >&2; }

if ! "$VENV/bin/openapi-python-client" --version 2>/dev/null \
    | grep -q "version: $OPENAPI_PYTHON_CLIENT_VERSION\$" \
    || ! "$VENV/bin/mypy" --version 2>/dev/null | grep -q "^mypy $MYPY_VERSION "; then
    log "installing openapi-python-client $OPENAPI_PYTHON_CLIENT_VERSION and mypy $MYPY_VERSION into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q "openapi-python-client==$OPENAPI_PYTHON_CLIENT_VERSION" "mypy==$MYPY_VERSION"
fi

# shellcheck source=tests/support/demo-server.sh
. tests/support/demo-server.sh
demo_binary
# Started now so its PostgreSQL boots while the SDKs are generated.
start_demo_server "sdk-scenario-secret-sdk-scenario-secret-0123"

# --meta none writes the bare package, importable from $PY_OUT; its runtime
# dependencies (httpx, attrs) are the generator's own, so the venv has them.
# The generator formats its output with ruff, installed beside it in the venv.
# Any warning about the document fails the run: each means a piece of the
# client is missing or degraded.
log "generating the Python client with openapi-python-client $OPENAPI_PYTHON_CLIENT_VERSION"
rm -rf "$PY_OUT"
mkdir -p "$PY_OUT"
PATH="$PWD/$VENV/bin:$PATH" "$VENV/bin/openapi-python-client" generate \
    --path "$SPEC" --output-path "$PY_OUT/modelmart_client" --meta none --overwrite --fail-on-warning
# The scenario must use the client as typed: a call or field the document does
# not have fails here. The generated package is only read for its types
# (--follow-imports=silent): its own template's strictness is not ours to fix.
MYPYPATH="$PY_OUT" "$VENV/bin/mypy" --strict --follow-imports=silent --cache-dir target/sdk/mypy-cache \
    tests/sdk/scenario.py

log "generating TypeScript types and type-checking $TS_DIR/usage.ts"
(cd "$TS_DIR" && npm ci --no-audit --no-fund --loglevel=error)
# The local binaries, never a bare `npx tsc`, which could fetch another version.
"$TS_DIR/node_modules/.bin/openapi-typescript" "$SPEC" --output "$TS_DIR/generated/openapi.d.ts"
"$TS_DIR/node_modules/.bin/tsc" --noEmit -p "$TS_DIR"

wait_for_demo_server

# Northwind is the demo tenant without policy restrictions; the scenario reads
# its id from the token's `tid` claim.
MODELMART_SDK_TENANT_ADMIN_TOKEN="$(demo_token NORTHWIND_ADMIN)"
MODELMART_SDK_OFFICER_A_TOKEN="$(demo_token ALICE)"
MODELMART_SDK_OFFICER_B_TOKEN="$(demo_token BOB)"
export MODELMART_SDK_TENANT_ADMIN_TOKEN MODELMART_SDK_OFFICER_A_TOKEN MODELMART_SDK_OFFICER_B_TOKEN
export MODELMART_SDK_URL="http://127.0.0.1:$PORT"

log "scenario through the generated Python client"
PYTHONPATH="$PY_OUT" "$VENV/bin/python" tests/sdk/scenario.py
