// Catalog: discovery with the API's facets, and one listing with its
// offers, prices (current, scheduled, and as of a past date), lineage,
// lifecycle and the holds that cover it.

import { h, replace, fmtTime, fmtNumber, badge, problemBox, notice, loading, table, facts, pager, shortId, externalLink } from './dom.js';
import { get, modelPath } from './api.js';
import { DISCOVERY, FACETS, ROLES, scopeModels, scopePublishers } from './contract.js';
import { publishers } from './holds.js';

export async function render(view, rest, ctx) {
  if (rest.length) return renderListing(view, rest.join('/'), ctx);
  return renderSearch(view, ctx);
}

const SORTS = ['', 'name', 'release_date', '-release_date', 'context_window', '-context_window', 'input_price', 'output_price'];

async function renderSearch(view, ctx) {
  const q = ctx.query;
  const tenant = Boolean(ctx.session.tenantId);
  const text = h('input', { id: 'catalog-q', type: 'search', name: 'q', value: q.get('q') ?? '', maxlength: '200' });
  const sort = h('select', { id: 'catalog-sort', name: 'sort' }, SORTS.map((s) => h('option', { value: s, selected: s === (q.get('sort') ?? '') }, s ? s.replace('-', 'descending ').replace(/_/g, ' ') : 'default (relevance or name)')));
  const maxIn = h('input', { id: 'catalog-max-in', inputmode: 'decimal', value: q.get(DISCOVERY.maxInputPrice) ?? '', pattern: '[0-9]+(\\.[0-9]+)?', size: '8' });
  const maxOut = h('input', { id: 'catalog-max-out', inputmode: 'decimal', value: q.get(DISCOVERY.maxOutputPrice) ?? '', pattern: '[0-9]+(\\.[0-9]+)?', size: '8' });
  const minContext = h('input', { id: 'catalog-min-context', type: 'number', min: '0', step: '1000', value: q.get(DISCOVERY.minContext) ?? '' });
  const unavailable = tenant ? h('input', { type: 'checkbox', id: 'catalog-unavailable', checked: q.get('include_unavailable') === 'true' }) : null;
  const facetsBox = h('div', { class: 'facets', id: 'facets' });
  const results = h('div', { id: 'catalog-results' });

  function submit(event) {
    event?.preventDefault();
    const params = new URLSearchParams();
    if (text.value.trim()) params.set('q', text.value.trim());
    if (sort.value) params.set('sort', sort.value);
    if (maxIn.value.trim()) params.set(DISCOVERY.maxInputPrice, maxIn.value.trim());
    if (maxOut.value.trim()) params.set(DISCOVERY.maxOutputPrice, maxOut.value.trim());
    if (minContext.value) params.set(DISCOVERY.minContext, minContext.value);
    if (unavailable?.checked) params.set('include_unavailable', 'true');
    for (const box of facetsBox.querySelectorAll('input[type=checkbox]:checked')) params.append(box.name, box.value);
    ctx.navigate(`#/catalog?${params}`);
  }
  const form = h('form', { class: 'catalog-search', role: 'search', 'aria-label': 'Search the catalog', onsubmit: submit },
    h('div', { class: 'filters' },
      h('div', { class: 'field grow' }, h('label', { for: 'catalog-q' }, 'Search'), text),
      h('div', { class: 'field' }, h('label', { for: 'catalog-sort' }, 'Sort'), sort),
      h('div', { class: 'field' }, h('label', { for: 'catalog-max-in' }, 'Max input $/1M'), maxIn),
      h('div', { class: 'field' }, h('label', { for: 'catalog-max-out' }, 'Max output $/1M'), maxOut),
      h('div', { class: 'field' }, h('label', { for: 'catalog-min-context' }, 'Min context'), minContext),
      unavailable ? h('div', { class: 'check' }, unavailable, h('label', { for: 'catalog-unavailable' }, 'Include what this tenant cannot enable')) : null,
      h('button', { type: 'submit' }, 'Search')),
    h('div', { class: 'catalog-body' }, facetsBox, results));

  const query = {};
  for (const key of new Set(q.keys())) query[key] = q.getAll(key);
  let facetsDrawn = false;
  const pages = pager('Listings', async (cursor) => {
    replace(results, loading());
    try {
      const page = await get('/v1/models', { ...query, limit: 25, cursor });
      if (!ctx.isCurrent()) return null;
      if (!facetsDrawn) { drawFacets(facetsBox, page.facets ?? {}, q, submit); facetsDrawn = true; }
      replace(results,
        h('p', { class: 'count', id: 'catalog-count' }, `${fmtNumber(page.total)} listing(s)`),
        page.items.length ? table('Listings', [
          ['Listing', (m) => [h('a', { href: `#/catalog/${encodeURIComponent(m.slug)}` }, m.name), h('br'), h('small', {}, m.slug)]],
          ['Publisher', (m) => m.publisher?.name],
          ['Task', (m) => m.task],
          ['Origin', (m) => m.provenance?.origin_country ?? '—'],
          ['Lifecycle', (m) => badge(m.lifecycle?.status ?? '?')],
          ['Context', (m) => fmtNumber(m.context_window)],
          ['From $/1M in · out', (m) => `${m.pricing?.min_input_price_per_mtok ?? '—'} · ${m.pricing?.min_output_price_per_mtok ?? '—'}`],
          tenant ? ['Enableable', (m) => availability(m.availability)] : null,
        ].filter(Boolean), page.items, { id: 'catalog-table' }) : notice('No listing matches.'));
      return page.next_cursor;
    } catch (error) {
      replace(results, problemBox(error, 'The catalog could not be searched'));
      return null;
    }
  });
  replace(view, h('h1', {}, 'Catalog'), form, pages.nav);
  await pages.show();
}

