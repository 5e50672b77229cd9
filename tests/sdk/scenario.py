"""A tenant's and two compliance officers' journey, driven only through the
Python client generated from openapi/openapi.json (tests/sdk/run.sh makes it).

  1. the tenant admin discovers models of one publisher and picks one it may enable
  2. enables it in a region and deployment type it is offered in (idempotently)
  3. officer A proposes a hold on that model that suspends existing enablements
     (the proposal alone changes nothing); A may not approve it, officer B does
  4. the tenant sees its enablement suspended, naming the hold; discovery
     leaves the model out, or with include_unavailable names the hold
  5. the tenant's events carry an enablement.suspended event for it
  6. officer A lifts the hold; the enablement is active again, with an
     enablement.restored event
  7. the tenant admin reads its policy, changes one rule and PUTs the read
     document back (output-only fields and all), then PATCHes one rule

Every call goes through the generated typed functions and models; an answer
that is not the documented one, or a state that is not the expected one,
stops the run with a message and exit status 1.

Environment: MODELMART_SDK_URL, and the bearer tokens
MODELMART_SDK_TENANT_ADMIN_TOKEN, MODELMART_SDK_OFFICER_A_TOKEN,
MODELMART_SDK_OFFICER_B_TOKEN. The tenant is the `tid` claim of the tenant
admin's token.
"""

from __future__ import annotations

import base64
import json
import os
import sys
import uuid
from typing import Any, TypeVar

import httpx

from modelmart_client import AuthenticatedClient
from modelmart_client.api.compliance import approve_hold, create_hold, lift_hold
from modelmart_client.api.discovery import list_model_offers, list_models
from modelmart_client.api.notifications import list_events
from modelmart_client.api.tenants import (
    create_enablement,
    get_tenant_policy,
    list_enablements,
    patch_tenant_policy,
    replace_tenant_policy,
)
from modelmart_client.models.decision import Decision
from modelmart_client.models.decision_input import DecisionInput
from modelmart_client.models.deployment_type import DeploymentType
from modelmart_client.models.effects_input import EffectsInput
from modelmart_client.models.enablement import Enablement
from modelmart_client.models.enablement_input import EnablementInput
from modelmart_client.models.enablement_list import EnablementList
from modelmart_client.models.enablement_status import EnablementStatus
from modelmart_client.models.event import Event
from modelmart_client.models.event_list import EventList
from modelmart_client.models.event_type import EventType
from modelmart_client.models.hold import Hold
from modelmart_client.models.hold_decision import HoldDecision
from modelmart_client.models.hold_input import HoldInput
from modelmart_client.models.hold_kind import HoldKind
from modelmart_client.models.hold_status import HoldStatus
from modelmart_client.models.model import Model
from modelmart_client.models.model_offer_list import ModelOfferList
from modelmart_client.models.model_page import ModelPage
from modelmart_client.models.offer_status import OfferStatus
from modelmart_client.models.policy import Policy
from modelmart_client.models.policy_input import PolicyInput
from modelmart_client.models.policy_patch import PolicyPatch
from modelmart_client.models.problem import Problem
from modelmart_client.models.scope_input import ScopeInput
from modelmart_client.models.task import Task
from modelmart_client.types import UNSET, Response, Unset

PUBLISHER = "mistral"
# Asked for beside PUBLISHER, so a list filter with two values is exercised
# (the generated client repeats the parameter: publisher=a&publisher=b).
OTHER_PUBLISHER = "deepseek"
# Enough for any page this scenario reads; the loops below still follow cursors.
PAGE = 200
MAX_PAGES = 50

T = TypeVar("T")


class ScenarioFailure(Exception):
    """The server's answer or state is not what the scenario expects."""


def check(condition: bool, message: str) -> None:
    if not condition:
        raise ScenarioFailure(message)


def expect(response: Response[Any], status: int, model: type[T], what: str) -> T:
    """The parsed body of `response`, which must be `status` with a `model`."""
    parsed = response.parsed
    if response.status_code == status and isinstance(parsed, model):
        return parsed
    if isinstance(parsed, Problem):
        got = f"{parsed.code}: {parsed.detail}"
    else:
        got = response.content[:500].decode("utf-8", "replace")
    raise ScenarioFailure(
        f"{what}: expected {status} {model.__name__}, got {int(response.status_code)} ({got})"
    )


