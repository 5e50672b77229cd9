"""Two-tenant object-level authorization for the schemathesis runs (issue #6).

DESIGN.md, invariant 2: a tenant principal never reads or changes another
tenant's resources; such a request gets 404 (not 403), so existence does not
leak.

Schemathesis' own `object_level_authorization` check cannot see this API: it
only replays `GET`s of objects whose id the owner drew from its own earlier
responses, while every tenant route here is keyed by `{tenant_id}` (fixed in
schemathesis.toml, so never drawn) and tenant objects have no `GET` by id,
only `DELETE`. So this check does the replaying itself.

For every 2xx answer to a request on `/v1/tenants/{tenant_id}/...` sent with a
token of that same tenant (A), it sends, with the token of a principal of
another tenant (B, from MODELMART_ST_PEER_TOKEN):

  1. the same request, on A's path;
  2. for an object (`enablements/{id}`, `webhooks/{id}`), the same request
     on B's own path with A's object id;
  3. for every enablement or webhook A's answer shows (a list or a create),
     `DELETE` of that object, which still exists, on A's path and on B's.

Each must answer 404 `application/problem+json` with the same problem as the
same request for a tenant (or object) that does not exist. All methods are
replayed, writes included: a write is what isolation most has to stop, and
when isolation holds the tenant extractor refuses it before any state is
read, so nothing changes. When it does not hold, the replay may change A's
data in the throwaway demo database, and the run fails, which is the point.
That nothing changed is checked at the end as well: with an auditor token
(MODELMART_ST_AUDITOR_TOKEN) the audit log, which records every state change
(invariant 4), must hold no event by B's principal.

The run fails if the check never replayed anything, so it cannot go inert
unnoticed. `after_run` prints a summary, each line starting `tenant_isolation:`.
"""

from __future__ import annotations

import base64
import json
import os
import re
import sys
import uuid
from collections import Counter
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import requests
import schemathesis

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tool_fixes  # noqa: E402,F401 - the fixes every role's run loads

TENANT_PATH = re.compile(r"^/v1/tenants/(?P<tid>[^/]+)(?:/(?P<kind>[^/]+)(?:/(?P<id>[^/]+))?)?/?$")
# Tenant resources addressed one by one; the rest are per-tenant singletons or lists.
OBJECT_KINDS = ("enablements", "webhooks")
PROBLEM_JSON = "application/problem+json"
# The problem fields that must not tell a foreign tenant's resource from a missing one;
# `instance` echoes the path and so differs by construction.
PROBLEM_FIELDS = ("type", "title", "status", "code", "detail")
# Headers that belong to the connection or the sender, not to the request being replayed.
NOT_REPLAYED = {"authorization", "cookie", "content-length", "host", "connection"}
MISSING = {"tenant": "a tenant", "object": "an object"}


def _claims(token: str | None) -> dict[str, Any]:
    """The payload of a JWT, unverified: only used to tell whose token a request carried."""
    try:
        payload = (token or "").split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}
    return claims if isinstance(claims, dict) else {}


