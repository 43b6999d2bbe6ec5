// What the console refuses: a forged CSRF token, a cookie replayed after sign-out, a
// session id planted before sign-in, and twenty wrong passwords, after which the account is
// locked until an administrator unlocks it.
const { test, expect } = require('@playwright/test');
const { Office, password, pageCall } = require('./office');
const { expectAccessible } = require('../lib/axe');

test.describe.configure({ mode: 'serial' });

let office;
test.beforeAll(async () => {
  office = await new Office().open();
  office.codes = { omar: office.invitation('omar'), sara: office.invitation('sara') };
});
test.afterAll(async () => { await office.close(); });

test('passwords are set for the officer and the admin', async ({ browser }) => {
  for (const user of ['omar', 'sara']) {
    const context = await office.context(browser);
    await office.acceptInvitation(await context.newPage(), office.codes[user]);
    await context.close();
  }
});

test('a forged or missing CSRF token is refused and changes nothing', async ({ browser }) => {
  const context = await office.context(browser);
  const page = await context.newPage();
  await office.signIn(page, 'sara');
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
  const body = { user: 'intruder', role: 'admin', team: '' };
  for (const csrf of [undefined, '', '0'.repeat(64), 'forged']) {
    const answer = await pageCall(page, 'POST', 'users/add', body, csrf);
    expect(answer.status).toBe(403);
    expect(answer.body.message.en).toContain('did not come from the console page');
  }
  // From another site the browser sends no cookie at all (SameSite=Strict), and a request
  // naming another origin is refused even with the cookie and token.
  const me = await pageCall(page, 'GET', 'me');
  const cookie = (await context.cookies()).find((c) => c.name === '__Host-amana-console');
  const forged = await page.request.post(`${office.url}/console/api/users/add`, {
    headers: { Origin: 'https://evil.example', 'X-CSRF-Token': me.body.csrf, Cookie: `__Host-amana-console=${cookie.value}` },
    data: body,
  });
  expect(forged.status()).toBe(403);
  expect(office.admin(['users', 'list'])).not.toContain('intruder');
  await context.close();
});

test('a cookie stolen and replayed after sign-out opens nothing', async ({ browser }) => {
  const context = await office.context(browser);
  const page = await context.newPage();
  await office.signIn(page, 'omar');
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
  const stolen = (await context.cookies()).find((c) => c.name === '__Host-amana-console');
  // Before sign-out the stolen cookie works in another browser: that is what the replay uses.
  const thief = await office.context(browser);
  await thief.addCookies([{ name: stolen.name, value: stolen.value, url: `${office.url}/`, secure: true, httpOnly: true, sameSite: 'Strict' }]);
  const thiefPage = await thief.newPage();
  await thiefPage.goto(`${office.url}/console/`);
  expect((await pageCall(thiefPage, 'GET', 'me')).status).toBe(200);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  expect((await pageCall(thiefPage, 'GET', 'me')).status).toBe(401);
  expect((await pageCall(thiefPage, 'GET', 'cases')).status).toBe(401);
  await thiefPage.reload();
  await expect(thiefPage.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await thief.close();
  await context.close();
});

test('a session id planted before sign-in is never adopted', async ({ browser }) => {
  const context = await office.context(browser);
  const planted = 'a'.repeat(64);
  await context.addCookies([{ name: '__Host-amana-console', value: planted, url: `${office.url}/`, secure: true, httpOnly: true, sameSite: 'Strict' }]);
  const page = await context.newPage();
  await office.signIn(page, 'omar');
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
  const issued = (await context.cookies()).find((c) => c.name === '__Host-amana-console');
  expect(issued.value).not.toBe(planted);
  expect(issued.value).toMatch(/^[0-9a-f]{64}$/);
  // The attacker's browser, holding the planted id, is not signed in.
  const attacker = await office.context(browser);
  await attacker.addCookies([{ name: '__Host-amana-console', value: planted, url: `${office.url}/`, secure: true }]);
  const attackerPage = await attacker.newPage();
  await attackerPage.goto(`${office.url}/console/`);
  expect((await pageCall(attackerPage, 'GET', 'me')).status).toBe(401);
  // Signing in again rotates the session: the first one ends.
  await office.signIn(page, 'omar');
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
  const rotated = (await context.cookies()).find((c) => c.name === '__Host-amana-console');
  expect(rotated.value).not.toBe(issued.value);
  const old = await office.context(browser);
  await old.addCookies([{ name: issued.name, value: issued.value, url: `${office.url}/`, secure: true, httpOnly: true, sameSite: 'Strict' }]);
  const oldPage = await old.newPage();
  await oldPage.goto(`${office.url}/console/`);
  expect((await pageCall(oldPage, 'GET', 'me')).status).toBe(401);
  await Promise.all([attacker.close(), old.close(), context.close()]);
});

test('twenty wrong passwords are each refused, the account locks, and the admin unlocks it', async ({ browser }) => {
  test.setTimeout(300_000);
  const context = await office.context(browser);
  const page = await context.newPage();
  for (let i = 1; i <= 20; i += 1) {
    const status = await office.signIn(page, 'omar', `wrong password ${i}`);
    expect(status, `attempt ${i}`).toBe(i < 10 ? 401 : 423);
    await expect(page.getByRole('status')).toContainText(i < 10 ? 'wrong user name or password' : 'is locked after 10');
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  }
  await expectAccessible(page, 'sign in, locked');
  // The right password is refused too while the lock holds.
  expect(await office.signIn(page, 'omar', password)).toBe(423);
  await expect(page.getByRole('status')).toContainText('locked');

  const admin = await office.context(browser);
  const adminPage = await admin.newPage();
  await office.signIn(adminPage, 'sara');
  await adminPage.getByRole('link', { name: 'Users' }).click();
  await adminPage.getByRole('button', { name: 'Unlock omar' }).click();
  await expect(adminPage.getByRole('status')).toContainText('Done');
  await expect(adminPage.getByRole('button', { name: 'Unlock omar' })).toHaveCount(0);
  await adminPage.getByRole('link', { name: 'Audit log' }).click();
  await expect(adminPage.locator('#audit-verdict')).toContainText('intact');
  await expect(adminPage.locator('main table')).toContainText('console-unlock');
  await expect(adminPage.locator('main table')).toContainText('account locked');
  await admin.close();

  await office.signIn(page, 'omar', password);
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
  await context.close();
});