function availability(decision) {
  if (!decision) return '—';
  if (decision.enableable) return badge('yes', 'active');
  return h('span', {}, badge('no', 'suspended'), ' ', decision.reasons.map((r) => r.code).join(', '));
}

function drawFacets(box, facets, q, submit) {
  const groups = FACETS.filter(([facet]) => facets[facet]?.length).map(([facet, param, label]) => {
    const chosen = new Set(q.getAll(param).flatMap((v) => v.split(',')));
    const values = facets[facet];
    const shown = values.filter((v, i) => i < 8 || chosen.has(v.value));
    return h('fieldset', { class: 'facet' }, h('legend', {}, label),
      shown.map((v) => facetCheck(param, v, chosen, submit)),
      values.length > shown.length
        ? h('button', { type: 'button', class: 'link', onclick: (event) => showAll(event.target, param, values, chosen, submit) }, `Show ${values.length - shown.length} more`)
        : null);
  });
  replace(box, h('h2', { class: 'visually-hidden' }, 'Facets'), groups);
}

function facetCheck(param, v, chosen, submit) {
  const id = `facet-${param}-${v.value}`.replace(/[^A-Za-z0-9_-]/g, '_');
  return h('div', { class: 'check' },
    h('input', { type: 'checkbox', id, name: param, value: v.value, checked: chosen.has(v.value), onchange: () => submit() }),
    h('label', { for: id }, v.value, h('small', {}, ` ${fmtNumber(v.count)}`)));
}

function showAll(button, param, values, chosen, submit) {
  const fieldset = button.closest('fieldset');
  for (const old of fieldset.querySelectorAll('.check')) old.remove();
  const checks = values.map((v) => facetCheck(param, v, chosen, submit));
  button.replaceWith(...checks);
  checks[0]?.querySelector('input')?.focus();
}

// ---------------------------------------------------------------- one listing

