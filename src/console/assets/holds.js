// Holds: the list (status, kind, in effect), a proposal with its scope
// picker and live impact preview, and one hold with its decisions (four
// eyes: the proposer cannot approve) and its timeline.

import { h, replace, append, clear, fmtTime, fmtNumber, badge, problemBox, notice, loading, debounce, table, facts, pager, shortId, utcFromLocalInput, externalLink } from './dom.js';
import { api, get, modelPath } from './api.js';
import { HOLD_KINDS, HOLD_STATUSES, ROLES, actorName, enablementOperator, holdReason, scopeModels, scopePublishers, touchedRegion } from './contract.js';

export async function render(view, rest, ctx) {
  if (rest[0] === 'new') return renderPropose(view, ctx);
  if (rest[0]) return renderHold(view, rest[0], ctx);
  return renderList(view, ctx);
}

// ---------------------------------------------------------------- reference data

const cache = new Map();
/** A GET remembered for the page's life (publishers, regions, listings by id). */
export function cached(key, load) {
  if (!cache.has(key)) {
    const promise = load().catch((error) => { cache.delete(key); throw error; });
    cache.set(key, promise);
  }
  return cache.get(key);
}

async function allPages(path, query = {}) {
  const items = [];
  let cursor = null;
  for (let page = 0; page < 20; page += 1) {
    const data = await get(path, { ...query, cursor });
    items.push(...(data.items ?? []));
    cursor = data.next_cursor;
    if (!cursor) break;
  }
  return items;
}

export const publishers = () => cached('publishers', () => allPages('/v1/publishers'));
export const regions = () => cached('regions', () => allPages('/v1/regions'));
export const modelById = (id) => cached(`model:${id}`, () => get(modelPath(id)));

// ---------------------------------------------------------------- list

function scopeSummary(scope) {
  const what = [];
  const models = scopeModels(scope);
  if (models.length) what.push(`${models.length} model${models.length > 1 ? 's' : ''}`);
  if (scope.publishers?.length) what.push(`${scope.publishers.length} publisher${scope.publishers.length > 1 ? 's' : ''}`);
  if (scope.origin_countries?.length) what.push(`origin ${scope.origin_countries.join(', ')}`);
  if (scope.operators?.length) what.push(`operators ${scope.operators.join(', ')}`);
  if (scope.operator_countries?.length) what.push(`operator countries ${scope.operator_countries.join(', ')}`);
  const where = [];
  if (scope.regions?.length) where.push(`regions ${scope.regions.join(', ')}`);
  if (scope.jurisdictions?.length) where.push(`jurisdictions ${scope.jurisdictions.join(', ')}`);
  if (!where.length) where.push('everywhere');
  const whom = scope.tenants?.length ? `${scope.tenants.length} tenant(s)` : 'all tenants';
  return `${what.join('; ') || 'every model of its operators'} · ${where.join('; ')} · ${whom}`;
}

function statusBadge(hold) {
  return [badge(hold.status), hold.in_effect ? badge('in effect', 'effect') : null];
}

