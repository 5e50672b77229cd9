// The API's field and parameter names the console relies on, in one place.
// Where the API is renaming a field (issue #14, "one spelling per concept"),
// the readers below accept both spellings, the new one first, so the console
// works before and after the rename lands; the writers use the constants.

/** Discovery query parameters: price ceilings (USD per 1M tokens) and the context floor. */
export const DISCOVERY = {
  maxInputPrice: 'max_input_price_per_mtok',
  maxOutputPrice: 'max_output_price_per_mtok',
  minContext: 'min_context_window',
};

/** The discovery facets the console offers, in order, with their query parameter. */
export const FACETS = [
  ['publisher', 'publisher', 'Publisher'],
  ['task', 'task', 'Task'],
  ['origin_country', 'origin_country', 'Origin country'],
  ['region', 'region', 'Region'],
  ['license', 'license', 'License'],
  ['capability', 'capability', 'Capability'],
  ['input_modality', 'input_modality', 'Input modality'],
  ['output_modality', 'output_modality', 'Output modality'],
  ['deployment_type', 'deployment_type', 'Deployment type'],
  ['lifecycle', 'lifecycle', 'Lifecycle'],
];

export const HOLD_STATUSES = ['proposed', 'active', 'lifted', 'rejected', 'expired'];
export const HOLD_KINDS = ['export_control', 'sanctions', 'legal', 'security', 'ip_dispute', 'license'];
export const ENABLEMENT_STATUSES = ['active', 'suspended', 'disabled'];

/** The officer's reason given with a proposal (`proposal_reason` before #14). */
export function holdReason(hold) {
  return hold.reason ?? hold.proposal_reason ?? null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One name of a listing or publisher as `{id, slug}`, whichever the API gave (the other null). */
function identity(value) {
  if (typeof value !== 'string') return { id: value?.id ?? null, slug: value?.slug ?? null };
  return UUID.test(value) ? { id: value, slug: null } : { id: null, slug: value };
}

/**
 * A hold scope's models as `{id, slug}`: slugs since #14 (as a proposal
 * names them), bare ids before it; `{id, slug}` objects are read too.
 */
export function scopeModels(scope) {
  return (scope?.models ?? []).map(identity);
}

/** A scope's publishers as `{id, slug}` (slugs since #14, ids before). */
export function scopePublishers(scope) {
  return (scope?.publishers ?? []).map(identity);
}

/** The region of an enablement a hold touched (`region_code` in older answers). */
export function touchedRegion(enablement) {
  return enablement.region ?? enablement.region_code ?? '';
}

/** Who serves an enablement: `operator {name, country}` (`operator_name` before #14), or null. */
export function enablementOperator(enablement) {
  if (enablement.operator) return enablement.operator;
  return enablement.operator_name ? { name: enablement.operator_name, country: null } : null;
}

/** A recommendation's model as `{id, slug}` (`model_id` before #14). */
export function recommendationModel(item) {
  return item.model ?? { id: item.model_id, slug: null };
}

export const ROLES = {
  officer: 'compliance.officer',
  auditor: 'auditor',
  platformAdmin: 'platform.admin',
  catalogAdmin: 'catalog.admin',
  reader: 'catalog.reader',
  tenantAdmin: 'tenant.admin',
};

/**
 * How the API names the signed-in principal as an actor (`proposed_by`,
 * `approved_by`, audit `actor`): `platform:<sub>` for staff,
 * `tenant:<tid>:<sub>` for a tenant's users.
 */
export function actorName(session) {
  if (!session?.subject) return null;
  return session.tenantId ? `tenant:${session.tenantId}:${session.subject}` : `platform:${session.subject}`;
}