async function renderListing(view, idOrSlug, ctx) {
  replace(view, h('p', { class: 'crumbs' }, h('a', { href: '#/catalog' }, 'Catalog'), ` / ${idOrSlug}`), h('h1', {}, idOrSlug), loading());
  const model = await get(modelPath(idOrSlug));
  if (!ctx.isCurrent()) return;
  const offers = h('div', { id: 'offers' }, loading());
  const derivatives = h('div', { id: 'derivatives' });
  const holdsBox = h('div', { id: 'covering-holds' }, loading());
  const atInput = h('input', { id: 'offers-at', type: 'date' });
  const lc = model.lifecycle ?? {};
  const pv = model.provenance ?? {};
  replace(view,
    h('p', { class: 'crumbs' }, h('a', { href: '#/catalog' }, 'Catalog'), ` / ${model.slug}`),
    h('div', { class: 'title-row' }, h('h1', {}, model.name), badge(lc.status ?? '?')),
    model.availability ? h('div', { class: 'card' }, h('h2', {}, 'For this tenant'), model.availability.enableable ? notice('This tenant may enable it.', 'ok') : reasonsList(model.availability.reasons)) : null,
    h('div', { class: 'columns' },
      h('div', {},
        h('section', { class: 'card', 'aria-labelledby': 'listing-h' }, h('h2', { id: 'listing-h' }, 'Listing'), facts([
          ['Slug', h('code', {}, model.slug)],
          ['Publisher', `${model.publisher?.name ?? ''} (${model.publisher?.slug ?? ''}, ${model.publisher?.country ?? '?'})`],
          ['Task', model.task],
          ['Modalities', `${model.input_modalities.join(', ')} → ${model.output_modalities.join(', ')}`],
          ['Capabilities', model.capabilities.join(', ') || '—'],
          ['Context window', fmtNumber(model.context_window)],
          ['Max output tokens', fmtNumber(model.max_output_tokens)],
          ['License', `${model.license}${model.open_weights ? ' (open weights)' : ''}`],
          ['Tags', model.tags.join(', ') || '—'],
          ['Description', model.description || '—'],
        ])),
        h('section', { class: 'card', 'aria-labelledby': 'lineage-h' }, h('h2', { id: 'lineage-h' }, 'Provenance and lineage'), facts([
          ['Origin country', pv.origin_country ?? 'unknown'],
          ['Lineage', pv.lineage],
          ['Base model', pv.base_model ? h('a', { href: `#/catalog/${encodeURIComponent(pv.base_model.slug)}` }, pv.base_model.slug) : '—'],
          ['Release date', pv.release_date ?? '—'],
          ['Model card', externalLink(pv.model_card_url)],
          ['Weights digest', pv.weights_digest ? h('code', {}, pv.weights_digest) : '—'],
        ]), h('h3', {}, 'Derivatives'), derivatives),
        h('section', { class: 'card', 'aria-labelledby': 'lifecycle-h' }, h('h2', { id: 'lifecycle-h' }, 'Lifecycle'), facts([
          ['Status', lc.status],
          ['Deprecation date', lc.deprecation_date ?? '—'],
          ['Retirement date', lc.retirement_date ?? '—'],
          ['Successor', lc.successor ? h('a', { href: `#/catalog/${encodeURIComponent(lc.successor.slug)}` }, lc.successor.slug) : '—'],
        ]))),
      h('aside', { class: 'preview', 'aria-labelledby': 'holds-h' }, h('h2', { id: 'holds-h' }, 'Holds covering it'), holdsBox)),
    h('section', { class: 'card', 'aria-labelledby': 'offers-h' },
      h('div', { class: 'title-row' }, h('h2', { id: 'offers-h' }, 'Offers and prices'),
        h('form', { class: 'inline-form', onsubmit: (e) => { e.preventDefault(); drawOffers(offers, model, atInput.value); } },
          h('label', { for: 'offers-at' }, 'Prices as of'), atInput, h('button', { type: 'submit', class: 'secondary small' }, 'Show'))),
      offers));
  drawOffers(offers, model, '');
  drawDerivatives(derivatives, model, ctx);
  drawCoveringHolds(holdsBox, model, ctx);
}

