// How a TypeScript consumer uses the types generated from openapi/openapi.json.
// Nothing here runs: tests/sdk/run.sh type-checks it (`tsc --noEmit`, strict),
// so a change to the document that breaks these uses fails CI.
import type { components, operations, paths } from "./generated/openapi";

type Schemas = components["schemas"];

/** The 200 body of GET /v1/models (discovery). */
export type DiscoveryPage =
  paths["/v1/models"]["get"]["responses"][200]["content"]["application/json"];

/** The query GET /v1/models takes. */
export type DiscoveryQuery = NonNullable<operations["list_models"]["parameters"]["query"]>;

/** The JSON body of POST /v1/tenants/{tenant_id}/enablements. */
export type EnablementRequest =
  operations["create_enablement"]["requestBody"]["content"]["application/json"];

/** The slugs of a discovery page's listings, in page order. */
export function listingSlugs(page: DiscoveryPage): string[] {
  return page.items.map((model) => model.slug);
}

/** The listings a tenant may enable: `availability` is only there for tenant principals. */
export function enableable(page: DiscoveryPage): Schemas["Model"][] {
  return page.items.filter((model) => model.availability?.enableable === true);
}

/** The holds named among the reasons a listing is not enableable. */
export function blockingHolds(model: Schemas["Model"]): string[] {
  return (model.availability?.reasons ?? []).flatMap((reason) =>
    reason.hold_id == null ? [] : [reason.hold_id],
  );
}

/** A discovery query: publishers and tasks are typed lists, tasks from the enum. */
export const mistralChat: DiscoveryQuery = {
  publisher: ["mistral"],
  task: ["chat"],
  include_unavailable: false,
  limit: 20,
};

/** A request body enabling a model in the region and deployment type of one of its offers. */
export function enablementFor(model: Schemas["Model"], offer: Schemas["ModelOffer"]): EnablementRequest {
  return { model_id: model.id, region: offer.region, deployment_type: offer.deployment_type };
}

/** The headers of a create: the Idempotency-Key makes a retry safe. */
export const createHeaders: NonNullable<operations["create_enablement"]["parameters"]["header"]> = {
  "Idempotency-Key": "portal-7f3c2a",
};

/** A hold proposal that suspends existing enablements of one model everywhere. */
export const proposal: Schemas["HoldInput"] = {
  kind: "export_control",
  legal_basis: "Internal memo: export-control review of model weights.",
  public_notice: "This model is not available in your jurisdiction.",
  scope: { models: ["deepseek/deepseek-r1"] },
  effects: { suspend_existing: true, block_new: true },
};

/** A portal label per enablement state; `never` makes a new state a compile error here. */
export function statusLabel(enablement: Schemas["Enablement"]): string {
  const status = enablement.status;
  switch (status) {
    case "active":
      return "Enabled";
    case "suspended":
      return `Suspended by hold ${enablement.suspended_by_hold_id ?? "(unknown)"}`;
    case "disabled":
      return "Disabled";
    default: {
      const unknown: never = status;
      return unknown;
    }
  }
}

/** The RFC 9457 problem of a refused create (409 `not_enableable`, 451 under a hold). */
export type EnableRefusal =
  | operations["create_enablement"]["responses"][409]["content"]["application/problem+json"]
  | operations["create_enablement"]["responses"][451]["content"]["application/problem+json"];

export function refusalMessage(problem: EnableRefusal): string {
  return `${problem.code}: ${problem.detail}`;
}

/** The tenant's events of one type from a page of GET /v1/tenants/{tenant_id}/events. */
export function eventsOfType(
  page: operations["list_events"]["responses"][200]["content"]["application/json"],
  type: Schemas["EventType"],
): Schemas["Event"][] {
  return page.items.filter((event) => event.type === type);
}

/** The enablement an `enablement.*` event is about: `data` is a free-form object. */
export function enablementOf(event: Schemas["Event"]): string | undefined {
  if (event.type !== "enablement.suspended" && event.type !== "enablement.restored") {
    return undefined;
  }
  const id = event.data["enablement_id"];
  return typeof id === "string" ? id : undefined;
}

/** Discovery's list filters take several values (sent as repeated parameters). */
export const twoPublishers: DiscoveryQuery = { publisher: ["mistral", "deepseek"] };
