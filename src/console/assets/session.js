// The signed-in token, kept in sessionStorage (this tab only, gone when it
// closes). Its payload is decoded here only to show who is signed in; the
// server verifies every request and is the only judge of what it allows.

const KEY = 'modelmart.console.token';

function decodePart(part) {
  const base64 = part.replace(/-/g, '+').replace(/_/g, '/');
  const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
  const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

/** The token's claims, or null when it is not a readable JWT. */
export function decodeClaims(token) {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const claims = decodePart(parts[1]);
    return claims && typeof claims === 'object' ? claims : null;
  } catch {
    return null;
  }
}

export function currentSession() {
  const token = sessionStorage.getItem(KEY);
  if (!token) return null;
  const claims = decodeClaims(token) ?? {};
  const roles = Array.isArray(claims.roles) ? claims.roles.filter((r) => typeof r === 'string') : [];
  return {
    token,
    claims,
    subject: typeof claims.sub === 'string' ? claims.sub : null,
    tenantId: typeof claims.tid === 'string' ? claims.tid : null,
    roles,
    expiresAt: typeof claims.exp === 'number' ? new Date(claims.exp * 1000) : null,
    has: (role) => roles.includes(role),
  };
}

export function signIn(token) {
  sessionStorage.setItem(KEY, token.trim().replace(/^Bearer\s+/i, ''));
}

export function signOut() {
  sessionStorage.removeItem(KEY);
}
