// The second factor through the browser: an administrator scans the QR code on their
// account page (the test plays the authenticator app: RFC 6238 over the key the page
// shows), confirms with the first code, and sign-in then asks for a code, each code once;
// the operator removes it at the shell. Required by the organisation, an officer without
// one reaches only their account page.
const crypto = require('crypto');
const { test, expect } = require('@playwright/test');
const { Office, password } = require('./office');
const { expectAccessible } = require('../lib/axe');
const { screenshot } = require('../lib/amana');

test.describe.configure({ mode: 'serial' });

function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out = [];
  for (const c of text) {
    value = (value << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

// What an authenticator app shows for `step` (30-second steps since 1970).
function code(secret, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = crypto.createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = mac[19] & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 1_000_000).padStart(6, '0');
}
const stepNow = () => Math.floor(Date.now() / 30_000);

let office;
test.beforeAll(async ({ browser }) => {
  office = await new Office().open();
  for (const user of ['omar', 'sara']) {
    const context = await office.context(browser);
    await office.acceptInvitation(await context.newPage(), office.invitation(user));
    await context.close();
  }
});
test.afterAll(async () => { await office.close(); });

async function signInWith(page, user, totp) {
  await page.goto(`${office.url}/console/#/sign-in`);
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password', { exact: true }).fill(password);
  if (totp) await page.getByLabel('Code from your authenticator app').fill(totp);
  const answered = page.waitForResponse((r) => r.url().endsWith('/console/api/sign-in'));
  await page.getByRole('button', { name: 'Sign in' }).click();
  return (await answered).status();
}

test('an administrator sets up a second factor from its QR code; sign-in then asks for a code, each once', async ({ browser }) => {
  const context = await office.context(browser);
  const page = await context.newPage();
  expect(await signInWith(page, 'sara')).toBe(200);
  await page.getByRole('link', { name: 'My account' }).click();
  await page.getByRole('button', { name: 'Set up a second factor' }).click();
  await expect(page.getByRole('img', { name: 'QR code of the second-factor secret' })).toBeVisible();
  const secret = (await page.locator('#totp-secret').textContent()).trim();
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  await expectAccessible(page, 'second factor en');
  await screenshot(page, 'console-second-factor-en');
  await page.getByRole('button', { name: 'العربية' }).click();
  await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
  await page.getByRole('button', { name: 'إعداد عامل ثانٍ' }).click();
  const secretAr = (await page.locator('#totp-secret').textContent()).trim();
  await expectAccessible(page, 'second factor ar');
  await screenshot(page, 'console-second-factor-ar');
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('button', { name: 'Set up a second factor' }).click();
  const latest = (await page.locator('#totp-secret').textContent()).trim();
  expect(latest).not.toBe(secretAr);  // each start draws a new secret
  await page.getByLabel('The 6-digit code the app shows now').fill(code(latest, stepNow()));
  await page.getByRole('button', { name: 'Confirm' }).click();
  await expect(page.locator('#totp-state')).toContainText('A second factor is set up');
  await page.getByRole('button', { name: 'Sign out' }).first().click();
  await context.close();

  const again = await office.context(browser);
  const signIn = await again.newPage();
  expect(await signInWith(signIn, 'sara')).toBe(401);
  expect(await signInWith(signIn, 'sara', '123456')).toBe(401);
  const next = code(latest, stepNow() + 1);
  expect(await signInWith(signIn, 'sara', next)).toBe(200);
  await expect(signIn.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
  expect(await signInWith(signIn, 'sara', next)).toBe(401);  // a code is used once
  await again.close();

  office.admin(['users', 'totp-remove', 'sara']);
  expect(office.admin(['audit'])).toMatch(/operator\s+console-totp-removed\s+sara/);
  const removed = await office.context(browser);
  expect(await signInWith(await removed.newPage(), 'sara')).toBe(200);
  await removed.close();
});

test('required by the organisation: an officer without a second factor reaches only their account page', async ({ browser }) => {
  office.admin(['users', 'totp-policy', 'required']);
  const context = await office.context(browser);
  const page = await context.newPage();
  expect(await signInWith(page, 'omar')).toBe(200);
  await expect(page.locator('nav li a')).toHaveText(['My account']);
  await expect(page.locator('#totp-state')).toContainText('Your organisation asks for a second factor');
  const cases = await page.evaluate(async () => (await fetch('/console/api/cases')).status);
  expect(cases).toBe(403);
  await context.close();
  office.admin(['users', 'totp-policy', 'optional']);
});