async function renderList(view, ctx) {
  const q = ctx.query;
  const canPropose = ctx.session.has(ROLES.officer);
  const status = select('filter-status', 'Status', ['', ...HOLD_STATUSES], q.get('status') ?? '', 'any');
  const kind = select('filter-kind', 'Kind', ['', ...HOLD_KINDS], q.get('kind') ?? '', 'any');
  const inEffect = select('filter-effect', 'In effect', ['', 'yes', 'no'], q.get('in_effect') ?? '', 'either');
  const form = h('form', { class: 'filters', 'aria-label': 'Filter holds' },
    status.wrap, kind.wrap, inEffect.wrap,
    h('button', { type: 'submit' }, 'Apply'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const params = new URLSearchParams();
    if (status.input.value) params.set('status', status.input.value);
    if (kind.input.value) params.set('kind', kind.input.value);
    if (inEffect.input.value) params.set('in_effect', inEffect.input.value);
    ctx.navigate(`#/holds${params.toString() ? `?${params}` : ''}`);
  });
  const results = h('div', { id: 'holds-results' });
  const effectFilter = q.get('in_effect');
  const pages = pager('Holds', async (cursor) => {
    replace(results, loading());
    try {
      const inEffectParam = effectFilter ? String(effectFilter === 'yes') : null;
      const data = await get('/v1/admin/holds', { status: q.get('status'), kind: q.get('kind'), in_effect: inEffectParam, limit: 25, cursor });
      if (!ctx.isCurrent()) return null;
      const items = data.items;
      replace(results,
        h('p', { class: 'count' }, `${fmtNumber(data.total)} hold(s) match the filters`),
        items.length
          ? table('Compliance holds', [
            ['Hold', (hold) => h('a', { href: `#/holds/${hold.id}` }, `${hold.kind} · ${shortId(hold.id)}`)],
            ['Status', statusBadge],
            ['Scope', (hold) => scopeSummary(hold.scope)],
            ['Proposed', (hold) => [hold.proposed_by, h('br'), h('small', {}, fmtTime(hold.proposed_at))]],
            ['Decided', (hold) => hold.approved_by ? `approved by ${hold.approved_by}` : hold.rejected_by ? `rejected by ${hold.rejected_by}` : '—'],
          ], items, { id: 'holds-table' })
          : notice('No holds match.'));
      return data.next_cursor;
    } catch (error) {
      replace(results, problemBox(error, 'Holds could not be listed'));
      return null;
    }
  });
  replace(view,
    h('div', { class: 'title-row' },
      h('h1', {}, 'Compliance holds'),
      canPropose ? h('a', { class: 'button', href: '#/holds/new' }, 'Propose a hold') : null),
    form,
    effectFilter ? h('p', { class: 'help' }, 'The API filters holds by status and kind; "in effect" is applied here, to each page it returns.') : null,
    results, pages.nav);
  await pages.show();
}

function select(id, label, values, current, anyLabel) {
  const input = h('select', { id, name: id }, values.map((value) => h('option', { value, selected: value === current }, value === '' ? anyLabel : value.replace(/_/g, ' '))));
  return { input, wrap: h('div', { class: 'field' }, h('label', { for: id }, label), input) };
}

// ---------------------------------------------------------------- scope picker

/**
 * A multi-value picker: a search box, its suggestions as buttons, and the
 * chosen values as removable chips. `search(text)` resolves to
 * `[{value, label, detail?}]`; `manual(text)` (optional) turns typed text
 * into a value when Enter is pressed without picking a suggestion.
 */
function picker({ id, label, help, search, manual, onChange }) {
  const chosen = new Map();
  const input = h('input', { id, type: 'search', autocomplete: 'off', 'aria-describedby': `${id}-help`, 'aria-controls': `${id}-results` });
  const results = h('ul', { id: `${id}-results`, class: 'suggestions', 'aria-label': `${label}: suggestions` });
  const chips = h('ul', { class: 'chips', 'aria-label': `${label}: chosen`, id: `${id}-chosen` });
  const status = h('span', { class: 'visually-hidden', 'aria-live': 'polite' });
  function draw() {
    replace(chips, [...chosen.values()].map((item) => h('li', { class: 'chip' }, item.label,
      h('button', { type: 'button', class: 'chip-remove', 'aria-label': `Remove ${item.label}`, onclick: () => { chosen.delete(item.value); draw(); onChange(); } }, '×'))));
  }
  function add(item) {
    chosen.set(item.value, item);
    draw();
    onChange();
    input.value = '';
    clear(results);
    input.focus();
  }
  let latest = 0;
  const run = debounce(async () => {
    const text = input.value.trim();
    const ticket = ++latest;
    if (!text) { clear(results); return; }
    try {
      const found = await search(text);
      if (ticket !== latest) return;
      replace(results, found.slice(0, 8).map((item) => h('li', {},
        h('button', { type: 'button', class: 'suggestion', onclick: () => add(item) }, item.label, item.detail ? h('small', {}, ` ${item.detail}`) : null))));
      status.textContent = `${found.length} suggestion(s)`;
      if (!found.length) append(results, h('li', { class: 'help' }, manual ? 'No match; press Enter to add it as typed.' : 'No match.'));
    } catch (error) {
      if (ticket === latest) replace(results, h('li', {}, problemBox(error, 'Search failed')));
    }
  }, 250);
  input.addEventListener('input', run);
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      const first = results.querySelector('button.suggestion');
      if (first) first.click();
      else if (manual && input.value.trim()) {
        const item = manual(input.value.trim());
        if (item) add(item);
      }
    } else if (event.key === 'ArrowDown') {
      const first = results.querySelector('button.suggestion');
      if (first) { event.preventDefault(); first.focus(); }
    }
  });
  results.addEventListener('keydown', (event) => {
    const buttons = [...results.querySelectorAll('button.suggestion')];
    const at = buttons.indexOf(document.activeElement);
    if (event.key === 'ArrowDown' && at >= 0 && at < buttons.length - 1) { event.preventDefault(); buttons[at + 1].focus(); }
    if (event.key === 'ArrowUp') { event.preventDefault(); (at > 0 ? buttons[at - 1] : input).focus(); }
    if (event.key === 'Escape') { clear(results); input.focus(); }
  });
  const element = h('div', { class: 'picker field' },
    h('label', { for: id }, label), input, h('p', { id: `${id}-help`, class: 'help' }, help), status, results, chips);
  return { element, values: () => [...chosen.keys()], add };
}