function reasonsList(reasons) {
  return h('ul', { class: 'reasons' }, reasons.map((r) => h('li', {}, h('code', {}, r.code), ` ${r.message}`, r.hold_id ? [' ', h('a', { href: `#/holds/${r.hold_id}` }, `hold ${shortId(r.hold_id)}`)] : null)));
}

function priceText(p) {
  const tier = p.tier ? ` above ${fmtNumber(p.tier.min_context_tokens)} ctx` : '';
  return `${p.dimension.replace(/_/g, ' ')}${tier}: ${p.amount} ${p.currency} / ${p.unit.replace(/_/g, ' ')}`;
}

async function drawOffers(box, model, date) {
  replace(box, loading());
  try {
    const page = await get(`${modelPath(model.id)}/offers`, { at: date ? `${date}T00:00:00Z` : undefined });
    replace(box,
      date ? h('p', { class: 'help' }, `Prices in effect at ${date} 00:00 UTC (from the price history).`) : null,
      page.items.length ? table(`Offers (${page.items.length})`, [
        ['Region', (o) => o.region],
        ['Deployment', (o) => `${o.deployment_type} · ${o.processing_scope}`],
        ['Operator', (o) => `${o.operator.name} (${o.operator.country ?? '?'})`],
        ['Status', (o) => badge(o.status)],
        ['Prices', (o) => h('ul', { class: 'prices' }, o.prices.map((p) => h('li', {}, priceText(p), h('small', {}, ` since ${fmtTime(p.effective_from)}`))))],
        ['Scheduled', (o) => (o.scheduled_prices?.length ? h('ul', { class: 'prices' }, o.scheduled_prices.map((p) => h('li', {}, priceText(p), h('small', {}, ` from ${fmtTime(p.effective_from)}`)))) : '—')],
        model.availability ? ['Enableable', (o) => availability(o.availability)] : null,
      ].filter(Boolean), page.items, { id: 'offers-table', class: 'compact' }) : notice('No offers.'));
  } catch (error) {
    replace(box, problemBox(error, 'Offers could not be read'));
  }
}

function drawDerivatives(box, model, ctx) {
  const list = h('div', {});
  const pages = pager('Derivatives', async (cursor) => {
    try {
      const page = await get(`${modelPath(model.id)}/derivatives`, { limit: 10, cursor });
      if (!ctx.isCurrent()) return null;
      replace(list, page.items.length
        ? h('ul', {}, page.items.map((d) => h('li', {}, h('a', { href: `#/catalog/${encodeURIComponent(d.slug)}` }, d.slug), ` · ${d.provenance?.lineage ?? ''} of ${d.provenance?.base_model?.slug ?? '?'}`)))
        : h('p', {}, 'No derivatives in the catalog.'));
      return page.next_cursor;
    } catch (error) {
      replace(list, problemBox(error, 'Derivatives could not be read'));
      return null;
    }
  });
  replace(box, list, pages.nav);
  pages.show();
}

/**
 * The API has no "holds covering this listing" query: for staff, the
 * proposed and active holds are read and matched here against the listing,
 * its publisher, origin, operators and (with include_derivatives) its
 * ancestors. Tenants see the authoritative answer in availability reasons.
 */
