// Tenants (platform staff): the tenant list, and one tenant's policy,
// enablements (with the hold that suspended each) and, for the tenant's own
// principals, what it can and cannot enable with the reasons.

import { h, replace, fmtTime, fmtNumber, badge, problemBox, notice, loading, table, facts, pager, shortId } from './dom.js';
import { get, api } from './api.js';
import { ENABLEMENT_STATUSES, ROLES } from './contract.js';
import { modelLink } from './holds.js';

export async function render(view, rest, ctx) {
  if (rest[0]) return renderTenant(view, rest[0], ctx);
  if (ctx.session.tenantId && !ctx.session.has(ROLES.platformAdmin)) return renderTenant(view, ctx.session.tenantId, ctx);
  return renderList(view, ctx);
}

async function renderList(view, ctx) {
  const results = h('div', { id: 'tenants-results' });
  const pages = pager('Tenants', async (cursor) => {
    replace(results, loading());
    try {
      const page = await get('/v1/admin/tenants', { limit: 25, cursor });
      if (!ctx.isCurrent()) return null;
      replace(results,
        h('p', { class: 'count' }, `${fmtNumber(page.total)} tenant(s)`),
        table('Tenants', [
          ['Tenant', (t) => h('a', { href: `#/tenants/${t.id}` }, t.display_name ?? t.id)],
          ['Id', (t) => h('code', {}, t.id)],
          ['Live enablements', (t) => fmtNumber(t.live_enablements)],
          ['Suspended', (t) => (t.suspended_enablements ? badge(String(t.suspended_enablements), 'suspended') : '0')],
          ['Since', (t) => fmtTime(t.created_at)],
        ], page.items, { id: 'tenants-table' }));
      return page.next_cursor;
    } catch (error) {
      replace(results, problemBox(error, 'Tenants could not be listed'),
        error.status === 403 ? h('p', { class: 'help' }, 'Listing tenants needs the platform.admin or compliance.officer role. A tenant\'s own token opens its own view.') : null);
      return null;
    }
  });
  replace(view, h('h1', {}, 'Tenants'), results, pages.nav);
  await pages.show();
}

async function renderTenant(view, tid, ctx) {
  const session = ctx.session;
  const title = h('h1', {}, `Tenant ${shortId(tid)}`);
  const header = h('div', { id: 'tenant-summary' });
  const policy = h('div', { id: 'tenant-policy' }, loading());
  const enablements = h('div', { id: 'tenant-enablements' });
  const enableable = h('div', { id: 'tenant-enableable' });
  const statusFilter = h('select', { id: 'enablement-status' }, ['', ...ENABLEMENT_STATUSES].map((s) => h('option', { value: s, selected: s === (ctx.query.get('status') ?? '') }, s || 'any')));
  statusFilter.addEventListener('change', () => ctx.navigate(`#/tenants/${tid}${statusFilter.value ? `?status=${statusFilter.value}` : ''}`));
  replace(view,
    session.has(ROLES.platformAdmin) ? h('p', { class: 'crumbs' }, h('a', { href: '#/tenants' }, 'Tenants'), ` / ${shortId(tid)}`) : null,
    title, header,
    h('div', { class: 'columns' },
      h('div', {},
        h('section', { class: 'card', 'aria-labelledby': 'enablements-h' },
          h('div', { class: 'title-row' }, h('h2', { id: 'enablements-h' }, 'Enablements'),
            h('div', { class: 'inline-form' }, h('label', { for: 'enablement-status' }, 'Status'), statusFilter)),
          enablements),
        h('section', { class: 'card', 'aria-labelledby': 'enableable-h' }, h('h2', { id: 'enableable-h' }, 'What it can and cannot enable'), enableable)),
      h('aside', { class: 'preview', 'aria-labelledby': 'policy-h' }, h('h2', { id: 'policy-h' }, 'Policy'), policy)));

  get(`/v1/admin/tenants/${encodeURIComponent(tid)}`).then((t) => {
    title.textContent = `Tenant: ${t.display_name ?? t.id}`;
    replace(header, facts([
      ['Id', h('code', {}, t.id)],
      ['Provisioned by', `${t.provisioned_by}, ${fmtTime(t.created_at)}`],
      ['Enablements', `${fmtNumber(t.live_enablements)} live, ${fmtNumber(t.suspended_enablements)} suspended`],
    ]));
  }).catch(() => replace(header, facts([['Id', h('code', {}, tid)]])));

  get(`/v1/tenants/${encodeURIComponent(tid)}/policy`).then((p) => replace(policy, facts([
    ['Allowed regions', p.allowed_regions ? p.allowed_regions.join(', ') || 'none' : 'any'],
    ['Denied origin countries', p.denied_origin_countries.join(', ') || 'none'],
    ['Denied operator countries', p.denied_operator_countries.join(', ') || 'none'],
    ['Unknown operator country', p.deny_unknown_operator_country ? 'denied' : 'allowed'],
    ['Denied publishers', p.denied_publishers.join(', ') || 'none'],
    ['Allowed licenses', p.allowed_licenses ? p.allowed_licenses.join(', ') || 'none' : 'any'],
    ['Max input price / 1M', p.max_input_price_per_mtok ? `${p.max_input_price_per_mtok} ${p.currency}` : 'none'],
    ['Max output price / 1M', p.max_output_price_per_mtok ? `${p.max_output_price_per_mtok} ${p.currency}` : 'none'],
    ['GA only', p.ga_only ? 'yes' : 'no'],
    ['Updated', `${p.updated_by}, ${fmtTime(p.updated_at)}`],
  ]))).catch((error) => replace(policy, problemBox(error, 'The policy could not be read')));

  const pages = pager('Enablements', async (cursor) => {
    replace(enablements, loading());
    try {
      const page = await get(`/v1/tenants/${encodeURIComponent(tid)}/enablements`, { status: ctx.query.get('status'), limit: 25, cursor });
      if (!ctx.isCurrent()) return null;
      replace(enablements,
        h('p', { class: 'count' }, `${fmtNumber(page.total)} enablement(s)`),
        page.items.length ? table('Enablements', [
          ['Model', (e) => modelLink(e.model_id)],
          ['Region', (e) => e.region],
          ['Deployment', (e) => e.deployment_type],
          ['Operator', (e) => (e.operator ? e.operator.name : '—')],
          ['Status', (e) => [badge(e.status), e.suspended_by_hold_id ? [' by ', h('a', { href: `#/holds/${e.suspended_by_hold_id}` }, `hold ${shortId(e.suspended_by_hold_id)}`)] : null]],
          ['Enabled', (e) => [ownActor(e.created_by, tid), h('br'), h('small', {}, fmtTime(e.created_at))]],
          ['Changed', (e) => [ownActor(e.updated_by, tid), h('br'), h('small', {}, fmtTime(e.updated_at))]],
        ], page.items, { id: 'enablements-table' }) : notice('No enablements.'));
      return page.next_cursor;
    } catch (error) {
      replace(enablements, problemBox(error, 'Enablements could not be read'));
      return null;
    }
  });
  pages.show();
  append(enablements.parentElement, pages.nav);

  drawEnableable(enableable, ctx, tid);
}

