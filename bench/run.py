"""Runs the modelmart benchmark scenarios and prints a Markdown table.

Driven by bench/run.sh (which builds the release binary and installs wrk).
Uses only the standard library. Every server it starts listens on 127.0.0.1
and is stopped at the end.
"""

import concurrent.futures
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.path.join(ROOT, "target", "release", "modelmart")
FEED = os.path.join(ROOT, "..", "shared", "data", "litellm_model_prices.json")
SERVER = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres").rsplit("/", 1)[0]
SYNTHETIC = int(os.environ.get("BENCH_SYNTHETIC", "100000"))
DURATION = os.environ.get("BENCH_DURATION", "10s")
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
HOLD_ENABLEMENTS = int(os.environ.get("BENCH_HOLD_ENABLEMENTS", "10000"))
# Tenants, each under its own policy, asking varied queries (0 skips it).
TENANTS = int(os.environ.get("BENCH_TENANTS", "1000"))
# The largest catalog: seeded, started and served once (0 skips it).
MILLION = int(os.environ.get("BENCH_MILLION", "1000000"))
SECRET = "bench-secret-bench-secret-bench-secret-0123"
DISCOVERY = "/v1/models?task=chat&capability=function_calling&sort=input_price&limit=50"
SEARCH = "/v1/models?q=deepseek&limit=50"

# Rate limiting stays on (its cost is part of every request) at a rate the
# single benchmark caller cannot reach. The connection pool is the server's
# default (10): until the fifth round the benchmark set 20, which on two cores
# shared with PostgreSQL lengthens the enablement tail (RESULTS.md).
ENV = dict(os.environ, MODELMART_JWT_SECRET=SECRET, MODELMART_LOG="error",
           MODELMART_RATE_LIMIT_PER_SECOND="10000000", MODELMART_RATE_LIMIT_BURST="10000000")
ENV.pop("MODELMART_DB_MAX_CONNECTIONS", None)


def log(message):
    print(message, file=sys.stderr, flush=True)


def run(*args, env=None):
    return subprocess.run([BINARY, *args], env=env or ENV, check=True, capture_output=True, text=True).stdout


def fresh_database(name):
    admin = f"{SERVER}/postgres"
    subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=True, capture_output=True)
    subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True, capture_output=True)
    return f"{SERVER}/{name}"


def token(role, tenant=None, sub="bench"):
    args = ["token", "--role", role, "--sub", sub, "--ttl", "7200"]
    if tenant:
        args += ["--tenant", tenant]
    return run(*args).strip()


