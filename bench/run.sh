#!/usr/bin/env bash
# The benchmark anyone can rerun: builds in release mode, loads the real feed
# from ../shared/data and then a synthetic catalog, serves it, and prints a
# Markdown table of requests/s, p50, p99 and the server's RSS per scenario.
#   bench/run.sh                     # needs PostgreSQL at 127.0.0.1:5432 (or DATABASE_URL's server)
#   BENCH_SYNTHETIC=20000 BENCH_DURATION=5s bench/run.sh
#   BENCH_TENANTS=0 BENCH_MILLION=0 bench/run.sh   # without the 1,000-tenant and 1,000,000-listing parts
# The whole run takes 20 to 40 minutes, most of it seeding and loading the
# 1,000,000-listing catalog (it needs about 10 GB of memory free).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d "$HOME/.cargo/bin" ] && export PATH="$HOME/.cargo/bin:$PATH"
if ! command -v wrk >/dev/null 2>&1; then
    echo "installing wrk" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
fi
cargo build --release --locked >&2
exec python3 bench/run.py "$@"
