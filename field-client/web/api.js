// The one way the page talks to the field client: same origin, the session cookie sent by
// the browser, the CSRF token on every write, the language of the answers asked for.
// Nothing it receives is kept beyond the page's memory.
import { language } from './i18n.js';

let csrf = '';
const lockedListeners = [];

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message || `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code || '';
    this.body = body || {};
  }
}

export function onLocked(listener) { lockedListeners.push(listener); }

export async function session() {
  const s = await request('GET', '/api/session');
  csrf = s.csrf;
  return s;
}

export async function request(method, path, body) {
  const headers = { 'X-Amana-Lang': language() };
  if (method !== 'GET') {
    headers['X-Amana-CSRF'] = csrf;
    headers['Content-Type'] = 'application/json';
  }
  const response = await fetch(path, {
    method, headers, credentials: 'same-origin', cache: 'no-store',
    body: method === 'GET' ? undefined : JSON.stringify(body || {}),
  });
  let parsed = {};
  try { parsed = await response.json(); } catch { parsed = {}; }
  if (!response.ok) {
    const error = new ApiError(response.status, parsed);
    if (response.status === 423 && error.code === 'locked_out' && path !== '/api/unlock') {
      lockedListeners.forEach((l) => l());
    }
    throw error;
  }
  return parsed;
}

export const get = (path) => request('GET', path);
export const post = (path, body) => request('POST', path, body);