function matches(text, ...fields) {
  const needle = text.toLowerCase();
  return fields.some((field) => field && String(field).toLowerCase().includes(needle));
}

const COUNTRY = /^[A-Za-z]{2}$/;

// ---------------------------------------------------------------- propose

async function renderPropose(view, ctx) {
  const preview = h('div', { id: 'impact', 'aria-busy': 'false' });
  // Screen readers hear a one-line summary of each new preview, not its tables.
  const announce = h('p', { class: 'visually-hidden', 'aria-live': 'polite', id: 'impact-announce' });
  const refresh = debounce(() => updatePreview(), 400);
  const changed = () => refresh();

  const models = picker({
    id: 'scope-models', label: 'Models', help: 'Search listings by name or slug.',
    search: async (text) => {
      // A typed slug or id is looked up as well: full-text ranking may not put it first.
      const [exact, found] = await Promise.all([
        /^[\w.-]+\/[\w.:-]+$|^[0-9a-f-]{36}$/i.test(text) ? get(modelPath(text)).catch(() => null) : null,
        get('/v1/models', { q: text, limit: 8 }),
      ]);
      const models = exact ? [exact, ...found.items.filter((m) => m.id !== exact.id)] : found.items;
      return models.map((m) => ({ value: m.slug, label: m.slug, detail: `${m.publisher?.name ?? ''} · ${m.provenance?.origin_country ?? '?'}` }));
    },
    onChange: changed,
  });
  const publisherPicker = picker({
    id: 'scope-publishers', label: 'Publishers', help: 'Search publishers by name or slug.',
    search: async (text) => (await publishers()).filter((p) => matches(text, p.slug, p.name)).map((p) => ({ value: p.slug, label: p.slug, detail: `${p.name} · ${p.country ?? '?'} · ${p.listing_count} listings` })),
    onChange: changed,
  });
  const origins = picker({
    id: 'scope-origins', label: 'Origin countries', help: 'ISO 3166-1 alpha-2 (CN, US, …); suggestions are the origins in the catalog.',
    search: async (text) => originCountries().then((all) => all.filter((c) => matches(text, c.value)).map((c) => ({ value: c.value, label: c.value, detail: `${c.count} listings` }))),
    manual: (text) => (COUNTRY.test(text) ? { value: text.toUpperCase(), label: text.toUpperCase() } : null),
    onChange: changed,
  });
  const regionPicker = picker({
    id: 'scope-regions', label: 'Regions', help: 'Leave regions and jurisdictions empty to hold everywhere.',
    search: async (text) => (await regions()).filter((r) => matches(text, r.code, r.name, r.geography)).map((r) => ({ value: r.code, label: r.code, detail: `${r.name} · ${r.jurisdiction ?? '?'}` })),
    onChange: changed,
  });
  const jurisdictions = picker({
    id: 'scope-jurisdictions', label: 'Jurisdictions', help: 'Countries whose regions are covered (ISO 3166-1 alpha-2).',
    search: async (text) => {
      const byCountry = new Map();
      for (const r of await regions()) if (r.jurisdiction) byCountry.set(r.jurisdiction, [...(byCountry.get(r.jurisdiction) ?? []), r.code]);
      // An exact country code first, then countries with a matching region.
      const exact = (code) => (code.toLowerCase() === text.toLowerCase() ? 0 : 1);
      return [...byCountry.entries()].filter(([code, codes]) => matches(text, code, ...codes))
        .sort(([a], [b]) => exact(a) - exact(b) || a.localeCompare(b))
        .map(([code, codes]) => ({ value: code, label: code, detail: `${codes.length} region(s): ${codes.slice(0, 4).join(', ')}${codes.length > 4 ? '…' : ''}` }));
    },
    manual: (text) => (COUNTRY.test(text) ? { value: text.toUpperCase(), label: text.toUpperCase() } : null),
    onChange: changed,
  });
  const tenantNote = h('p', { class: 'help', id: 'scope-tenants-note' });
  const tenantPicker = picker({
    id: 'scope-tenants', label: 'Tenants', help: 'Leave empty to hold for every tenant.',
    search: async (text) => {
      try {
        const list = await cached('tenants', () => allPages('/v1/admin/tenants'));
        return list.filter((t) => matches(text, t.id, t.display_name)).map((t) => ({ value: t.id, label: t.display_name ?? t.id, detail: shortId(t.id) }));
      } catch (error) {
        if (error.status === 403) {
          tenantNote.textContent = 'Listing tenants needs the platform.admin or compliance.officer role; type a tenant id and press Enter.';
          return [];
        }
        throw error;
      }
    },
    manual: (text) => (/^[0-9a-f-]{36}$/i.test(text) ? { value: text.toLowerCase(), label: text.toLowerCase() } : null),
    onChange: changed,
  });
  const operators = picker({
    id: 'scope-operators', label: 'Operators (optional)', help: 'Hold only the offers these operators serve, named as offers name them; type a name and press Enter.',
    search: async () => [],
    manual: (text) => ({ value: text, label: text }),
    onChange: changed,
  });
  const operatorCountries = picker({
    id: 'scope-operator-countries', label: 'Operator countries (optional)', help: 'Hold only offers whose operator is headquartered here (ISO 3166-1 alpha-2); press Enter to add.',
    search: async () => [],
    manual: (text) => (COUNTRY.test(text) ? { value: text.toUpperCase(), label: text.toUpperCase() } : null),
    onChange: changed,
  });
  const derivatives = h('input', { type: 'checkbox', id: 'scope-derivatives', checked: true, onchange: changed });
  const effect = (id, label, help) => {
    const input = h('input', { type: 'checkbox', id, checked: true, onchange: changed });
    return { input, wrap: h('div', { class: 'check' }, input, h('label', { for: id }, label, h('small', {}, ` ${help}`))) };
  };
  const hide = effect('effect-hide', 'Hide from discovery', '(and 451 when asked for)');
  const blockNew = effect('effect-block', 'Block new enablements', '');
  const suspend = effect('effect-suspend', 'Suspend existing enablements', '(without it, existing users keep working)');
  const kind = select('hold-kind', 'Kind', HOLD_KINDS, 'export_control', '');
  const legal = h('textarea', { id: 'hold-legal', rows: '2', required: true });
  const publicNotice = h('textarea', { id: 'hold-notice', rows: '2', required: true });
  const noticeUrl = h('input', { id: 'hold-notice-url', type: 'url', placeholder: 'https://…' });
  const reason = h('input', { id: 'hold-reason', type: 'text' });
  const effectiveAt = h('input', { id: 'hold-effective', type: 'datetime-local' });
  const expiresAt = h('input', { id: 'hold-expires', type: 'datetime-local' });
  const outcome = h('div', { 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', id: 'propose-submit' }, 'Propose hold');

  function body() {
    return {
      kind: kind.input.value,
      legal_basis: legal.value.trim(),
      public_notice: publicNotice.value.trim(),
      public_notice_url: noticeUrl.value.trim() || null,
      reason: reason.value.trim() || null,
      effective_at: utcFromLocalInput(effectiveAt.value),
      expires_at: utcFromLocalInput(expiresAt.value),
      scope: {
        models: models.values(),
        publishers: publisherPicker.values(),
        origin_countries: origins.values(),
        include_derivatives: derivatives.checked,
        operators: operators.values(),
        operator_countries: operatorCountries.values(),
        regions: regionPicker.values(),
        jurisdictions: jurisdictions.values(),
        tenants: tenantPicker.values(),
      },
      effects: { hide: hide.input.checked, block_new: blockNew.input.checked, suspend_existing: suspend.input.checked },
    };
  }

  let inflight = null;
  async function updatePreview() {
    const { scope, effects } = body();
    if (!scope.models.length && !scope.publishers.length && !scope.origin_countries.length && !scope.operators.length && !scope.operator_countries.length) {
      replace(preview, notice('Choose at least one model, publisher, origin country, operator or operator country to see what the hold would reach.'));
      return;
    }
    inflight?.abort();
    const controller = new AbortController();
    inflight = controller;
    preview.setAttribute('aria-busy', 'true');
    try {
      const { data } = await api('/v1/admin/holds/impact', { method: 'POST', body: { scope, effects }, signal: controller.signal });
      replace(preview, impactReport(data, 'Impact if approved now'));
      announce.textContent = `Preview: ${data.listings_covered} listings, ${data.enablements_to_suspend} enablements to suspend, ${data.tenants_affected} tenants.`;
      // What the shown preview is of, for tests and for anyone inspecting it.
      preview.dataset.scope = JSON.stringify(scope);
    } catch (error) {
      if (error.name !== 'AbortError') replace(preview, problemBox(error, 'No preview'));
    } finally {
      if (inflight === controller) preview.setAttribute('aria-busy', 'false');
    }
  }

  const idempotencyKey = crypto.randomUUID();
  const form = h('form', { id: 'propose-form', class: 'propose', novalidate: false },
    h('div', { class: 'columns' },
      h('div', {},
        h('fieldset', {}, h('legend', {}, 'What is held'), models.element, publisherPicker.element, origins.element,
          h('div', { class: 'check' }, derivatives, h('label', { for: 'scope-derivatives' }, 'Include derivatives', h('small', {}, ' (fine-tunes, distillations, quantizations, merges at any depth)')))),
        h('details', { class: 'optional' }, h('summary', {}, 'Served by (optional: operators, operator countries)'),
          h('fieldset', {}, h('legend', {}, 'Served by'), operators.element, operatorCountries.element)),
        h('fieldset', {}, h('legend', {}, 'Where'), regionPicker.element, jurisdictions.element),
        h('fieldset', {}, h('legend', {}, 'For whom'), tenantPicker.element, tenantNote),
        h('fieldset', {}, h('legend', {}, 'Effects'), hide.wrap, blockNew.wrap, suspend.wrap),
        h('fieldset', {}, h('legend', {}, 'Grounds'), kind.wrap,
          h('div', { class: 'field' }, h('label', { for: 'hold-legal' }, 'Legal basis', h('small', {}, ' (internal, never shown to tenants)')), legal),
          h('div', { class: 'field' }, h('label', { for: 'hold-notice' }, 'Public notice', h('small', {}, ' (what tenants are told)')), publicNotice),
          h('div', { class: 'field' }, h('label', { for: 'hold-notice-url' }, 'Public notice URL (optional)'), noticeUrl),
          h('div', { class: 'field' }, h('label', { for: 'hold-reason' }, 'Reason for the proposal (optional)'), reason),
          h('div', { class: 'field-row' },
            h('div', { class: 'field' }, h('label', { for: 'hold-effective' }, 'Effective at (UTC, optional)'), effectiveAt),
            h('div', { class: 'field' }, h('label', { for: 'hold-expires' }, 'Expires at (UTC, optional)'), expiresAt))),
        submit, outcome),
      h('aside', { class: 'preview', 'aria-labelledby': 'impact-h' }, h('h2', { id: 'impact-h' }, 'Impact preview'), announce, preview)));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    replace(outcome, loading('Proposing…'));
    try {
      const { data } = await api('/v1/admin/holds', { method: 'POST', body: body(), headers: { 'Idempotency-Key': idempotencyKey } });
      ctx.navigate(`#/holds/${data.id}`);
    } catch (error) {
      replace(outcome, problemBox(error, 'The hold was not proposed'));
      submit.disabled = false;
    }
  });
  replace(view,
    h('p', { class: 'crumbs' }, h('a', { href: '#/holds' }, 'Holds'), ' / new'),
    h('h1', {}, 'Propose a compliance hold'),
    ctx.session.has(ROLES.officer) ? null : notice('Proposing needs the compliance.officer role; the server will refuse it for this token.', 'warn'),
    h('p', { class: 'help' }, 'A proposal changes nothing until a second compliance officer approves it. The preview updates as you change the scope.'),
    form);
  updatePreview();
}