def request(base, path, token_value=None, method="GET", body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    if token_value:
        req.add_header("Authorization", f"Bearer {token_value}")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    for key, value in (headers or {}).items():
        req.add_header(key, value)
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class Server:
    def __init__(self, database_url, port):
        self.base = f"http://127.0.0.1:{port}"
        env = dict(ENV, DATABASE_URL=database_url)
        started = time.monotonic()
        # The server's log goes to a file: when it exits before it is ready,
        # its last lines say why.
        self.log = tempfile.NamedTemporaryFile(prefix="modelmart-bench-", suffix=".log", delete=False)
        self.process = subprocess.Popen([BINARY, "serve", "--listen", f"127.0.0.1:{port}"], env=env,
                                        stdout=subprocess.DEVNULL, stderr=self.log)
        while True:
            if self.process.poll() is not None:
                with open(self.log.name, errors="replace") as log_file:
                    tail = log_file.read()[-2000:]
                raise RuntimeError(f"the server exited with {self.process.returncode} before it was ready:\n{tail}")
            try:
                status, _, _ = request(self.base, "/readyz")
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() - started > 900:
                raise RuntimeError("the server did not become ready")
            time.sleep(0.05)
        self.startup = time.monotonic() - started

    def cpu_seconds(self):
        """The CPU time (user and system) the server has used so far."""
        with open(f"/proc/{self.process.pid}/stat") as stat:
            # The fields after the command's closing parenthesis; utime and
            # stime are the 14th and 15th of the line.
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_mib(self, field="VmRSS"):
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
        return 0.0

    def peak_mib(self):
        """The most memory the process has held so far (while it loaded its
        catalog, at the start): what a full reload needs room for."""
        return self.rss_mib("VmHWM")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()
        os.unlink(self.log.name)


def full_reload(server, database_url, reader):
    """Edits one listing in the database, so the server rebuilds its whole
    catalog while it serves. Returns the seconds until the edit was served,
    the peak RSS during the reload (VmHWM, reset just before the edit) and
    the RSS afterwards, in MiB."""
    model_id = psql(database_url, "SELECT id FROM models ORDER BY id LIMIT 1").strip()
    with open(f"/proc/{server.process.pid}/clear_refs", "w") as clear_refs:
        clear_refs.write("5")  # resets the peak (VmHWM) to the RSS now
    marker = uuid.uuid4().hex
    psql(database_url, f"UPDATE models SET description = description || ' {marker}' WHERE id = '{model_id}'")
    started = time.monotonic()
    while True:
        status, _, body = request(server.base, f"/v1/models/{model_id}", reader)
        if status == 200 and marker.encode() in body:
            break
        if time.monotonic() - started > 900:
            raise RuntimeError("the edited listing was not served")
        time.sleep(0.05)
    seconds = time.monotonic() - started
    # The replaced catalog's memory goes back once it is freed.
    time.sleep(2)
    return seconds, server.peak_mib(), server.rss_mib()


def record_reload(server, database_url, listings):
    rest = server.rss_mib()
    reader = token("catalog.reader", str(uuid.uuid4()))
    seconds, peak, after = full_reload(server, database_url, reader)
    record(f"full reload of {listings} listings while serving (one listing edited)", rss=after,
           note=f"served after {seconds:.2f} s; peak RSS {peak:.0f} MiB, {peak / rest:.2f}x the {rest:.0f} MiB "
                f"before it; the RSS column is after it")


def to_ms(text):
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not match:
        return float("nan")
    return float(match.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[match.group(2)]


def wrk(server, path, headers=None, script=None):
    args = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}", "--latency"]
    for key, value in (headers or {}).items():
        args += ["-H", f"{key}: {value}"]
    if script:
        args += ["-s", script]
    output = subprocess.run(args + [server.base + path], check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    # The latency distribution lines look like "     50%  493.00us".
    latency = lambda label: re.search(r"^\s+" + label + r"\s+(\S+)\s*$", output, re.M)
    p50 = to_ms(latency("50%").group(1)) if latency("50%") else float("nan")
    p99 = to_ms(latency("99%").group(1)) if latency("99%") else float("nan")
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return rps, p50, p99, int(errors.group(1)) if errors else 0


def wrk_costed(server, path, headers=None, script=None):
    """`wrk`, with what each request cost in CPU time: the server's and the
    load generator's, in microseconds. Both share the machine's two cores,
    so a ratio of requests/s moves with either; the server's CPU time a
    request is what a change to the server moves, whatever share of the
    cores `wrk` takes (the machine's speed moves it too)."""
    server_before = server.cpu_seconds()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    wrk_before = children.ru_utime + children.ru_stime
    rps, p50, p99, errors = wrk(server, path, headers, script)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    wrk_after = children.ru_utime + children.ru_stime
    requests = rps * to_ms(DURATION) / 1000
    per_request = lambda seconds: seconds / requests * 1e6 if requests else float("nan")
    return rps, p50, p99, errors, per_request(server.cpu_seconds() - server_before), per_request(wrk_after - wrk_before)


ROWS = []


def record(scenario, rps=None, p50=None, p99=None, rss=None, note=""):
    ROWS.append((scenario, rps, p50, p99, rss, note))
    # Every figure of the row, so a run stopped before the table still has them.
    log(f"{scenario}: {rps} req/s p50 {p50} p99 {p99} rss {rss} MiB {note}")


def lua_file(lines):
    handle = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    handle.write("\n".join(lines))
    handle.close()
    return handle.name


def random_requests_script(tables, request_lines):
    """A wrk script whose `request` (the given lines) picks from Lua `tables`
    (name -> literal) at random, with each wrk thread seeded apart: each
    thread has its own Lua state, and seeded alike they would send the same
    requests (half the creates of the enablement scenario would repeat)."""
    return lua_file([f"local {name} = {literal}" for name, literal in tables.items()] + [
        "local threads = 0",
        "function setup(thread) threads = threads + 1; thread:set('seed', threads) end",
        "function init(args) math.randomseed(os.time() * 1000 + seed) end",
        "request = function()", *request_lines, "end"])


def enablement_script(tokens, models):
    return random_requests_script(
        {"tokens": "{" + ",".join('{"%s","%s"}' % pair for pair in tokens) + "}",
         "models": "{" + ",".join(f'"{m}"' for m in models) + "}"},
        ["  local t = math.random(#tokens)",
         "  local m = math.random(#models)",
         '  local body = string.format(\'{"model_id":"%s","region":"global","deployment_type":"serverless"}\', models[m])',
         '  local headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. tokens[t][2]}',
         '  return wrk.format("POST", "/v1/tenants/" .. tokens[t][1] .. "/enablements", headers, body)'])


def uncached_script(path):
    """Requests `path` with a ceiling that differs on every request, so each
    one misses the page cache and its page is composed afresh. The ceiling
    is far above every price: it keeps every listing that quotes an output
    price, so every request matches the same listings as the cached
    scenario (and finds their facet counts and search ranking kept). Each
    wrk thread counts on its own, so the thread's number is part of the
    ceiling: until the tenth round both threads sent the same ceilings, and
    about 7 % of these requests found a page the other thread had asked."""
    return lua_file([
        "local threads = 0",
        "function setup(thread) threads = threads + 1; thread:set('id', threads) end",
        "local n = 0",
        "request = function()",
        "  n = n + 1",
        f'  return wrk.format("GET", "{path}&max_output_price_per_mtok=100000" .. n .. "." .. id)',
        "end"])


def varied_script(path):
    """Like `uncached_script`, with input- and output-price ceilings drawn at
    random on every request from where the synthetic catalog's prices are
    still dense (0.9 to 4 and 2.5 to 15 USD per 1M tokens: about the 75th to
    the 95th percentile), so the page keeps most listings and nearly every
    request matches a set of its own, its facets counted afresh, as for a
    tenant's own filters."""
    return random_requests_script({}, [
        "  local input = 0.9 + math.random() * 3.1",
        "  local output = 2.5 + math.random() * 12.5",
        f'  return wrk.format("GET", string.format("{path}&max_input_price_per_mtok=%.6f&max_output_price_per_mtok=%.6f", input, output))'])


def uncached_scenarios(server, reader, at=""):
    """Discovery and search with every request a page-cache miss: first on
    one match set, then on a different one per request. Each row notes how
    often the parts discovery keeps between pages (each listing's JSON,
    facet counts by match set, rankings by search text) were found, and
    its ratio to `/healthz` measured on the same server just before: this
    machine's speed moves between runs and within one (the first row's
    `/healthz` ran from 98,000 to 175,000 req/s across runs), and the
    targets are ratios."""
    staff = token("platform.admin")
    for label, path in (("filtered discovery", DISCOVERY), ("search", SEARCH)):
        for variant, script in (("every request a page-cache miss", uncached_script),
                                ("every request a page-cache miss and its own match set", varied_script)):
            ceiling, _, _, _, ceiling_server_us, ceiling_wrk_us = wrk_costed(server, "/healthz")
            before = cache_lookups(server, staff)
            rps, p50, p99, errors, server_us, wrk_us = wrk_costed(
                server, "/", {"Authorization": f"Bearer {reader}"}, script(path))
            after = cache_lookups(server, staff)
            found = []
            for part in ("listing", "facet", "ranking"):
                hits = after[part][0] - before[part][0]
                lookups = hits + after[part][1] - before[part][1]
                if lookups:
                    found.append(f"{part} {hits / lookups:.1%}")
            note = (f"{rps / ceiling:.1%} of `/healthz` just before ({ceiling:,.0f} req/s); CPU a request: "
                    f"server {server_us:.1f} µs, wrk {wrk_us:.1f} µs (`/healthz`: {ceiling_server_us:.1f} and "
                    f"{ceiling_wrk_us:.1f}); kept parts found: "
                    + ", ".join(found) + (f"; {errors} errors" if errors else ""))
            record(f"{label}{at}, {variant}", rps, p50, p99, server.rss_mib(), note)


def propose_hold(server, officer, notice, scope, effects):
    """Proposes an export-control hold as `officer`: the proposal (its id and
    ETag)."""
    status, _, body = request(server.base, "/v1/admin/holds", officer, "POST", {
        "kind": "export_control", "legal_basis": "bench", "public_notice": notice,
        "scope": scope, "effects": effects})
    if status != 201:
        raise RuntimeError(f"the proposal answered {status}: {body[:300]!r}")
    return json.loads(body)


def decide_hold(server, hold, action, officer, etag, reason=None):
    """`action` (approve, lift) on the hold `hold` as `officer`, with the
    hold's ETag: the answer's status and body."""
    status, _, body = request(server.base, f"/v1/admin/holds/{hold}/{action}", officer, "POST",
                              {"reason": reason} if reason else {}, {"If-Match": etag})
    return status, body


def cross_server_enforcement(a, b, staff_tokens, tenant, tenant_token, model_slug, rounds=20):
    alice, bob = staff_tokens
    timings = []
    encoded = urllib.parse.quote(model_slug, safe="")
    for _ in range(rounds):
        proposed = propose_hold(a, alice, "bench hold", {"models": [model_slug], "tenants": [tenant]},
                                {"hide": True})
        hold = proposed["id"]
        started = time.monotonic()
        status, body = decide_hold(a, hold, "approve", bob, proposed["etag"])
        if status != 200:
            raise RuntimeError(f"approval answered {status}: {body[:300]!r}")
        while request(b.base, f"/v1/models/{encoded}", tenant_token)[0] != 451:
            if time.monotonic() - started > 10:
                raise RuntimeError("server B never enforced the hold")
            time.sleep(0.002)
        timings.append((time.monotonic() - started) * 1000)
        decide_hold(a, hold, "lift", alice, json.loads(body)["hold"]["etag"], "bench")
        while request(b.base, f"/v1/models/{encoded}", tenant_token)[0] == 451:
            time.sleep(0.005)
    timings.sort()
    return statistics.median(timings), timings[min(len(timings) - 1, int(len(timings) * 0.99))]


def hold_churn(server, staff_tokens, tenant, model_slug, stop, interval=0.5):
    """Until `stop` is set, approves a hold on `model_slug` for `tenant`
    alone and lifts it again, a decision every `interval` seconds: each
    swaps in new rules over the same content, as compliance work during the
    day does. Answers how many decisions (rules swaps) it made."""
    alice, bob = staff_tokens
    decisions = 0
    while not stop.is_set():
        proposed = propose_hold(server, alice, "bench hold on one tenant",
                                {"models": [model_slug], "tenants": [tenant]}, {"hide": True})
        status, body = decide_hold(server, proposed["id"], "approve", bob, proposed["etag"])
        if status != 200:
            raise RuntimeError(f"the approval answered {status}: {body[:300]!r}")
        decisions += 1
        stop.wait(interval)
        status, body = decide_hold(server, proposed["id"], "lift", alice, json.loads(body)["hold"]["etag"], "bench")
        if status != 200:
            raise RuntimeError(f"the lift answered {status}: {body[:300]!r}")
        decisions += 1
        stop.wait(interval)
    return decisions


def hit_rate(hits, lookups):
    return hits / lookups if lookups else 0.0


def page_cache_hits_during(server, scenario):
    """Runs `scenario()`: (what it answers, page-cache hits and lookups meanwhile)."""
    metrics_token = token("platform.admin")
    hits_before, misses_before = cache_lookups(server, metrics_token)["page"]
    answer = scenario()
    hits, misses = cache_lookups(server, metrics_token)["page"]
    hits, misses = hits - hits_before, misses - misses_before
    return answer, hits, hits + misses


def tenants_under_hold_churn(server, tenants, model_slug):
    """`tenants` asking the query shapes while a hold on one other tenant
    is approved and lifted every half second: (wrk's figures, the rules
    swaps made, page-cache hits, lookups)."""
    staff = (token("compliance.officer", sub="alice"), token("compliance.officer", sub="bob"))
    other = str(uuid.uuid4())
    request(server.base, "/v1/regions", token("catalog.reader", other))  # provision the tenant

    def under_churn():
        stop = threading.Event()
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
            churn = pool.submit(hold_churn, server, staff, other, model_slug, stop)
            try:
                figures = wrk(server, "/", script=varied_tenants_script(tenants))
            finally:
                stop.set()
            return figures, churn.result()

    (figures, decisions), hits, lookups = page_cache_hits_during(server, under_churn)
    return figures, decisions, hits, lookups


# Fifty query shapes a portal sends: filters, sorts, searches, bounds and
# pages of different sizes, over the synthetic catalog's vocabulary.
QUERY_SHAPES = [
    "/v1/models?limit=50", "/v1/models?limit=20&sort=name", "/v1/models?sort=-release_date&limit=50",
    "/v1/models?task=chat&limit=50", "/v1/models?task=chat&sort=input_price&limit=50",
    "/v1/models?task=chat&capability=function_calling&sort=input_price&limit=50",
    "/v1/models?task=chat&capability=vision&sort=-context_window&limit=25",
    "/v1/models?task=embedding&sort=input_price&limit=50", "/v1/models?task=image_generation&limit=20",
    "/v1/models?capability=reasoning&sort=output_price&limit=50", "/v1/models?capability=parallel_function_calling&limit=100",
    "/v1/models?publisher=meta&limit=50", "/v1/models?publisher=mistral,deepseek&sort=name&limit=50",
    "/v1/models?publisher=openai,anthropic,google&sort=-release_date&limit=30",
    "/v1/models?region=eastus&limit=50", "/v1/models?region=westeurope&deployment_type=serverless&limit=50",
    "/v1/models?region=us-east-1,us-west-2&sort=input_price&limit=50", "/v1/models?region=ap-south-1&limit=20",
    "/v1/models?deployment_type=provisioned&sort=output_price&limit=50",
    "/v1/models?deployment_type=serverless&sort=-context_window&limit=50",
    "/v1/models?origin_country=US&limit=50", "/v1/models?origin_country=FR,DE&sort=name&limit=50",
    "/v1/models?license=apache-2.0&limit=50", "/v1/models?license=mit,apache-2.0&sort=-release_date&limit=50",
    "/v1/models?open_weights=true&sort=input_price&limit=50", "/v1/models?open_weights=false&limit=50",
    "/v1/models?modality=image&limit=50", "/v1/models?input_modality=audio&limit=20",
    "/v1/models?output_modality=image&sort=name&limit=20", "/v1/models?min_context_window=128000&limit=50",
    "/v1/models?min_context_window=32000&sort=-context_window&limit=50",
    "/v1/models?max_input_price_per_mtok=1&sort=input_price&limit=50",
    "/v1/models?max_output_price_per_mtok=2&sort=output_price&limit=50",
    "/v1/models?max_input_price_per_mtok=0.5&task=chat&limit=50",
    "/v1/models?lifecycle=preview&limit=50", "/v1/models?lifecycle=deprecated&sort=name&limit=50",
    "/v1/models?include_unavailable=true&limit=50", "/v1/models?include_unavailable=true&task=chat&limit=50",
    "/v1/models?q=deepseek&limit=50", "/v1/models?q=llama&limit=50", "/v1/models?q=mistral%20large&limit=20",
    "/v1/models?q=gpt&sort=name&limit=50", "/v1/models?q=claude%20sonnet&limit=10", "/v1/models?q=embed&limit=50",
    "/v1/models?q=qwen&task=chat&limit=50", "/v1/models?q=vision&limit=50", "/v1/models?q=instruct&limit=50",
    "/v1/models?q=syn12&limit=50", "/v1/models?task=chat&region=eastus&capability=function_calling&limit=50",
    "/v1/models?publisher=meta&region=westeurope&sort=-release_date&limit=50",
]
assert len(QUERY_SHAPES) == 50


def signed_token(role, tenant):
    """A token as `modelmart token` mints it (HS256 with the benchmark's
    secret, the default issuer and audience), signed here: a thousand CLI
    runs would take longer than the scenario."""
    import base64, hashlib, hmac
    encode = lambda data: base64.urlsafe_b64encode(data).rstrip(b"=")
    now = int(time.time())
    claims = {"sub": "bench", "tid": tenant, "roles": [role], "iss": "modelmart-dev", "aud": "modelmart",
              "exp": now + 7200, "nbf": now, "iat": now}
    signing_input = encode(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + b"." + encode(json.dumps(claims).encode())
    signature = hmac.new(SECRET.encode(), signing_input, hashlib.sha256).digest()
    return (signing_input + b"." + encode(signature)).decode()


def tenants_under_their_own_policies(server, count):
    """Provisions `count` tenants, each with a policy no other has (a price
    ceiling of its own, and a varying mix of denied publishers, allowed
    regions and origin rules), through the API; answers their (id, token)."""
    publishers = ["meta", "mistral", "deepseek", "openai", "google", "alibaba", "cohere", "xai"]
    regions = ["eastus", "westeurope", "us-east-1", "us-west-2", "ap-south-1", "swedencentral", "global"]
    tenants = []
    for n in range(count):
        tenant = str(uuid.uuid4())
        admin = signed_token("tenant.admin", tenant)
        status, headers, _ = request(server.base, f"/v1/tenants/{tenant}/policy", admin)
        etag = headers.get("ETag") or headers.get("etag")
        policy = {
            "max_output_price_per_mtok": f"{5 + n / 100:.2f}",
            "denied_publishers": [publishers[n % len(publishers)]] if n % 3 else [],
            "allowed_regions": regions[: 2 + n % 5] if n % 4 == 0 else None,
            "denied_origin_countries": ["CN"] if n % 5 == 0 else [],
            "ga_only": n % 7 == 0,
        }
        status, _, body = request(server.base, f"/v1/tenants/{tenant}/policy", admin, "PUT", policy,
                                  {"If-Match": etag})
        if status != 200:
            raise RuntimeError(f"the policy PUT answered {status}: {body[:300]!r}")
        tenants.append((tenant, signed_token("catalog.reader", tenant)))
    return tenants


def varied_tenants_script(tenants):
    """Each request: a random tenant asking a random one of the query shapes."""
    return random_requests_script(
        {"tenants": "{" + ",".join('"%s"' % reader for _, reader in tenants) + "}",
         "paths": "{" + ",".join('"%s"' % path for path in QUERY_SHAPES) + "}"},
        ['  local headers = {["Authorization"] = "Bearer " .. tenants[math.random(#tenants)]}',
         '  return wrk.format("GET", paths[math.random(#paths)], headers)'])


def cache_lookups(server, staff_token):
    """(hits, misses) so far of each part of the server's discovery cache:
    page, listing, facet, ranking."""
    _, _, body = request(server.base, "/metrics", staff_token)
    lookups = {}
    for part in ("page", "listing", "facet", "ranking"):
        counts = []
        for outcome in ("hit", "miss"):
            match = re.search(r'^modelmart_discovery_%s_cache_lookups_total\{outcome="%s"\} (\S+)$' % (part, outcome),
                              body.decode(), re.M)
            counts.append(float(match.group(1)) if match else 0.0)
        lookups[part] = tuple(counts)
    return lookups


def enablement_groups(server):
    """(groups, grants) the server's enablement writer has written so far."""
    _, _, body = request(server.base, "/metrics")
    counter = lambda name: float(re.search(r"^%s (\S+)$" % name, body.decode(), re.M).group(1))
    return counter("modelmart_enablement_groups_total"), counter("modelmart_enablement_grants_grouped_total")


def psql(database_url, sql):
    return subprocess.run(["psql", database_url, "-qAtv", "ON_ERROR_STOP=1", "-c", sql],
                          check=True, capture_output=True, text=True).stdout


def hold_over_many_enablements(server, database_url, staff_tokens, model_id, count):
    """Gives `count` tenants an active enablement of one model (written in
    SQL, as the setup is not what is measured), then times the approval of a
    hold that suspends all of them, and its lift, over HTTP."""
    alice, bob = staff_tokens
    psql(database_url, f"""
        INSERT INTO tenants (id, provisioned_by)
            SELECT gen_random_uuid(), 'bench-hold' FROM generate_series(1, {count});
        INSERT INTO enablements (tenant_id, id, model_id, region_code, deployment_type, operator_name,
                                 operator_country, status, created_by, updated_by)
            SELECT t.id, gen_random_uuid(), o.model_id, o.region_code, o.deployment_type, o.operator_name,
                   o.operator_country, 'active', 'bench', 'bench'
            FROM tenants t
            CROSS JOIN (SELECT * FROM offers WHERE model_id = '{model_id}' AND status = 'available' LIMIT 1) o
            WHERE t.provisioned_by = 'bench-hold';""")
    proposed = propose_hold(server, alice, "bench hold over many enablements",
                            {"models": [model_id], "include_derivatives": False},
                            {"hide": True, "block_new": True, "suspend_existing": True})
    started = time.monotonic()
    status, body = decide_hold(server, proposed["id"], "approve", bob, proposed["etag"])
    approve_ms = (time.monotonic() - started) * 1000
    decision = json.loads(body) if status == 200 else {}
    # The enablement scenario before may have enabled the model for a few tenants too.
    suspended = decision.get("enablements_changed", 0)
    if suspended < count:
        raise RuntimeError(f"the approval answered {status}: {body[:300]!r}")
    started = time.monotonic()
    status, body = decide_hold(server, proposed["id"], "lift", alice, decision["hold"]["etag"], "bench")
    lift_ms = (time.monotonic() - started) * 1000
    if status != 200 or json.loads(body)["enablements_changed"] != suspended:
        raise RuntimeError(f"the lift answered {status}: {body[:300]!r}")
    return suspended, approve_ms, lift_ms


def main():
    if not os.path.exists(FEED):
        sys.exit(f"the feed is missing: {FEED}")
    feed_db = fresh_database("modelmart_bench_feed")
    env = dict(ENV, DATABASE_URL=feed_db)
    run("migrate", env=env)
    output = run("import", "--format", "litellm", FEED, env=env)
    seconds = float(re.search(r"in ([\d.]+)s", output).group(1))
    record("import of the real feed (4,878 entries)", note=f"{seconds:.2f} s")

    a = Server(feed_db, 18080)
    b = Server(feed_db, 18081)
    try:
        tenant = str(uuid.uuid4())
        reader = token("catalog.reader", tenant)
        record("`/healthz` (in-binary ceiling)", *wrk(a, "/healthz")[:3], rss=a.rss_mib())
        rps, p50, p99, errors = wrk(a, DISCOVERY, {"Authorization": f"Bearer {reader}"})
        record(f"filtered discovery `{DISCOVERY}`", rps, p50, p99, a.rss_mib(), f"{errors} errors" if errors else "")
        rps, p50, p99, errors = wrk(a, SEARCH, {"Authorization": f"Bearer {reader}"})
        record(f"search `{SEARCH}`", rps, p50, p99, a.rss_mib(), f"{errors} errors" if errors else "")
        uncached_scenarios(a, reader)
        _, _, body = request(a.base, "/v1/models?q=deepseek%20r1&limit=1", reader)
        slug = json.loads(body)["items"][0]["slug"]
        path = "/v1/models/" + urllib.parse.quote(slug, safe="")
        rps, p50, p99, errors = wrk(a, path, {"Authorization": f"Bearer {reader}"})
        record(f"one listing by slug (`{slug}`)", rps, p50, p99, a.rss_mib(), f"{errors} errors" if errors else "")
        _, headers, _ = request(a.base, DISCOVERY, reader)
        etag = headers.get("ETag") or headers.get("etag")
        rps, p50, p99, errors = wrk(a, DISCOVERY, {"Authorization": f"Bearer {reader}", "If-None-Match": etag})
        record("304 revalidation of the discovery page", rps, p50, p99, a.rss_mib())

        tenants = [str(uuid.uuid4()) for _ in range(200)]
        pairs = []
        for t in tenants:
            admin_token = token("tenant.admin", t)
            request(a.base, "/v1/regions", admin_token)  # provision the tenant
            pairs.append((t, admin_token))
        _, _, body = request(a.base, "/v1/models?region=global&deployment_type=serverless&limit=200", reader)
        models = [item["id"] for item in json.loads(body)["items"]]
        script = enablement_script(pairs, models)
        groups_before, grants_before = enablement_groups(a)
        rps, p50, p99, refused = wrk(a, "/", script=script)
        groups_after, grants_after = enablement_groups(a)
        groups, grants = groups_after - groups_before, grants_after - grants_before
        record("enablement create (200 tenants x 200 models, random)", rps, p50, p99, a.rss_mib(),
               f"{refused} non-2xx (409 already enabled once a pair repeats); "
               f"written in {groups:,.0f} groups, {grants / groups if groups else 0:.1f} grants each on average")

        staff = (token("compliance.officer", sub="alice"), token("compliance.officer", sub="bob"))
        hold_tenant = str(uuid.uuid4())
        hold_reader = token("catalog.reader", hold_tenant)
        request(a.base, "/v1/regions", hold_reader)
        time.sleep(1)
        p50, p99 = cross_server_enforcement(a, b, staff, hold_tenant, hold_reader, slug)
        record("hold approved on server A, enforced by server B (20 rounds)", None, p50, p99, None)
        suspended, approve_ms, lift_ms = hold_over_many_enablements(a, feed_db, staff, models[0], HOLD_ENABLEMENTS)
        record(f"hold approval suspending {suspended:,} enablements (one request)",
               note=f"{approve_ms:.0f} ms; its lift, restoring them: {lift_ms:.0f} ms")
    finally:
        a.stop()
        b.stop()

    big_db = fresh_database("modelmart_bench_synthetic")
    env = dict(ENV, DATABASE_URL=big_db)
    run("migrate", env=env)
    output = run("seed", "--synthetic", str(SYNTHETIC), env=env)
    seconds = float(re.search(r"in ([\d.]+)s", output).group(1))
    record(f"`modelmart seed --synthetic {SYNTHETIC}`", note=f"{seconds:.1f} s")
    big = Server(big_db, 18082)
    try:
        record(f"startup with {SYNTHETIC} listings loaded", rss=big.rss_mib(),
               note=f"{big.startup:.2f} s; peak RSS while loading {big.peak_mib():.0f} MiB")
        record_reload(big, big_db, SYNTHETIC)
        tenant = str(uuid.uuid4())
        reader = token("catalog.reader", tenant)
        request(big.base, "/v1/regions", reader)
        time.sleep(1)
        rps, p50, p99, errors = wrk(big, DISCOVERY, {"Authorization": f"Bearer {reader}"})
        record(f"filtered discovery at {SYNTHETIC} listings", rps, p50, p99, big.rss_mib(), f"{errors} errors" if errors else "")
        rps, p50, p99, errors = wrk(big, SEARCH, {"Authorization": f"Bearer {reader}"})
        record(f"search at {SYNTHETIC} listings", rps, p50, p99, big.rss_mib(), f"{errors} errors" if errors else "")
        uncached_scenarios(big, reader, f" at {SYNTHETIC} listings")
        if TENANTS:
            started = time.monotonic()
            tenants = tenants_under_their_own_policies(big, TENANTS)
            provisioning = time.monotonic() - started
            # Each tenant's first request computes its view of the catalog
            # (what it may see and enable): paid once per tenant and snapshot.
            started = time.monotonic()
            for _, reader_token in tenants:
                request(big.base, QUERY_SHAPES[0], reader_token)
            first_views = time.monotonic() - started
            (rps, p50, p99, errors), hits, lookups = page_cache_hits_during(
                big, lambda: wrk(big, "/", script=varied_tenants_script(tenants)))
            record(f"{TENANTS:,} tenants each under its own policy x {len(QUERY_SHAPES)} query shapes, "
                   f"at {SYNTHETIC} listings", rps, p50, p99, big.rss_mib(),
                   f"page-cache hit rate {hit_rate(hits, lookups):.1%} ({hits:,.0f} of {lookups:,.0f}); "
                   f"{errors} errors; policies set in {provisioning:.1f} s, each tenant's first page "
                   f"(its view computed) {first_views / len(tenants) * 1000:.1f} ms on average")
            _, _, body = request(big.base, "/v1/models?q=deepseek&limit=1", reader)
            held_slug = json.loads(body)["items"][0]["slug"]
            (rps, p50, p99, errors), decisions, hits, lookups = tenants_under_hold_churn(big, tenants, held_slug)
            record("the same, while a hold on one other tenant is approved and lifted every 0.5 s",
                   rps, p50, p99, big.rss_mib(),
                   f"{decisions} rules swaps during the run; page-cache hit rate {hit_rate(hits, lookups):.1%}"
                   + (f"; {errors} errors" if errors else ""))
    finally:
        big.stop()

    if MILLION:
        million_db = fresh_database("modelmart_bench_million")
        env = dict(ENV, DATABASE_URL=million_db)
        run("migrate", env=env)
        output = run("seed", "--synthetic", str(MILLION), env=env)
        seconds = float(re.search(r"in ([\d.]+)s", output).group(1))
        record(f"`modelmart seed --synthetic {MILLION}`", note=f"{seconds:.1f} s")
        huge = Server(million_db, 18083)
        try:
            record(f"startup with {MILLION} listings loaded", rss=huge.rss_mib(),
                   note=f"{huge.startup:.2f} s; peak RSS while loading {huge.peak_mib():.0f} MiB")
            record_reload(huge, million_db, MILLION)
            reader = token("catalog.reader", str(uuid.uuid4()))
            request(huge.base, "/v1/regions", reader)
            time.sleep(1)
            rps, p50, p99, errors = wrk(huge, DISCOVERY, {"Authorization": f"Bearer {reader}"})
            record(f"filtered discovery at {MILLION} listings", rps, p50, p99, huge.rss_mib(),
                   f"{errors} errors" if errors else "")
            uncached_scenarios(huge, reader, f" at {MILLION} listings")
        finally:
            huge.stop()
        subprocess.run(["psql", f"{SERVER}/postgres", "-qc", "DROP DATABASE IF EXISTS modelmart_bench_million WITH (FORCE)"],
                       check=False, capture_output=True)

    fmt = lambda value, unit="": "" if value is None else (f"{value:,.0f}{unit}" if unit == "" else f"{value:.2f}{unit}")
    print(f"\n{CONNECTIONS} connections, wrk -t2 for {DURATION} per scenario, load generator on the same machine.\n")
    print("| scenario | requests/s | p50 | p99 | server RSS | note |")
    print("|---|---:|---:|---:|---:|---|")
    for scenario, rps, p50, p99, rss, note in ROWS:
        print(f"| {scenario} | {fmt(rps)} | {fmt(p50, ' ms')} | {fmt(p99, ' ms')} | "
              f"{'' if rss is None else f'{rss:.0f} MiB'} | {note} |")


if __name__ == "__main__":
    main()