def tenant_of(token: str) -> uuid.UUID:
    """The `tid` claim of a JWT. Only read, not verified: the server verifies it."""
    payload = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return uuid.UUID(claims["tid"])


def client_for(base_url: str, token: str) -> AuthenticatedClient:
    # Undocumented statuses raise instead of parsing to None, so a surprise
    # shows as itself rather than as a later "expected ... got None".
    return AuthenticatedClient(
        base_url=base_url,
        token=token,
        raise_on_unexpected_status=True,
        timeout=httpx.Timeout(30.0),
    )


def enablements(tenant: AuthenticatedClient, tid: uuid.UUID) -> list[Enablement]:
    """Every enablement of the tenant, following `next_cursor`."""
    found: list[Enablement] = []
    cursor: str | Unset = UNSET
    for _ in range(MAX_PAGES):
        page = expect(
            list_enablements.sync_detailed(tid, client=tenant, limit=PAGE, cursor=cursor),
            200,
            EnablementList,
            "list enablements",
        )
        found.extend(page.items)
        if not isinstance(page.next_cursor, str):
            return found
        cursor = page.next_cursor
    raise ScenarioFailure(f"list enablements: still paging after {MAX_PAGES} pages")


def enablement_by_id(tenant: AuthenticatedClient, tid: uuid.UUID, eid: uuid.UUID) -> Enablement:
    matches = [e for e in enablements(tenant, tid) if e.id == eid]
    check(len(matches) == 1, f"enablement {eid} is listed {len(matches)} times, not once")
    return matches[0]


def events_of_type(tenant: AuthenticatedClient, tid: uuid.UUID, event_type: EventType) -> list[Event]:
    """The tenant's events of one type, oldest first. The feed gives a cursor
    with every non-empty page (so pollers can resume), so read to an empty one."""
    found: list[Event] = []
    cursor: str | Unset = UNSET
    for _ in range(MAX_PAGES):
        page = expect(
            list_events.sync_detailed(tid, client=tenant, type_=event_type, limit=PAGE, cursor=cursor),
            200,
            EventList,
            f"list {event_type} events",
        )
        found.extend(page.items)
        if not page.items or not isinstance(page.next_cursor, str):
            return found
        cursor = page.next_cursor
    raise ScenarioFailure(f"list events: still paging after {MAX_PAGES} pages")


def event_for(events: list[Event], enablement: Enablement, hold: Hold) -> Event:
    """The one event about `enablement` caused by `hold`."""
    matches = [e for e in events if e.data.additional_properties.get("enablement_id") == str(enablement.id)]
    check(len(matches) == 1, f"{len(matches)} events name enablement {enablement.id}, expected exactly 1")
    event = matches[0]
    data = event.data.additional_properties
    check(event.tenant_id == enablement.tenant_id, f"event {event.id} is for tenant {event.tenant_id!r}")
    hold_notice = data.get("hold")
    check(
        isinstance(hold_notice, dict) and hold_notice.get("hold_id") == str(hold.id),
        f"event {event.id} names hold {hold_notice!r}, expected {hold.id}",
    )
    check(
        data.get("status") == enablement.status.value, f"event {event.id} says status {data.get('status')!r}"
    )
    return event