async function originCountries() {
  return cached('origins', async () => (await get('/v1/models', { limit: 1 })).facets?.origin_country ?? []);
}

/** The impact of a scope: counts, then up to 100 listings and enablements. */
export function impactReport(data, heading) {
  return h('div', { class: 'impact' },
    h('h3', {}, heading),
    h('ul', { class: 'stats', id: 'impact-stats' },
      stat('Listings covered', data.listings_covered, 'impact-listings'),
      stat('of them through lineage', data.derivatives_covered, 'impact-derivatives'),
      stat('Enablements to suspend', data.enablements_to_suspend, 'impact-enablements'),
      stat('Tenants affected', data.tenants_affected, 'impact-tenants')),
    data.enablements.length
      ? table(`Enablements (${data.enablements.length} shown)`, [
        ['Tenant', (e) => h('a', { href: `#/tenants/${e.tenant_id}` }, shortId(e.tenant_id))],
        ['Model', (e) => modelLink(e.model_id)],
        ['Where', (e) => [touchedRegion(e), h('br'), h('small', {}, e.deployment_type)]],
        ['Operator', (e) => enablementOperator(e)?.name ?? '—'],
        ['Status', (e) => badge(e.status)],
      ], data.enablements, { class: 'compact' })
      : null,
    data.listings.length
      ? table(`Listings (${data.listings.length} shown)`, [
        ['Listing', (l) => h('a', { href: `#/catalog/${encodeURIComponent(l.slug)}` }, l.slug)],
        ['Regions', (l) => l.regions.join(', ')],
        ['Through', (l) => l.derived_from ?? '—'],
      ], data.listings, { class: 'compact' })
      : h('p', {}, 'No listing is covered.'));
}