async function drawCoveringHolds(box, model, ctx) {
  const session = ctx.session;
  if (session.tenantId) {
    const holdReasons = (model.availability?.reasons ?? []).filter((r) => r.hold_id);
    replace(box, holdReasons.length ? reasonsList(holdReasons) : h('p', {}, 'No hold refuses it to this tenant.'));
    return;
  }
  if (![ROLES.officer, ROLES.auditor, ROLES.platformAdmin].some((role) => session.has(role))) {
    replace(box, h('p', { class: 'help' }, 'Reading holds needs the compliance.officer, auditor or platform.admin role.'));
    return;
  }
  try {
    const ancestors = [];
    let base = model.provenance?.base_model;
    for (let depth = 0; base && depth < 10; depth += 1) {
      const parent = await get(modelPath(base.id));
      ancestors.push(parent);
      base = parent.provenance?.base_model;
    }
    const [offers, pubs] = await Promise.all([get(`${modelPath(model.id)}/offers`), publishers().catch(() => [])]);
    const publisherId = (slug) => pubs.find((p) => p.slug === slug)?.id;
    const holds = [];
    for (const status of ['active', 'proposed']) {
      let cursor = null;
      for (let page = 0; page < 10; page += 1) {
        const data = await get('/v1/admin/holds', { status, limit: 200, cursor });
        holds.push(...data.items);
        cursor = data.next_cursor;
        if (!cursor) break;
      }
    }
    const covering = holds.map((hold) => ({ hold, why: coverage(hold.scope, model, ancestors, offers.items, publisherId) })).filter((x) => x.why);
    replace(box,
      covering.length ? h('ul', { class: 'covering' }, covering.map(({ hold, why }) => h('li', {},
        h('a', { href: `#/holds/${hold.id}` }, `${hold.kind.replace(/_/g, ' ')} ${shortId(hold.id)}`), ' ', badge(hold.status), hold.in_effect ? badge('in effect', 'effect') : null,
        h('br'), h('small', {}, why)))) : h('p', {}, 'No proposed or active hold names it.'),
      h('p', { class: 'help' }, 'Matched here against the listing, its publisher, origin, operators and ancestors; the hold\'s regions, jurisdictions and tenants then limit where and for whom.'));
  } catch (error) {
    replace(box, problemBox(error, 'Holds could not be read'));
  }
}

function coverage(scope, model, ancestors, offers, publisherId) {
  const lineage = scope.include_derivatives ? [model, ...ancestors] : [model];
  const reasons = [];
  const modelIds = new Set(scopeModels(scope).map((m) => m.id).filter(Boolean));
  const names = new Set(scopeModels(scope).map((m) => m.slug).filter(Boolean));
  const publisherIds = new Set(scopePublishers(scope).map((p) => p.id).filter(Boolean));
  const publisherSlugs = new Set(scopePublishers(scope).map((p) => p.slug).filter(Boolean));
  const what = scopeModels(scope).length || scope.publishers?.length || scope.origin_countries?.length;
  for (const m of lineage) {
    const via = m === model ? '' : ` (through ${m.slug})`;
    if (modelIds.has(m.id) || names.has(m.slug)) reasons.push(`names the model${via}`);
    if (publisherSlugs.has(m.publisher?.slug) || publisherIds.has(publisherId(m.publisher?.slug))) reasons.push(`names publisher ${m.publisher.slug}${via}`);
    if (m.provenance?.origin_country && scope.origin_countries?.includes(m.provenance.origin_country)) reasons.push(`origin ${m.provenance.origin_country}${via}`);
  }
  if (what && !reasons.length) return null;
  const served = offers.filter((o) => (!scope.operators?.length || scope.operators.includes(o.operator.name))
    && (!scope.operator_countries?.length || scope.operator_countries.includes(o.operator.country)));
  if (!served.length) return null;
  if (scope.operators?.length || scope.operator_countries?.length) reasons.push(`served by ${[...new Set(served.map((o) => o.operator.name))].join(', ')}`);
  const where = [scope.regions?.length ? `regions ${scope.regions.join(', ')}` : null, scope.jurisdictions?.length ? `jurisdictions ${scope.jurisdictions.join(', ')}` : null].filter(Boolean).join('; ') || 'everywhere';
  return `${reasons.join('; ')} · ${where} · ${scope.tenants?.length ? `${scope.tenants.length} tenant(s)` : 'all tenants'}`;
}
