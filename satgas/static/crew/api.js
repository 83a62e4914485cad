/* The JSON API, as every phone client calls it. A 401 on a signed-in call is `AuthRequired`:
 * the app asks to sign in again and keeps everything queued. */

export class AuthRequired extends Error {}

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

export async function call(method, path, { token, json } = {}) {
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (json !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, {
    method, headers, cache: 'no-store', body: json === undefined ? undefined : JSON.stringify(json),
  });
  const isJson = (response.headers.get('Content-Type') || '').includes('json');
  const body = isJson ? await response.json().catch(() => null) : null;
  if (response.status === 401 && token) throw new AuthRequired(body?.message || 'Sesi berakhir');
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

export const signIn = (username, password) =>
  call('POST', '/api/v1/auth/token', { json: { username, password } });
