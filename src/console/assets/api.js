// Calls to the public API with the signed-in token. Errors are
// application/problem+json (RFC 9457): an ApiProblem carries its title,
// detail, status and stable code for the screens to show.

import { currentSession } from './session.js';

export class ApiProblem extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.title = problem.title || `HTTP ${status}`;
    this.detail = problem.detail || '';
    this.code = problem.code || null;
    this.errors = Array.isArray(problem.errors) ? problem.errors : [];
    this.context = problem.context ?? null;
  }
}

/** `?a=1&b=x&b=y` from an object; empty values are left out, arrays repeat. */
export function queryString(query) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null || value === '') continue;
    for (const one of Array.isArray(value) ? value : [value]) {
      if (one !== undefined && one !== null && one !== '') params.append(name, String(one));
    }
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** One API call; resolves to `{data, headers, status}` or throws an ApiProblem. */
export async function api(path, { method = 'GET', query, body, headers = {}, signal } = {}) {
  const session = currentSession();
  const sent = { Accept: 'application/json', ...headers };
  if (session) sent.Authorization = `Bearer ${session.token}`;
  let payload;
  if (body !== undefined) {
    sent['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path + queryString(query), { method, headers: sent, body: payload, signal, cache: 'no-store' });
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new ApiProblem(0, { title: 'The server could not be reached', detail: String(error.message || error) });
  }
  const type = response.headers.get('content-type') || '';
  const isJson = type.includes('json');
  const data = isJson ? await response.json().catch(() => null) : null;
  if (!response.ok) {
    throw new ApiProblem(response.status, data && typeof data === 'object' ? data : { title: response.statusText });
  }
  return { data, headers: response.headers, status: response.status };
}

/** GET and return the body. */
export async function get(path, query, signal) {
  return (await api(path, { query, signal })).data;
}

/** The path of a model by id or slug (a slug's `/` encoded). */
export function modelPath(idOrSlug) {
  return `/v1/models/${encodeURIComponent(idOrSlug)}`;
}
