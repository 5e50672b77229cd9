// Audit: the hash-chained audit log with its filters, paged, and the
// chain verification (GET /v1/admin/audit-events/verify).

import { h, replace, fmtTime, fmtNumber, badge, problemBox, notice, loading, table, pager, shortId, utcFromLocalInput } from './dom.js';
import { get } from './api.js';

const FILTERS = [
  ['actor', 'Actor', 'text', 'e.g. platform:alice@modelmart'],
  ['action', 'Action', 'text', 'e.g. hold.approved'],
  ['target_type', 'Target type', 'text', 'e.g. hold, enablement'],
  ['target_id', 'Target id', 'text', ''],
  ['tenant_id', 'Tenant id', 'text', ''],
  ['since', 'Since (UTC)', 'datetime-local', ''],
  ['until', 'Until (UTC)', 'datetime-local', ''],
];

export async function render(view, rest, ctx) {
  const q = ctx.query;
  const verify = h('div', { id: 'chain', 'aria-live': 'polite' }, loading('Verifying the chain…'));
  const inputs = {};
  const form = h('form', { class: 'filters', 'aria-label': 'Filter the audit log' },
    FILTERS.map(([name, label, type, placeholder]) => {
      const input = h('input', { id: `audit-${name}`, name, type, value: q.get(name) ?? '', placeholder: placeholder || null });
      inputs[name] = input;
      return h('div', { class: 'field' }, h('label', { for: `audit-${name}` }, label), input);
    }),
    h('button', { type: 'submit' }, 'Apply'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const [name, input] of Object.entries(inputs)) if (input.value.trim()) params.set(name, input.value.trim());
    ctx.navigate(`#/audit${params.toString() ? `?${params}` : ''}`);
  });
  const results = h('div', { id: 'audit-results' });
  const query = {};
  for (const [name, , type] of FILTERS) {
    const value = q.get(name);
    if (value) query[name] = type === 'datetime-local' ? utcFromLocalInput(value) : value;
  }
  const pages = pager('Audit events', async (cursor) => {
    replace(results, loading());
    try {
      const page = await get('/v1/admin/audit-events', { ...query, limit: 50, cursor });
      if (!ctx.isCurrent()) return null;
      replace(results,
        h('p', { class: 'count', id: 'audit-count' }, `${fmtNumber(page.total)} event(s) match`),
        page.items.length ? table('Audit events', [
          ['#', (e) => e.seq],
          ['When', (e) => fmtTime(e.occurred_at)],
          ['Actor', (e) => [e.actor, h('br'), h('small', {}, e.actor_roles.join(', '))]],
          ['Action', (e) => h('code', {}, e.action)],
          ['Target', (e) => (e.target_type === 'hold' ? h('a', { href: `#/holds/${e.target_id}` }, `hold ${shortId(e.target_id)}`) : `${e.target_type} ${shortId(e.target_id)}`)],
          ['Tenant', (e) => (e.tenant_id ? h('a', { href: `#/tenants/${e.tenant_id}` }, shortId(e.tenant_id)) : '—')],
          ['Reason', (e) => e.reason ?? '—'],
          ['Change', (e) => (e.before || e.after ? h('details', {}, h('summary', {}, 'before / after'),
            h('pre', {}, JSON.stringify({ before: e.before, after: e.after }, null, 2))) : '—')],
          ['Hash', (e) => (e.seal
            ? h('code', { title: `chain ${e.seal.chain}, event ${e.seal.chain_seq}; previous ${e.seal.prev_hash}` }, e.seal.hash.slice(0, 10))
            : h('small', {}, 'being sealed'))],
        ], page.items, { id: 'audit-table', class: 'compact' }) : notice('No events match.'));
      return page.next_cursor;
    } catch (error) {
      replace(results, problemBox(error, 'The audit log could not be read'));
      return null;
    }
  });
  replace(view,
    h('h1', {}, 'Audit log'),
    h('section', { class: 'card', 'aria-labelledby': 'chain-h' },
      h('div', { class: 'title-row' }, h('h2', { id: 'chain-h' }, 'Chain verification'),
        h('button', { type: 'button', class: 'secondary small', onclick: () => drawVerify(verify) }, 'Verify again')),
      verify),
    form, results, pages.nav);
  drawVerify(verify);
  await pages.show();
}

async function drawVerify(box) {
  replace(box, loading('Verifying the chain…'));
  try {
    const report = await get('/v1/admin/audit-events/verify');
    const sealed = report.events - (report.unsealed ?? 0);
    const waiting = report.unsealed
      ? h('small', {}, ` ${fmtNumber(report.unsealed)} event(s) written since ${fmtTime(report.oldest_unsealed_at)} wait for their seal and are checked once sealed.`)
      : null;
    replace(box, report.verified
      ? h('p', { class: 'verified', id: 'chain-result' }, badge('verified', 'active'), ` The log verifies: all ${fmtNumber(report.chains ?? 1)} chains, ${fmtNumber(sealed)} sealed events; no event was edited, inserted, deleted or moved.`, waiting, h('small', {}, ` Checked ${fmtTime(new Date())}.`))
      : h('div', { class: 'broken', id: 'chain-result', role: 'alert' },
          h('p', {}, badge('broken', 'suspended'), ` ${fmtNumber((report.breaks ?? []).length || 1)} of ${fmtNumber(report.chains ?? 1)} chains do not verify (${fmtNumber(sealed)} sealed events checked):`),
          h('ul', {}, ...(report.breaks ?? [{ chain: 0, chain_seq: report.first_broken_seq, seq: report.first_broken_seq }]).map((b) =>
            h('li', {}, b.seq == null
              ? `chain ${b.chain}: its head names event ${b.chain_seq}, which the chain no longer ends with (its tail was deleted)`
              : `chain ${b.chain}: breaks at event #${b.seq} (its ${b.chain_seq}th): that event, or the one before it in the chain, was tampered with`)))));
  } catch (error) {
    replace(box, problemBox(error, 'The chain could not be verified'));
  }
}
