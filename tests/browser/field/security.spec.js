// The local web app refuses what a web page elsewhere, or another program, could send it:
// a request addressed to another Host (DNS rebinding), from another Origin, a write
// without the page's CSRF token, a request without the session cookie. Sent with Node's
// own HTTP client so that every header is exactly the attacker's choice.
const http = require('http');
const { test, expect } = require('@playwright/test');
const { Device } = require('./device');

function send(url, { method = 'GET', headers = {}, body } = {}) {
  const u = new URL(url);
  if (body !== undefined) headers = { ...headers, 'Content-Length': Buffer.byteLength(body) };
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: u.port, path: u.pathname + u.search, method, headers, setHost: false },
      (res) => {
        let data = '';
        res.on('data', (c) => { data += c; });
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: data }));
      });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

test('wrong Host, another Origin, a missing CSRF token and no cookie are refused', async ({ page, context }) => {
  const device = new Device();
  try {
    await device.startUi();
    await device.open(page);
    const host = new URL(device.origin).host;
    const cookie = (await context.cookies()).find((c) => c.name === 'amana_session');
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe('Strict');
    const withCookie = { Host: host, Cookie: `amana_session=${cookie.value}` };
    const ok = await send(`${device.origin}/api/home`, { headers: withCookie });
    expect(ok.status).toBe(200);
    expect(ok.headers['cache-control']).toBe('no-store');
    expect(ok.headers['content-security-policy']).toContain("script-src 'self'");

    // DNS rebinding: the attacker's name resolved to 127.0.0.1; the browser sends their Host.
    const rebound = await send(`${device.origin}/api/home`, { headers: { ...withCookie, Host: `attacker.example:${new URL(device.origin).port}` } });
    expect(rebound.status).toBe(403);
    expect(rebound.body).not.toContain('pending_operations');

    // Another Origin, on a read and on a write with the right token.
    const csrf = JSON.parse((await send(`${device.origin}/api/session`, { headers: withCookie })).body).csrf;
    const foreign = await send(`${device.origin}/api/home`, { headers: { ...withCookie, Origin: 'http://attacker.example' } });
    expect(foreign.status).toBe(403);
    const foreignWrite = await send(`${device.origin}/api/lock`, {
      method: 'POST', headers: { ...withCookie, Origin: 'http://attacker.example', 'X-Amana-CSRF': csrf, 'Content-Type': 'application/json' }, body: '{}' });
    expect(foreignWrite.status).toBe(403);

    // A write from the page's own origin without the CSRF token: refused, and the store stays unlocked.
    const noToken = await page.evaluate(async () => {
      const r = await fetch('/api/lock', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
      return { status: r.status, body: await r.json() };
    });
    expect(noToken.status).toBe(403);
    expect(noToken.body.error.message).toContain('token');
    expect((await send(`${device.origin}/api/home`, { headers: withCookie })).status).toBe(200);

    // No cookie: neither the API nor the page.
    expect((await send(`${device.origin}/api/home`, { headers: { Host: host } })).status).toBe(403);
    expect((await send(`${device.origin}/`, { headers: { Host: host } })).status).toBe(403);
    // Every fixed word of the page exists in both languages.
    const missing = await page.evaluate(async () => {
      const { _strings: s } = await import('/app/i18n.js');
      const en = Object.keys(s.en);
      const ar = Object.keys(s.ar);
      return { ar: en.filter((k) => !ar.includes(k)), en: ar.filter((k) => !en.includes(k)) };
    });
    expect(missing).toEqual({ ar: [], en: [] });

    // The one-time address was spent by the browser.
    const again = await send(device.url, { headers: { Host: host } });
    expect(again.status).toBe(403);
  } finally {
    await device.stopUi();
    device.cleanup();
  }
});
