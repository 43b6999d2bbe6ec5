// The console's calls to its server: JSON both ways, the CSRF token on every write, and a
// signed-out answer (401) sends the page back to sign in.
let csrf = '';
let onSignedOut = () => {};

export function setCsrf(token) { csrf = token || ''; }
export function whenSignedOut(callback) { onSignedOut = callback; }

export class ApiError extends Error {
  constructor(status, body) {
    super(body && body.error ? body.error : `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

async function call(method, name, { params, body, file } = {}) {
  const query = params ? `?${new URLSearchParams(Object.entries(params).filter(([, v]) => v !== '' && v != null))}` : '';
  const headers = { Accept: 'application/json' };
  if (method === 'POST') {
    headers['Content-Type'] = file ? 'application/octet-stream' : 'application/json';
    headers['X-CSRF-Token'] = csrf;
  }
  const sent = file || (method === 'POST' ? JSON.stringify(body || {}) : undefined);
  const response = await fetch(`/console/api/${name}${query}`, { method, headers, body: sent, credentials: 'same-origin' });
  let parsed = null;
  try { parsed = await response.json(); } catch { parsed = null; }
  if (!response.ok) {
    if (response.status === 401 && name !== 'sign-in') onSignedOut();
    throw new ApiError(response.status, parsed);
  }
  return parsed;
}

export const api = {
  get: (name, params) => call('GET', name, { params }),
  post: (name, body) => call('POST', name, { body }),
  // A file sent as it is (an XLSForm, a CSV), its name in the query.
  upload: (name, file) => call('POST', name, { params: { name: file.name }, file }),
};