function stat(label, value, id) {
  return h('li', { id }, h('span', { class: 'stat-value' }, fmtNumber(value)), h('span', { class: 'stat-label' }, label));
}

/** A link to a listing known by id or slug; a slug is filled in when readable. */
export function modelLink(id, slug) {
  const link = h('a', { href: `#/catalog/${encodeURIComponent(slug ?? id)}` }, slug ?? shortId(id));
  if (!slug && id) {
    modelById(id).then((model) => { link.textContent = model.slug; link.href = `#/catalog/${encodeURIComponent(model.slug)}`; }).catch(() => { link.textContent = id; });
  }
  return link;
}

// ---------------------------------------------------------------- one hold

async function renderHold(view, id, ctx) {
  replace(view, h('p', { class: 'crumbs' }, h('a', { href: '#/holds' }, 'Holds'), ` / ${shortId(id)}`), h('h1', {}, 'Hold'), loading());
  const { data: hold } = await api(`/v1/admin/holds/${encodeURIComponent(id)}`);
  if (!ctx.isCurrent()) return;
  const actions = h('section', { class: 'card', 'aria-labelledby': 'decide-h', id: 'decisions' });
  const impact = h('div', { id: 'hold-impact' }, loading());
  const timeline = h('div', { id: 'timeline' }, loading());
  replace(view,
    h('p', { class: 'crumbs' }, h('a', { href: '#/holds' }, 'Holds'), ` / ${shortId(hold.id)}`),
    h('div', { class: 'title-row' }, h('h1', {}, `Hold: ${hold.kind.replace(/_/g, ' ')}`), h('span', { id: 'hold-status' }, statusBadge(hold))),
    h('div', { class: 'columns' },
      h('div', {},
        h('section', { class: 'card', 'aria-labelledby': 'about-h' }, h('h2', { id: 'about-h' }, 'The hold'), facts([
          ['Id', h('code', {}, hold.id)],
          ['Status', [hold.status, hold.in_effect ? ' (in effect)' : ' (not in effect)']],
          ['Legal basis', hold.legal_basis],
          ['Public notice', [hold.public_notice, hold.public_notice_url ? [' ', externalLink(hold.public_notice_url)] : null]],
          ['Reason', holdReason(hold)],
          ['Effects', Object.entries(hold.effects).filter(([, on]) => on).map(([name]) => name.replace(/_/g, ' ')).join(', ') || 'none'],
          ['Effective at', hold.effective_at ? fmtTime(hold.effective_at) : 'on approval'],
          ['Expires at', hold.expires_at ? fmtTime(hold.expires_at) : 'never'],
          ['Proposed', `${hold.proposed_by}, ${fmtTime(hold.proposed_at)}`],
          hold.approved_by ? ['Approved', `${hold.approved_by}, ${fmtTime(hold.approved_at)}`] : null,
          hold.rejected_by ? ['Rejected', `${hold.rejected_by}, ${fmtTime(hold.rejected_at)}: ${hold.rejection_reason ?? ''}`] : null,
          hold.lifted_by ? ['Lifted', `${hold.lifted_by}, ${fmtTime(hold.lifted_at)}: ${hold.lift_reason ?? ''}`] : null,
          hold.expired_at ? ['Expired', fmtTime(hold.expired_at)] : null,
        ])),
        h('section', { class: 'card', 'aria-labelledby': 'scope-h' }, h('h2', { id: 'scope-h' }, 'Scope'), scopeFacts(hold.scope)),
        actions,
        h('section', { class: 'card', 'aria-labelledby': 'timeline-h' }, h('h2', { id: 'timeline-h' }, 'Timeline'), timeline)),
      h('aside', { class: 'preview', 'aria-labelledby': 'hold-impact-h' }, h('h2', { id: 'hold-impact-h' }, 'Impact'), impact)));
  drawActions(actions, hold, ctx);
  api(`/v1/admin/holds/${hold.id}/impact`).then(({ data }) => replace(impact, impactReport(data, hold.in_effect ? 'Covered now' : 'If approved now'),
    hold.in_effect ? h('p', { class: 'help' }, 'Enablements this hold already suspended are not counted again here; the tenants\' pages list them.') : null))
    .catch((error) => replace(impact, problemBox(error, 'No impact report')));
  drawTimeline(timeline, hold);
}

