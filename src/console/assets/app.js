// The console's shell: a hash router (#/holds, #/holds/<id>, #/catalog/<slug>,
// #/audit, #/tenants/<tid>, #/signin), the signed-in header, and focus
// moved to each new screen's heading for keyboard and screen-reader users.

import { h, replace, problemBox } from './dom.js';
import { currentSession, signOut } from './session.js';
import * as signin from './signin.js';
import * as holds from './holds.js';
import * as catalog from './catalog.js';
import * as audit from './audit.js';
import * as tenants from './tenants.js';

const main = document.getElementById('main');
const who = document.getElementById('who');

/** `#/holds/abc?status=active` → `{parts: ['holds', 'abc'], query: URLSearchParams}`. */
function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, search = ''] = raw.split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { parts, query: new URLSearchParams(search) };
}

function renderWho(session) {
  if (!session) {
    replace(who, h('a', { href: '#/signin' }, 'Sign in'));
    return;
  }
  const label = session.subject ?? 'unknown subject';
  replace(
    who,
    h('span', { class: 'who-name', title: session.tenantId ? `tenant ${session.tenantId}` : 'platform staff' }, label),
    h('span', { class: 'who-roles' }, session.roles.join(', ') || 'no roles'),
    h('button', { type: 'button', class: 'secondary small', id: 'sign-out', onclick: () => { signOut(); location.hash = '#/signin'; route(); } }, 'Sign out'),
  );
}

/** Which roles can read each section; the others are left out of the menu (the server still decides). */
const SECTION_ROLES = {
  holds: ['compliance.officer', 'auditor', 'platform.admin'],
  catalog: ['compliance.officer', 'platform.admin', 'catalog.admin', 'catalog.reader', 'tenant.admin'],
  audit: ['auditor'],
  tenants: ['platform.admin', 'catalog.reader', 'tenant.admin'],
};

function markSection(section, session) {
  for (const link of document.querySelectorAll('#nav a')) {
    const readable = !session || SECTION_ROLES[link.dataset.section].some((role) => session.has(role));
    link.parentElement.hidden = !readable && link.dataset.section !== section;
    if (link.dataset.section === section) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

let generation = 0;

async function route() {
  const session = currentSession();
  renderWho(session);
  const { parts, query } = parseHash();
  let [section = '', ...rest] = parts;
  if (!session && section !== 'signin') section = 'signin';
  if (session && !section) section = 'holds';
  markSection(section, session);
  const ticket = ++generation;
  const view = h('div', { class: 'view' });
  replace(main, view);
  // A slower earlier screen must not draw over a newer one.
  const ctx = { session, query, isCurrent: () => ticket === generation, navigate: (hash) => { location.hash = hash; } };
  try {
    switch (section) {
      case 'signin': await signin.render(view, ctx); break;
      case 'holds': await holds.render(view, rest, ctx); break;
      case 'catalog': await catalog.render(view, rest, ctx); break;
      case 'audit': await audit.render(view, rest, ctx); break;
      case 'tenants': await tenants.render(view, rest, ctx); break;
      default:
        replace(view, h('h1', { tabindex: '-1' }, 'Not found'), h('p', {}, 'No console screen lives at this address.'));
    }
  } catch (error) {
    if (ticket === generation) view.append(problemBox(error, 'This screen could not load'));
  }
  if (ticket === generation) {
    const heading = view.querySelector('h1');
    if (heading) {
      heading.setAttribute('tabindex', '-1');
      if (document.activeElement === document.body || document.activeElement === main || !main.contains(document.activeElement)) heading.focus({ preventScroll: true });
    }
    document.title = `${heading ? heading.textContent + ' · ' : ''}modelmart console`;
  }
}

window.addEventListener('hashchange', route);
route();