/** Reasons grouped by code (a policy rule often refuses several regions): the first messages, then a count. */
function groupedReasons(reasons) {
  const byCode = new Map();
  for (const r of reasons) byCode.set(r.code, [...(byCode.get(r.code) ?? []), r]);
  return h('ul', { class: 'reasons' }, [...byCode.entries()].map(([code, list]) => h('li', {},
    h('code', {}, code), ` ${list.slice(0, 2).map((r) => r.message).join('; ')}`,
    list.length > 2 ? h('small', {}, ` (+${list.length - 2} more)`) : null,
    list.map((r) => r.hold_id).filter(Boolean).slice(0, 1).map((id) => [' ', h('a', { href: `#/holds/${id}` }, `hold ${shortId(id)}`)]))));
}

/** An actor of this tenant without the `tenant:<tid>:` prefix the page already says. */
function ownActor(actor, tid) {
  const prefix = `tenant:${tid}:`;
  return actor?.startsWith(prefix) ? actor.slice(prefix.length) : actor;
}

function append(parent, child) {
  parent.append(child);
}

/** What the tenant can and cannot enable, with every reason: the catalog as
 *  the tenant sees it (GET /v1/tenants/{tenant_id}/models), for its own
 *  principals and for platform staff alike. */
function drawEnableable(box, ctx, tid) {
  const list = h('div', {});
  const pages = pager('Availability', async (cursor) => {
    replace(list, loading());
    try {
      const page = await api(`/v1/tenants/${encodeURIComponent(tid)}/models`, { query: { include_unavailable: true, limit: 25, cursor } }).then((r) => r.data);
      if (!ctx.isCurrent()) return null;
      replace(list,
        h('p', { class: 'count' }, `${fmtNumber(page.total)} listing(s) visible to this tenant; listings a hold hides are not among them.`),
        table('Availability', [
          ['Listing', (m) => h('a', { href: `#/catalog/${encodeURIComponent(m.slug)}` }, m.slug)],
          ['Enableable', (m) => (m.availability?.enableable ? badge('yes', 'active') : badge('no', 'suspended'))],
          ['Reasons', (m) => (m.availability?.reasons?.length ? groupedReasons(m.availability.reasons) : '—')],
        ], page.items, { class: 'compact' }));
      return page.next_cursor;
    } catch (error) {
      replace(list, problemBox(error, 'Availability could not be read'));
      return null;
    }
  });
  replace(box, list, pages.nav);
  pages.show();
}
