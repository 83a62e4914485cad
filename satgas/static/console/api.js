/* The console's one way to call the JSON API (/api/v1/…) and its session (/console/api/…).
 * The browser sends the session cookie (HttpOnly: no script here ever sees a token); every
 * state-changing request carries the page's CSRF token in X-CSRFToken. A 401 means the
 * session ended: back to the sign-in page, then here again. */

const meta = (name) => document.querySelector(`meta[name="${name}"]`)?.content || '';
export const ROOT = meta('app-root') || '/';
const SAFE = new Set(['GET', 'HEAD']);

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
  }
}

/** An app URL from a root-relative path ('api/v1/logs') and query parameters (empty ones dropped). */
export function url(path, query) {
  const u = new URL(ROOT + path.replace(/^\//, ''), location.origin);
  Object.entries(query || {}).forEach(([k, v]) => {
    if (v !== undefined && v !== null && v !== '') u.searchParams.set(k, v);
  });
  return u.pathname + u.search;
}

export function signInUrl() {
  return url('console/login', { next: location.pathname + location.search });
}

export async function api(path, { method = 'GET', query, body } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (!SAFE.has(method)) headers['X-CSRFToken'] = meta('csrf-token');
  const res = await fetch(url(path, query), {
    method, headers, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 401 && !path.startsWith('console/api/session')) {
    location.assign(signInUrl());
    throw new ApiError(401, { message: 'Sesi berakhir; silakan masuk lagi.' });
  }
  if (res.status === 204) return null;
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

/** A message for the person, in Indonesian, from any failure. */
export function explain(err) {
  if (!(err instanceof ApiError)) return 'Tidak bisa menghubungi server — periksa jaringan lalu coba lagi.';
  if (err.status === 403 && /CSRF/.test(err.message)) return 'Halaman ini sudah terlalu lama terbuka: muat ulang halaman lalu coba lagi.';
  if (err.status === 403) return 'Tidak diizinkan: ' + err.message;
  if (err.status >= 500) return 'Server sedang bermasalah; coba lagi sebentar lagi.';
  return err.message;
}
