// Sign-in: paste a bearer token. With JWKS configured an OIDC
// authorization-code + PKCE login is the target (not built; see README).

import { h, replace, fmtTime, notice } from './dom.js';
import { currentSession, decodeClaims, signIn, signOut } from './session.js';
import { api } from './api.js';

export async function render(view, ctx) {
  const session = currentSession();
  const input = h('textarea', { id: 'token', name: 'token', rows: '4', required: true, autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'token-help' });
  const message = h('div', { 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'card narrow', id: 'signin-form' },
    h('label', { for: 'token' }, 'Bearer token'),
    input,
    h('p', { id: 'token-help', class: 'help' },
      'Paste a JWT issued for you (with the demo, one of the tokens `modelmart serve --demo` prints: ALICE or BOB for compliance officers, AUDITOR, PLATFORM_ADMIN). ',
      'It is kept in this tab only (sessionStorage) and sent to this server alone.'),
    h('button', { type: 'submit' }, 'Sign in'),
    message,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const token = input.value.trim().replace(/^Bearer\s+/i, '');
    const claims = decodeClaims(token);
    if (!claims) {
      replace(message, notice('This is not a JWT (three base64url parts separated by dots).', 'error'));
      return;
    }
    signIn(token);
    // Ask the server: a token it refuses is better known now than on the first screen.
    try {
      await api('/v1/admin/holds', { query: { limit: 1 } });
    } catch (error) {
      if (error.status === 401) {
        signOut();
        replace(message, notice(`The server refused this token: ${error.detail || error.title}`, 'error'));
        return;
      }
    }
    const next = ctx.query.get('next');
    ctx.navigate(next && next.startsWith('#/') ? next : defaultScreen(currentSession()));
  });
  const children = [h('h1', {}, 'Sign in'), form];
  if (session) {
    children.push(
      h('section', { class: 'card narrow', 'aria-labelledby': 'current-h' },
        h('h2', { id: 'current-h' }, 'Signed in'),
        h('dl', { class: 'facts' },
          h('dt', {}, 'Subject'), h('dd', { id: 'current-subject' }, session.subject ?? '—'),
          h('dt', {}, 'Roles'), h('dd', { id: 'current-roles' }, session.roles.join(', ') || '—'),
          h('dt', {}, 'Tenant'), h('dd', {}, session.tenantId ?? 'none (platform staff)'),
          h('dt', {}, 'Expires'), h('dd', {}, session.expiresAt ? fmtTime(session.expiresAt) : '—')),
        h('p', { class: 'help' }, 'Shown from the token itself, decoded here; the server checks it on every call.'),
        h('button', { type: 'button', class: 'secondary', onclick: () => { signOut(); ctx.navigate('#/signin'); } }, 'Sign out')),
    );
  }
  replace(view, ...children);
}

function defaultScreen(session) {
  if (!session) return '#/signin';
  if (session.has('auditor') && !session.has('compliance.officer')) return '#/audit';
  if ((session.has('platform.admin') || session.tenantId) && !session.has('compliance.officer')) return '#/tenants';
  return '#/holds';
}