function scopeFacts(scope) {
  const list = (values, render = (v) => v) => (values?.length ? h('ul', { class: 'inline' }, values.map((v) => h('li', {}, render(v)))) : null);
  const publisherName = (p) => {
    const span = h('span', {}, p.slug ?? shortId(p.id));
    if (!p.slug) publishers().then((all) => { const found = all.find((x) => x.id === p.id); span.textContent = found ? found.slug : p.id; }).catch(() => { span.textContent = p.id; });
    return span;
  };
  return facts([
    ['Models', list(scopeModels(scope), (m) => modelLink(m.id, m.slug)) ?? '—'],
    ['Publishers', list(scopePublishers(scope), publisherName) ?? '—'],
    ['Origin countries', list(scope.origin_countries) ?? '—'],
    ['Derivatives', scope.include_derivatives ? 'included' : 'not included'],
    scope.operators?.length ? ['Operators', list(scope.operators)] : null,
    scope.operator_countries?.length ? ['Operator countries', list(scope.operator_countries)] : null,
    ['Regions', list(scope.regions) ?? (scope.jurisdictions?.length ? '—' : 'everywhere')],
    ['Jurisdictions', list(scope.jurisdictions) ?? '—'],
    ['Tenants', list(scope.tenants, (t) => h('a', { href: `#/tenants/${t}` }, shortId(t))) ?? 'every tenant'],
  ]);
}