def discover(tenant: AuthenticatedClient, tid: uuid.UUID) -> tuple[Model, str, DeploymentType]:
    """Step 1: an enableable chat model of PUBLISHER, and an offer of it the
    tenant has not enabled yet (so the scenario can run again on one server)."""
    taken = {(e.model_id, e.region, e.deployment_type) for e in enablements(tenant, tid)}
    both = expect(
        list_models.sync_detailed(client=tenant, publisher=[PUBLISHER, OTHER_PUBLISHER], task=[Task.CHAT], limit=200),
        200,
        ModelPage,
        "discover models",
    )
    publishers = {m.publisher.slug for m in both.items}
    check(
        publishers == {PUBLISHER, OTHER_PUBLISHER},
        f"publisher=[{PUBLISHER}, {OTHER_PUBLISHER}] found models of {sorted(publishers)}",
    )
    strays = [m.slug for m in both.items if m.task != Task.CHAT]
    check(not strays, f"the task filter let through {strays}")
    page = expect(
        list_models.sync_detailed(client=tenant, publisher=[PUBLISHER], task=[Task.CHAT], limit=50),
        200,
        ModelPage,
        "discover models",
    )
    check(bool(page.items), f"discovery found no {PUBLISHER} chat models")
    strays = [m.slug for m in page.items if m.publisher.slug != PUBLISHER or m.task != Task.CHAT]
    check(not strays, f"the publisher and task filters let through {strays}")
    for model in page.items:
        check(
            isinstance(model.availability, Decision),
            f"{model.slug}: a tenant's discovery carries no availability decision",
        )
    enableable = [m for m in page.items if isinstance(m.availability, Decision) and m.availability.enableable]
    check(bool(enableable), f"none of the {len(page.items)} {PUBLISHER} chat models is enableable")
    for model in enableable:
        offers = expect(
            list_model_offers.sync_detailed(str(model.id), client=tenant),
            200,
            ModelOfferList,
            f"offers of {model.slug}",
        )
        for offer in offers.items:
            if (
                offer.status == OfferStatus.AVAILABLE
                and (model.id, offer.region, offer.deployment_type) not in taken
            ):
                check(
                    offer.region in model.regions,
                    f"{model.slug} is offered in {offer.region}, not in its regions {model.regions}",
                )
                print(
                    f"1 discover: {page.total} {PUBLISHER} chat models; picked {model.slug}"
                    f" ({offer.region}, {offer.deployment_type.value})"
                )
                return model, offer.region, offer.deployment_type
    raise ScenarioFailure(f"no enableable {PUBLISHER} chat model has an available offer not yet enabled")


def enable(
    tenant: AuthenticatedClient, tid: uuid.UUID, model: Model, region: str, deployment: DeploymentType
) -> Enablement:
    """Step 2: enable the model; the same Idempotency-Key replays the same enablement."""
    body = EnablementInput(model_id=model.id, region=region, deployment_type=deployment)
    key = f"sdk-scenario-{uuid.uuid4()}"
    created = expect(
        create_enablement.sync_detailed(tid, client=tenant, body=body, idempotency_key=key),
        201,
        Enablement,
        "enable the model",
    )
    check(created.status == EnablementStatus.ACTIVE, f"a new enablement is {created.status}, not active")
    check(
        (created.model_id, created.region, created.deployment_type, created.tenant_id)
        == (model.id, region, deployment, tid),
        f"the enablement {created.to_dict()} is not the one asked for",
    )
    replayed = expect(
        create_enablement.sync_detailed(tid, client=tenant, body=body, idempotency_key=key),
        201,
        Enablement,
        "replay the enablement with the same Idempotency-Key",
    )
    check(
        replayed.id == created.id,
        f"a replay with the same key made enablement {replayed.id}, not {created.id}",
    )
    print(f"2 enable: enablement {created.id} is active (a replay with the same key returned it again)")
    return created


def propose_hold(alice: AuthenticatedClient, model: Model) -> Hold:
    """Step 3a: officer A proposes a hold on the model that suspends existing
    enablements (and blocks new ones, but leaves it visible in discovery)."""
    proposal = HoldInput(
        kind=HoldKind.EXPORT_CONTROL,
        legal_basis="SDK scenario: export-control review of the model's weights.",
        public_notice="This model is suspended pending an export-control review.",
        scope=ScopeInput(models=[model.slug]),
        effects=EffectsInput(hide=False, block_new=True, suspend_existing=True),
        reason="SDK scenario",
    )
    proposed = expect(
        create_hold.sync_detailed(
            client=alice, body=proposal, idempotency_key=f"sdk-scenario-{uuid.uuid4()}"
        ),
        201,
        Hold,
        "propose the hold",
    )
    check(proposed.status == HoldStatus.PROPOSED, f"a new hold is {proposed.status}, not proposed")
    check(not proposed.in_effect, "a hold is in effect before anyone approved it")
    check(
        proposed.scope.models == [model.slug],
        f"the hold covers models {proposed.scope.models}, not [{model.slug}] as proposed",
    )
    check(proposed.reason == proposal.reason, f"the hold's reason is {proposed.reason!r}, not as proposed")
    return proposed