def _bearer(headers: Any) -> str | None:
    scheme, _, token = (headers.get("Authorization") or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def _json(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _content_type(response: requests.Response) -> str:
    return response.headers.get("Content-Type", "").split(";")[0].strip()


def _problem(response: requests.Response) -> tuple[Any, ...]:
    body = _json(response)
    body = body if isinstance(body, dict) else {}
    return (response.status_code, _content_type(response), *(body.get(name) for name in PROBLEM_FIELDS))


def _object_path(tid: str, kind: str, segment: str) -> str:
    """The path of an object, `segment` being its id as it sits in a path (percent-encoded)."""
    return f"/v1/tenants/{tid}/{kind}/{segment}"


def _template(path: str) -> str:
    """`/v1/tenants/{tenant_id}/enablements/{id}` for any tenant and object."""
    match = TENANT_PATH.match(path)
    assert match is not None
    return "/v1/tenants/{tenant_id}" + (f"/{match['kind']}" if match["kind"] else "") + ("/{id}" if match["id"] else "")


def _ids(body: Any) -> list[str]:
    """Object ids in a list page (`items[].id`) or a created object (`id`)."""
    if not isinstance(body, dict):
        return []
    objects = body["items"] if isinstance(body.get("items"), list) else [body]
    return [item["id"] for item in objects if isinstance(item, dict) and isinstance(item.get("id"), str)]


class _Request:
    """A request to send as B: A's own, or one made up from what A's answer showed."""

    def __init__(self, method: str, url: str, headers: dict[str, str], body: bytes) -> None:
        self.method, self.url, self.headers, self.body = method, url, headers, body

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    def at(self, path: str) -> _Request:
        """The same request at another path, with the same query."""
        parts = urlsplit(self.url)
        return _Request(self.method, urlunsplit((parts.scheme, parts.netloc, path, parts.query, "")), self.headers, self.body)


@schemathesis.check
class tenant_isolation:  # noqa: N801 - the class name is the check's name on the command line and in reports
    """A tenant's resources answer 404 to a principal of another tenant, as if they did not exist."""

    def __init__(self) -> None:
        self.peer_token = os.environ.get("MODELMART_ST_PEER_TOKEN", "")
        peer = _claims(self.peer_token)
        self.peer_tid = str(peer.get("tid") or "")
        self.peer = f"tenant {self.peer_tid} ({peer.get('sub')})"
        self.peer_actor = f"tenant:{self.peer_tid}:{peer.get('sub')}"  # as the audit log names it
        self.auditor_token = os.environ.get("MODELMART_ST_AUDITOR_TOKEN", "")
        # The demo server outlives this run (run.sh tests every role against it): only this run's events count.
        self.started = datetime.now(timezone.utc).isoformat()
        self.http = requests.Session()
        self.base_url = ""
        # Schemathesis calls `after_response` again while shrinking and replaying failures, and
        # identical requests recur across phases: each distinct request is replayed once.
        self.replayed: set[tuple[str, str, bytes]] = set()
        self.shown: set[tuple[str, str]] = set()
        # The answer for a tenant or object that does not exist, per operation and kind of probe.
        self.controls: dict[tuple[str, str, str], requests.Response] = {}
        self.probes: Counter[str] = Counter()
        self.refused = 0

    # Schemathesis serialises calls to one check instance, so the state above needs no lock.
    def after_response(self, ctx: Any, response: schemathesis.Response, case: schemathesis.Case) -> None:
        if not self.peer_tid or not 200 <= response.status_code < 300:
            return
        sent = response.request
        parts = urlsplit(sent.url)
        match = TENANT_PATH.match(parts.path)
        owner = _claims(_bearer(sent.headers))
        # Only what tenant A itself was allowed to do proves anything about isolation from B.
        if match is None or owner.get("tid") != match["tid"]:
            return
        self.base_url = f"{parts.scheme}://{parts.netloc}"
        tid, kind, object_id = match["tid"], match["kind"], match["id"]
        headers = {name: value for name, value in sent.headers.items() if name.lower() not in NOT_REPLAYED}
        body = sent.body.encode() if isinstance(sent.body, str) else (sent.body or b"")
        request = _Request(sent.method.upper(), sent.url, headers, body)
        owner_line = f"{request.method} {parts.path} as tenant {tid} ({owner.get('sub')}) -> {response.status_code}"
        # When B is of A's own tenant (the negative control), B's path is A's and needs no probe of its own.
        own_path_differs = self.peer_tid != tid

        if (request.method, request.url, body) not in self.replayed:
            self.replayed.add((request.method, request.url, body))
            self._probe(request, "tenant", owner_line)
            if kind in OBJECT_KINDS and object_id is not None and own_path_differs:
                self._probe(request.at(_object_path(self.peer_tid, kind, object_id)), "object", owner_line)

        # A's replayed DELETE meets an object A has just deleted; these meet objects that exist.
        if kind in OBJECT_KINDS and object_id is None:
            for shown in _ids(_json(response)):
                if (kind, shown) in self.shown:
                    continue
                self.shown.add((kind, shown))
                delete = _Request("DELETE", self.base_url, {}, b"")
                line = f"{owner_line}, showing {kind[:-1]} {shown}"
                self._probe(delete.at(_object_path(tid, kind, quote(shown, safe=""))), "tenant", line)
                if own_path_differs:
                    self._probe(delete.at(_object_path(self.peer_tid, kind, quote(shown, safe=""))), "object", line)

    def _send(self, request: _Request) -> requests.Response:
        headers = {**request.headers, "Authorization": f"Bearer {self.peer_token}"}
        return self.http.request(
            request.method, request.url, headers=headers, data=request.body or None, timeout=30, allow_redirects=False
        )

    def _control(self, request: _Request, missing: str) -> requests.Response:
        """B's answer to `request` for a tenant or, on B's own path, an object that does not exist."""
        key = (request.method, _template(request.path), missing)
        if key not in self.controls:
            match = TENANT_PATH.match(request.path)
            assert match is not None
            nobody = str(uuid.uuid4())
            if missing == "tenant":
                path = request.path.replace(f"/tenants/{match['tid']}", f"/tenants/{nobody}", 1)
            else:
                path = _object_path(match["tid"], match["kind"], nobody)
            self.controls[key] = self._send(request.at(path))
        return self.controls[key]

    def _probe(self, request: _Request, missing: str, owner_line: str) -> None:
        """Send `request` as B; it must be answered as if `missing` ("tenant" or "object") did not exist."""
        answer = self._send(request)
        whose = "A's path" if missing == "tenant" else "B's path"
        self.probes[f"{request.method} {_template(request.path)} on {whose}"] += 1
        expected = self._control(request, missing)
        if answer.status_code == 404 and _content_type(answer) == PROBLEM_JSON and _problem(answer) == _problem(expected):
            self.refused += 1
            return
        raise AssertionError(
            f"Tenant isolation broken: {self.peer} got {answer.status_code} "
            f"{_content_type(answer) or '(no content type)'} on another tenant's resource; expected "
            f"404 {PROBLEM_JSON}, the same as for {MISSING[missing]} that does not exist\n\n"
            f"Owner:   {owner_line}\n"
            f"Foreign: {request.method} {request.path} as {self.peer} -> {answer.status_code} {answer.text[:300]}\n"
            f"Control: the same for {MISSING[missing]} that does not exist -> "
            f"{expected.status_code} {expected.text[:300]}"
        )

    def after_run(self, ctx: Any) -> None:
        if not self.peer_tid:
            raise AssertionError("MODELMART_ST_PEER_TOKEN is not a tenant's token: nothing was checked")
        changes = self._changes_by_peer()
        lines = [
            f"{sum(self.probes.values())} requests as {self.peer} on another tenant's resources, "
            f"{self.refused} answered as if it did not exist ({len(self.controls)} control requests); "
            f"audit events by {self.peer_actor}: {'not checked' if changes is None else len(changes)}",
            *(f"  {count:4} {probe}" for probe, count in sorted(self.probes.items())),
        ]
        print("\n".join(f"tenant_isolation: {line}" for line in lines), file=sys.stderr)
        if not self.probes:
            raise AssertionError("No 2xx answer on /v1/tenants/{tenant_id}/... was replayed: the check did not run")
        if changes:
            listed = "\n".join(f"  {e['action']} {e['target_type']} {e['target_id']} in {e['tenant_id']}" for e in changes)
            raise AssertionError(f"Requests as {self.peer} changed state (audit log):\n{listed}")

    def _changes_by_peer(self) -> list[dict[str, Any]] | None:
        """Audit events B's principal wrote during the run, apart from provisioning its own tenant on first sight."""
        if not self.auditor_token or not self.base_url:
            return None
        answer = self.http.get(
            f"{self.base_url}/v1/admin/audit-events",
            params={"actor": self.peer_actor, "since": self.started, "limit": "200"},
            headers={"Authorization": f"Bearer {self.auditor_token}"},
            timeout=30,
        )
        if answer.status_code != 200:
            raise AssertionError(f"Could not read the audit log: {answer.status_code} {answer.text[:300]}")
        return [
            event
            for event in answer.json()["items"]
            if not (event["action"] == "tenant.provisioned" and event["tenant_id"] == self.peer_tid)
        ]