function drawActions(section, hold, ctx) {
  const session = ctx.session;
  const officer = session.has(ROLES.officer);
  const isProposer = actorName(session) === hold.proposed_by;
  const outcome = h('div', { 'aria-live': 'polite', id: 'decision-outcome' });
  const reason = h('textarea', { id: 'decision-reason', rows: '2' });
  const children = [h('h2', { id: 'decide-h' }, 'Decision')];
  const whyNot = (text, id) => h('p', { class: 'why-not', id }, text);

  async function decide(action, button) {
    const text = reason.value.trim();
    if (action !== 'approve' && !text) {
      replace(outcome, notice(`A reason is required to ${action}.`, 'error'));
      reason.focus();
      return;
    }
    button.disabled = true;
    replace(outcome, loading());
    try {
      const { data } = await api(`/v1/admin/holds/${hold.id}/${action}`, {
        method: 'POST', headers: { 'If-Match': hold.etag }, body: text ? { reason: text } : undefined,
      });
      const changedCount = data.enablements_changed;
      const flash = {
        approve: `Approved: ${changedCount} enablement(s) suspended.`,
        reject: 'Rejected: the proposal is closed and nothing changed for tenants.',
        lift: `Lifted: ${changedCount} enablement(s) restored.`,
      }[action];
      sessionStorage.setItem('modelmart.console.flash', flash);
      ctx.navigate(`#/holds/${hold.id}?done=${Date.now()}`);
    } catch (error) {
      replace(outcome, problemBox(error, `Could not ${action}`),
        [409, 412].includes(error.status)
          ? h('button', { type: 'button', class: 'secondary small', id: 'reload-hold', onclick: () => ctx.navigate(`#/holds/${hold.id}?read=${Date.now()}`) }, 'Read the hold again')
          : null);
      button.disabled = false;
    }
  }

  const flash = sessionStorage.getItem('modelmart.console.flash');
  if (flash) {
    sessionStorage.removeItem('modelmart.console.flash');
    children.push(notice(flash, 'ok'));
  }
  if (!officer && (hold.status === 'proposed' || hold.status === 'active')) {
    children.push(h('p', { class: 'why-not', id: 'decide-why' },
      `Approving, rejecting and lifting holds needs the compliance.officer role; this token has ${session.roles.join(', ') || 'no roles'}.`));
  } else if (hold.status === 'proposed') {
    const approve = h('button', { type: 'button', id: 'approve' }, 'Approve');
    const reject = h('button', { type: 'button', id: 'reject', class: 'danger' }, 'Reject');
    approve.addEventListener('click', () => decide('approve', approve));
    reject.addEventListener('click', () => decide('reject', reject));
    let approveWhy = null;
    if (isProposer) {
      approve.disabled = true;
      approveWhy = whyNot(`You (${hold.proposed_by}) proposed this hold: another compliance officer must approve it (four-eyes rule). You may still reject, which withdraws it.`, 'approve-why');
    }
    if (approveWhy) approve.setAttribute('aria-describedby', 'approve-why');
    children.push(
      h('div', { class: 'field' }, h('label', { for: 'decision-reason' }, 'Reason', h('small', {}, ' (required to reject; optional to approve)')), reason),
      h('div', { class: 'actions' }, approve, reject), approveWhy);
  } else if (hold.status === 'active') {
    const lift = h('button', { type: 'button', id: 'lift', class: 'danger' }, 'Lift hold');
    lift.addEventListener('click', () => decide('lift', lift));
    children.push(
      h('div', { class: 'field' }, h('label', { for: 'decision-reason' }, 'Reason', h('small', {}, ' (required)')), reason),
      h('div', { class: 'actions' }, lift),
      h('p', { class: 'help' }, 'Lifting restores the enablements this hold suspended, unless another hold in effect still covers them.'));
  } else {
    children.push(h('p', {}, `This hold is ${hold.status}; no decision remains.`));
  }
  children.push(outcome);
  replace(section, ...children);
}

