"""Profiles one benchmark scenario: serves it as bench/run.py does, samples
the server (and, for writes, PostgreSQL) with `perf record -g` while wrk
drives it, and prints the hottest functions: the summaries in RESULTS.md
come from this.

    python3 bench/profile.py discovery|search|enable [--listings N]

Needs `perf` (Debian's linux-perf), wrk and a release build (bench/run.sh
builds one). The perf data stays in a temporary directory it names, for
`perf report -i` or a flame graph.
"""

import argparse
import importlib.util
import json
import os
import re
import subprocess
import tempfile
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("bench", os.path.join(HERE, "run.py"))
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)


def record(pids, seconds, output):
    """perf record of `pids` (None: the whole machine) for `seconds`."""
    target = ["-a"] if pids is None else ["-p", ",".join(str(p) for p in pids)]
    return subprocess.Popen(["perf", "record", "-F", "999", "-g", *target, "-o", output, "--", "sleep", str(seconds)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def report(data, command=None):
    args = ["perf", "report", "-i", data, "--no-children", "--sort", "symbol", "--stdio", "-g", "none"]
    if command:
        args += ["--comm", command]
    lines = subprocess.run(args, capture_output=True, text=True).stdout.splitlines()
    # perf pads each line with empty IPC columns: drop them.
    return [re.sub(r"\s+-\s+-\s*$", "", line) for line in lines if line.strip() and not line.startswith("#")][:25]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("scenario", choices=["discovery", "search", "enable"])
    parser.add_argument("--listings", type=int, default=bench.SYNTHETIC)
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="modelmart-profile-")
    data = os.path.join(workdir, "perf.data")

    database = bench.fresh_database("modelmart_bench_profile")
    env = dict(bench.ENV, DATABASE_URL=database)
    bench.run("migrate", env=env)
    if args.scenario == "enable":
        bench.run("import", "--format", "litellm", bench.FEED, env=env)
    else:
        bench.run("seed", "--synthetic", str(args.listings), env=env)
    server = bench.Server(database, 18084)
    try:
        if args.scenario == "enable":
            reader = bench.token("catalog.reader", str(uuid.uuid4()))
            pairs = []
            for _ in range(200):
                tenant = str(uuid.uuid4())
                admin = bench.token("tenant.admin", tenant)
                bench.request(server.base, "/v1/regions", admin)
                pairs.append((tenant, admin))
            _, _, body = bench.request(server.base, "/v1/models?region=global&deployment_type=serverless&limit=200",
                                       reader)
            script = bench.enablement_script(pairs, [item["id"] for item in json.loads(body)["items"]])
            # Writes spend most of their time in PostgreSQL: sample the machine.
            perf = record(None, 6, data)
            figures = bench.wrk(server, "/", script=script)
        else:
            reader = bench.token("catalog.reader", str(uuid.uuid4()))
            bench.request(server.base, "/v1/regions", reader)
            time.sleep(1)
            path = bench.DISCOVERY if args.scenario == "discovery" else bench.SEARCH
            perf = record([server.process.pid], 6, data)
            figures = bench.wrk(server, "/", {"Authorization": f"Bearer {reader}"}, bench.uncached_script(path))
        perf.wait()
    finally:
        server.stop()
    rps, p50, p99, _ = figures
    print(f"{args.scenario}: {rps:,.0f} req/s, p50 {p50:.2f} ms, p99 {p99:.2f} ms; perf data in {data}\n")
    if args.scenario == "enable":
        print("by process:")
        by_command = subprocess.run(["perf", "report", "-i", data, "--sort", "comm", "--stdio", "-g", "none"],
                                    capture_output=True, text=True).stdout.splitlines()
        print("\n".join([line for line in by_command if line.strip() and not line.startswith("#")][:6]))
        print("\nPostgreSQL's hottest functions:")
        print("\n".join(report(data, "postgres")))
    else:
        print("\n".join(report(data)))


if __name__ == "__main__":
    main()
