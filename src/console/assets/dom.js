// Small DOM helpers. Text is always set as text, never parsed as HTML, so
// nothing the API returns can inject markup.

/** `h('a', {href: '#/x', class: 'y'}, 'text', child)`; `on*` attributes become listeners. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (value === true) {
      el.setAttribute(name, '');
    } else {
      el.setAttribute(name, String(value));
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

export function replace(el, ...children) {
  return append(clear(el), children);
}

/** A UTC timestamp as `2026-12-04 16:43 UTC`. */
export function fmtTime(value) {
  if (!value) return '—';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function fmtNumber(value) {
  return value === null || value === undefined ? '—' : Number(value).toLocaleString('en-US');
}

export function badge(text, tone) {
  return h('span', { class: `badge badge-${tone ?? text}` }, text);
}

/** The problem an API call failed with: title, detail, and each field error. */
export function problemBox(error, heading) {
  const title = error?.title ?? 'Something went wrong';
  const status = error?.status ? ` (${error.status}${error.code ? ` ${error.code}` : ''})` : '';
  return h(
    'div',
    { class: 'problem', role: 'alert' },
    h('p', { class: 'problem-title' }, heading ? `${heading}: ` : '', title, status),
    error?.detail ? h('p', { class: 'problem-detail' }, error.detail) : null,
    error?.errors?.length
      ? h('ul', {}, error.errors.map((e) => h('li', {}, `${e.field ?? e.name ?? ''}: ${e.message ?? JSON.stringify(e)}`)))
      : null,
    error?.status === 401 ? h('p', {}, h('a', { href: '#/signin' }, 'Sign in again'), ' (the token is missing, expired or refused).') : null,
    error?.status === 403 ? h('p', {}, 'The signed-in token lacks the role this needs.') : null,
  );
}

export function notice(text, tone = 'info') {
  return h('p', { class: `notice notice-${tone}`, role: tone === 'error' ? 'alert' : 'status' }, text);
}

export function loading(text = 'Loading…') {
  return h('p', { class: 'loading', role: 'status' }, text);
}

export function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

/** A table with a caption; `columns` are `[heading, row => cell]`. */
export function table(caption, columns, rows, attrs = {}) {
  return h(
    'table',
    attrs,
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, columns.map(([heading]) => h('th', { scope: 'col' }, heading)))),
    h('tbody', {}, rows.map((row) => h('tr', {}, columns.map(([, cell]) => h('td', {}, cell(row)))))),
  );
}

/** A definition list from `[term, value]` pairs (values may be nodes). */
export function facts(pairs) {
  return h('dl', { class: 'facts' }, pairs.filter(Boolean).map(([term, value]) => [h('dt', {}, term), h('dd', {}, value ?? '—')]));
}

/**
 * Cursor paging: the API gives `next_cursor`; the pager keeps the cursors
 * of the pages already seen so "Previous" goes back without re-counting.
 * `load(cursor)` renders one page and resolves to its `next_cursor`.
 */
export function pager(label, load) {
  const stack = [null];
  let index = 0;
  let next = null;
  const status = h('span', { class: 'pager-status', 'aria-live': 'polite' });
  const prev = h('button', { type: 'button', class: 'secondary' }, 'Previous page');
  const nextButton = h('button', { type: 'button', class: 'secondary' }, 'Next page');
  const nav = h('nav', { class: 'pager', 'aria-label': `${label} pages` }, prev, status, nextButton);
  async function show() {
    prev.disabled = true;
    nextButton.disabled = true;
    next = await load(stack[index]);
    prev.disabled = index === 0;
    nextButton.disabled = !next;
    status.textContent = `Page ${index + 1}`;
  }
  prev.addEventListener('click', () => {
    if (index > 0) {
      index -= 1;
      show();
    }
  });
  nextButton.addEventListener('click', () => {
    if (next) {
      stack.length = index + 1;
      stack.push(next);
      index += 1;
      show();
    }
  });
  return { nav, show, reset: () => { stack.length = 1; index = 0; return show(); } };
}

/** A link to an outside page given by the API, only if it is http(s); otherwise its text. */
export function externalLink(url) {
  if (!url) return '—';
  return /^https?:\/\//i.test(url) ? h('a', { href: url, rel: 'noreferrer noopener', target: '_blank' }, url) : String(url);
}

export function shortId(id) {
  return id ? String(id).slice(0, 8) : '—';
}

/** A `datetime-local` value (taken as UTC) as RFC 3339, or null. */
export function utcFromLocalInput(value) {
  return value ? `${value.length === 16 ? `${value}:00` : value}Z` : null;
}