async function drawTimeline(container, hold) {
  try {
    const data = await get('/v1/admin/audit-events', { target_type: 'hold', target_id: hold.id, limit: 100 });
    // Suspensions and restorations are audited on each enablement; the API
    // cannot filter them by hold, so they are read since the hold's proposal
    // and matched here.
    const since = hold.proposed_at;
    const touched = await Promise.all(['enablement.suspended', 'enablement.restored'].map((action) =>
      get('/v1/admin/audit-events', { action, since, limit: 200 }).then((page) => page.items).catch(() => [])));
    const suspensions = touched.flat().filter((e) => e.after?.suspended_by_hold_id === hold.id || e.before?.suspended_by_hold_id === hold.id);
    const events = [...data.items, ...suspensions].sort((a, b) => a.seq - b.seq);
    replace(container,
      h('p', { class: 'help' }, 'From the audit log (hash-chained; see Audit for the chain check).'),
      h('ol', { class: 'timeline', id: 'timeline-events' }, events.map((e) => h('li', {},
        h('span', { class: 'when' }, fmtTime(e.occurred_at)), ' ',
        h('strong', {}, e.action), ` by ${e.actor}`,
        e.target_type !== 'hold' ? ` (${e.target_type} ${shortId(e.target_id)})` : '',
        e.reason ? h('span', { class: 'reason' }, ` — ${e.reason}`) : null,
        ' ', h('small', {}, `#${e.seq}`)))));
  } catch (error) {
    if (error.status !== 403) {
      replace(container, problemBox(error, 'No timeline'));
      return;
    }
    // The audit log is the auditor's; an officer sees the hold's own record.
    const steps = [
      ['proposed', hold.proposed_by, hold.proposed_at, holdReason(hold)],
      ['approved', hold.approved_by, hold.approved_at, null],
      ['activated', null, hold.activated_at, null],
      ['rejected', hold.rejected_by, hold.rejected_at, hold.rejection_reason],
      ['lifted', hold.lifted_by, hold.lifted_at, hold.lift_reason],
      ['expired', null, hold.expired_at, null],
    ].filter(([, , at]) => at).sort((a, b) => new Date(a[2]) - new Date(b[2]));
    replace(container,
      h('p', { class: 'help' }, 'The audit log is readable with the auditor role only; this timeline is the hold\'s own record.'),
      h('ol', { class: 'timeline', id: 'timeline-events' }, steps.map(([what, who, at, why]) => h('li', {},
        h('span', { class: 'when' }, fmtTime(at)), ' ', h('strong', {}, `hold.${what}`), who ? ` by ${who}` : '', why ? h('span', { class: 'reason' }, ` — ${why}`) : null))));
  }
}
