// The API's field and parameter names the console relies on, in one place.
// Where the API is renaming a field (issue #14, "one spelling per concept"),
// the readers below accept both spellings, the new one first, so the console
// works before and after the rename lands; the writers use the constants.

/** Discovery query parameters for the price ceilings (USD per 1M tokens). */
export const DISCOVERY = {
  maxInputPrice: 'max_input_price',
  maxOutputPrice: 'max_output_price',
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

/** A hold scope's models as `{id, slug}`; before #14 they are bare ids (slug null). */
export function scopeModels(scope) {
  return (scope?.models ?? []).map((m) => (typeof m === 'string' ? { id: m, slug: null } : { id: m.id, slug: m.slug ?? null }));
}

/** A scope's publishers as `{id, slug}` (bare ids today). */
export function scopePublishers(scope) {
  return (scope?.publishers ?? []).map((p) => (typeof p === 'string' ? { id: p, slug: null } : { id: p.id, slug: p.slug ?? null }));
}

/** The region of an enablement a hold touched (`region_code` in older answers). */
export function touchedRegion(enablement) {
  return enablement.region ?? enablement.region_code ?? '';
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