def approve(alice: AuthenticatedClient, bob: AuthenticatedClient, proposed: Hold) -> HoldDecision:
    """Step 3b: the two-person rule: A may not approve her own proposal, B may."""
    own = expect(
        approve_hold.sync_detailed(
            proposed.id, client=alice, body=DecisionInput(reason="my own proposal"), if_match=proposed.etag
        ),
        403,
        Problem,
        "the proposer approving her own hold",
    )
    check(own.code == "self_approval_forbidden", f"self-approval was refused as {own.code}")
    stale = expect(
        approve_hold.sync_detailed(
            proposed.id, client=bob, body=DecisionInput(reason="an old tab"), if_match='"999"'
        ),
        412,
        Problem,
        "approving with a stale ETag",
    )
    check(stale.code == "precondition_failed", f"a stale approval was refused as {stale.code}")
    decision = expect(
        approve_hold.sync_detailed(
            proposed.id, client=bob, body=DecisionInput(reason="second officer agrees"), if_match=proposed.etag
        ),
        200,
        HoldDecision,
        "approve the hold as the second officer",
    )
    hold = decision.hold
    check(
        hold.status == HoldStatus.ACTIVE and hold.in_effect,
        f"the approved hold is {hold.status}, in effect: {hold.in_effect}",
    )
    check(
        isinstance(hold.approved_by, str) and hold.approved_by != proposed.proposed_by,
        f"approved by {hold.approved_by!r}, proposed by {proposed.proposed_by!r}",
    )
    check(decision.enablements_changed >= 1, f"approval suspended {decision.enablements_changed} enablements")
    return decision


def discovery_names_hold(tenant: AuthenticatedClient, model: Model, hold: Hold) -> None:
    """With `block_new`, the tenant's discovery leaves the model out by default
    and, when asked for unavailable ones too, says the hold is why."""
    default = expect(
        list_models.sync_detailed(client=tenant, publisher=[PUBLISHER], task=[Task.CHAT], limit=50),
        200,
        ModelPage,
        "discover models after the hold",
    )
    check(all(m.id != model.id for m in default.items), f"{model.slug} is still offered as enableable")
    everything = expect(
        list_models.sync_detailed(
            client=tenant, publisher=[PUBLISHER], task=[Task.CHAT], limit=50, include_unavailable=True
        ),
        200,
        ModelPage,
        "discover models, unavailable ones included",
    )
    listed = [m for m in everything.items if m.id == model.id]
    check(len(listed) == 1, f"{model.slug} is listed {len(listed)} times with include_unavailable")
    availability = listed[0].availability
    if not isinstance(availability, Decision) or availability.enableable:
        raise ScenarioFailure(f"{model.slug} is still enableable under the hold")
    check(
        any(r.hold_id == hold.id for r in availability.reasons),
        f"the reasons {[r.to_dict() for r in availability.reasons]} do not name hold {hold.id}",
    )


def policy_round_trip(tenant: AuthenticatedClient, tid: uuid.UUID) -> None:
    read = get_tenant_policy.sync_detailed(tid, client=tenant)
    policy = expect(read, 200, Policy, "read the tenant's policy")
    # GET -> modify -> PUT with no hand-editing: the document read is the
    # document sent (its output-only fields are ignored by the server).
    body = PolicyInput.from_dict(policy.to_dict())
    body.ga_only = not policy.ga_only
    put = replace_tenant_policy.sync_detailed(tid, client=tenant, body=body, if_match=read.headers["etag"])
    replaced = expect(put, 200, Policy, "PUT back the policy as read with one rule changed")
    check(replaced.ga_only == body.ga_only, f"ga_only is {replaced.ga_only} after the PUT")
    check(replaced.allowed_regions == policy.allowed_regions, "the PUT kept the other rules")
    # PATCH of one field: a merge patch naming only it.
    patch = patch_tenant_policy.sync_detailed(
        tid, client=tenant, body=PolicyPatch(max_output_price_per_mtok="50"), if_match=put.headers["etag"]
    )
    patched = expect(patch, 200, Policy, "PATCH one rule")
    check(patched.max_output_price_per_mtok == "50", f"the ceiling is {patched.max_output_price_per_mtok!r}")
    check(patched.ga_only == replaced.ga_only, "the PATCH left ga_only as it was")
    # Back as it was, for whoever runs the scenario next.
    original = PolicyInput.from_dict(policy.to_dict())
    expect(
        replace_tenant_policy.sync_detailed(tid, client=tenant, body=original, if_match=patch.headers["etag"]),
        200,
        Policy,
        "restore the policy",
    )
    print(
        f"7 policy: read, ga_only flipped to {replaced.ga_only} and PUT back as read;"
        f" PATCH set the output ceiling to {patched.max_output_price_per_mtok}; restored"
    )


