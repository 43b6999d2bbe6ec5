// One office for the console's specs: a real sync-server over TLS (the self-signed
// certificate init made) with the four roles, and helpers that act as each of them in a
// browser. Nothing is mocked: the pages talk to the server, devices sync with it.
const path = require('path');
const { expect } = require('@playwright/test');
const { scratch, run, start, stop } = require('../lib/amana');

const passphrases = {
  AMANA_SERVER_PASSPHRASE: 'operator passphrase for the console specs',
  AMANA_PASSPHRASE: 'device passphrase for the console specs',
};
const password = 'a long enough password';
const examples = path.resolve(__dirname, '..', '..', '..', 'forms', 'examples');

class Office {
  async open() {
    this.dir = scratch('console');
    this.data = path.join(this.dir, 'server');
    this.admin(['init']);
    for (const [name, role, team] of [['amina', 'assistant', 'um-dukhun'], ['omar', 'officer', 'um-dukhun'],
      ['mona', 'meal', ''], ['sara', 'admin', '']]) {
      this.admin(['users', 'add', name, '--role', role, ...(team ? ['--team', team] : [])]);
    }
    this.server = await start('sync-server', ['--data', this.data, 'serve', '--listen', '127.0.0.1:0'], {
      ready: /listening on 127\.0\.0\.1:(\d+)/, env: passphrases,
    });
    this.url = `https://127.0.0.1:${this.server.match[1]}`;
    return this;
  }

  async close() { await stop(this.server); }

  admin(args) { return run('sync-server', ['--data', this.data, ...args], { env: passphrases }); }

  invitation(user) {
    const out = this.admin(['users', 'invite', user]);
    return out.match(/: ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}) /)[1];
  }

  // A field device of `user`, enrolled over https (it pins the server's key); `label`
  // names its home when a user has more than one.
  device(user, label = user) {
    const home = path.join(this.dir, `device-${label}`);
    const client = (args) => run('field-client', ['--home', home, ...args], { env: passphrases });
    client(['init', '--user', user]);
    const issued = this.admin(['enroll', user, '--no-qr']);
    const code = issued.split('\n\n  ')[1].split('\n')[0];
    client(['enroll', code, '--server', this.url]);
    return {
      run: client,
      // An identified person's case, registered and with its closure requested, synced.
      openCaseToClose() {
        const identified = client(['collect', 'outreach-identification', '--answers',
          path.join(examples, 'outreach-identification.answers.json')]);
        const opened = client(['case', 'open', '--from', identified.slice(0, 36), '--not-a-duplicate']);
        const kase = opened.slice(opened.indexOf('Opened case ') + 12).slice(0, 36);
        for (const [verb, form] of [['register', 'case-registration'], ['close', 'case-closure']]) {
          client(['case', verb, kase, '--answers', path.join(examples, `${form}.answers.json`)]);
        }
        client(['sync']);
        return kase;
      },
    };
  }

  async context(browser) { return browser.newContext({ ignoreHTTPSErrors: true }); }

  // Sets the password with an invitation through the page.
  async acceptInvitation(page, code) {
    await page.goto(`${this.url}/console/#/invitation`);
    await page.getByLabel('Invitation code').fill(code);
    await page.getByLabel('New password').fill(password);
    await page.getByRole('button', { name: 'Set password' }).click();
    await expect(page.getByRole('status')).toContainText('Your password is set');
  }

  async signIn(page, user, secret = password) {
    await page.goto(`${this.url}/console/#/sign-in`);
    await page.getByLabel('User name').fill(user);
    await page.getByLabel('Password', { exact: true }).fill(secret);
    const answered = page.waitForResponse((r) => r.url().endsWith('/console/api/sign-in'));
    await page.getByRole('button', { name: 'Sign in' }).click();
    return (await answered).status();
  }
}

// A call from inside the page, as a script on it would make it (the browser adds the
// cookie and the Origin); `csrf` is sent as the page's token.
async function pageCall(page, method, name, body, csrf) {
  return page.evaluate(async ({ method: m, name: n, body: b, csrf: c }) => {
    const headers = { 'Content-Type': 'application/json' };
    if (c !== undefined) headers['X-CSRF-Token'] = c;
    const response = await fetch(`/console/api/${n}`, { method: m, headers, body: m === 'POST' ? JSON.stringify(b || {}) : undefined });
    let parsed = null;
    try { parsed = await response.json(); } catch { parsed = null; }
    return { status: response.status, body: parsed };
  }, { method, name, body, csrf });
}

module.exports = { Office, password, pageCall };