def main() -> int:
    base_url = os.environ["MODELMART_SDK_URL"]
    admin_token = os.environ["MODELMART_SDK_TENANT_ADMIN_TOKEN"]
    tid = tenant_of(admin_token)
    tenant = client_for(base_url, admin_token)
    alice = client_for(base_url, os.environ["MODELMART_SDK_OFFICER_A_TOKEN"])
    bob = client_for(base_url, os.environ["MODELMART_SDK_OFFICER_B_TOKEN"])

    model, region, deployment = discover(tenant, tid)
    enablement = enable(tenant, tid, model, region, deployment)

    proposed = propose_hold(alice, model)
    pending = enablement_by_id(tenant, tid, enablement.id)
    check(
        pending.status == EnablementStatus.ACTIVE,
        f"a hold that is only proposed left enablement {pending.id} {pending.status}",
    )
    decision = approve(alice, bob, proposed)
    hold = decision.hold
    print(
        f"3 hold: {hold.id} proposed by {proposed.proposed_by} (enablement still active),"
        f" self-approval refused, approved by {hold.approved_by};"
        f" {decision.enablements_changed} enablement(s) suspended"
    )

    # Step 4.
    suspended = enablement_by_id(tenant, tid, enablement.id)
    check(
        suspended.status == EnablementStatus.SUSPENDED,
        f"after the hold, enablement {suspended.id} is {suspended.status}, not suspended",
    )
    check(
        suspended.suspended_by_hold_id == hold.id,
        f"enablement {suspended.id} names hold {suspended.suspended_by_hold_id!r}, not {hold.id}",
    )
    discovery_names_hold(tenant, model, hold)
    print(f"4 enablements: {suspended.id} is suspended by hold {hold.id}; discovery names the hold too")

    # Step 5.
    event = event_for(events_of_type(tenant, tid, EventType.ENABLEMENT_SUSPENDED), suspended, hold)
    check(event.type_ == EventType.ENABLEMENT_SUSPENDED, f"asked for enablement.suspended events, got {event.type_}")
    print(
        f"5 events: {event.type_} {event.id} at {event.occurred_at.isoformat()}"
        " names the enablement and the hold"
    )

    # Step 6.
    lifted = expect(
        lift_hold.sync_detailed(
            hold.id, client=alice, body=DecisionInput(reason="review concluded"), if_match=hold.etag
        ),
        200,
        HoldDecision,
        "lift the hold",
    )
    check(
        lifted.hold.status == HoldStatus.LIFTED and not lifted.hold.in_effect,
        f"the lifted hold is {lifted.hold.status}",
    )
    check(lifted.enablements_changed >= 1, f"lifting restored {lifted.enablements_changed} enablements")
    restored = enablement_by_id(tenant, tid, enablement.id)
    check(
        restored.status == EnablementStatus.ACTIVE,
        f"after the lift, enablement {restored.id} is {restored.status}, not active",
    )
    check(
        not isinstance(restored.suspended_by_hold_id, uuid.UUID),
        f"the restored enablement still names hold {restored.suspended_by_hold_id}",
    )
    event = event_for(events_of_type(tenant, tid, EventType.ENABLEMENT_RESTORED), restored, hold)
    print(f"6 lift: hold {hold.id} lifted; {restored.id} is active again ({event.type_} {event.id})")

    policy_round_trip(tenant, tid)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except ScenarioFailure as failure:
        sys.stdout.flush()
        print(f"SDK scenario FAILED: {failure}", file=sys.stderr)
        sys.exit(1)
