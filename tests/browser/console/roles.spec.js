// The role matrix through the browser: each of the four roles signs in with the password it
// set from an invitation, sees exactly the pages the role table (sync-server/access.h)
// gives it, and the server refuses the others' calls whatever the page does. Every page is
// scanned with axe, in English and in Arabic.
const { test, expect } = require('@playwright/test');
const { Office, pageCall } = require('./office');
const { expectAccessible } = require('../lib/axe');
const { screenshot } = require('../lib/amana');

test.describe.configure({ mode: 'serial' });

const navOf = {
  amina: ['My account'],
  omar: ['Dashboard', 'Cases', 'Conflicts', 'Weekly review', 'Provider directory', 'Datasets and reports', 'My account'],
  mona: ['Datasets and reports', 'My account'],
  sara: ['Dashboard', 'Cases', 'Conflicts', 'Weekly review', 'Users', 'Devices', 'Provider directory', 'Forms',
    'Audit log', 'Datasets and reports', 'My account'],
};
const calls = {
  dashboard: ['omar', 'sara'], cases: ['omar', 'sara'], users: ['sara'], devices: ['sara'], audit: ['sara'],
  'report?period=2026-11': ['omar', 'mona', 'sara'], me: ['amina', 'omar', 'mona', 'sara'],
  conflicts: ['omar', 'sara'], review: ['omar', 'sara'], providers: ['omar', 'sara'], forms: ['sara'],
  exports: ['omar', 'mona', 'sara'], 'export?source=cases': ['omar', 'mona', 'sara'],
  'export?source=cases&identified=1': ['omar', 'sara'],
};
// Writes of each new page, refused to the roles the table leaves out (with a valid token).
const writes = [
  ['case/resolve', { id: '00000000' }, ['omar', 'sara'], 404],
  ['providers/save', { new: true, id: 'x', name: 'X', services: 'health', location: 'Y' }, ['omar', 'sara'], 200],
  ['forms/archive', { form: 'no-such-form' }, ['sara'], 404],
];
// The pages whose screenshots this spec makes for docs/ (the others come from specs with
// data in them: office_pages.spec.js).
const shotPages = ['dashboard', 'cases', 'users', 'devices', 'audit', 'reports'];

let office;
test.beforeAll(async () => { office = await new Office().open(); });
test.afterAll(async () => { await office.close(); });

test('the admin sets a password from the CLI invitation and invites the others from the Users page', async ({ browser }) => {
  const context = await office.context(browser);
  const page = await context.newPage();
  await office.acceptInvitation(page, office.invitation('sara'));
  await expectAccessible(page, 'set password');
  await screenshot(page, 'console-invitation');
  await office.signIn(page, 'sara');
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === '__Host-amana-console');
  expect(session.httpOnly).toBe(true);
  expect(session.secure).toBe(true);
  expect(session.sameSite).toBe('Strict');

  await page.getByRole('link', { name: 'Users' }).click();
  await expect(page.getByRole('heading', { name: 'Users' })).toBeVisible();
  const codes = {};
  for (const user of ['amina', 'omar', 'mona']) {
    await page.getByRole('button', { name: `Invite ${user}` }).click();
    await expect(page.locator('#issued-code')).toHaveText(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
    codes[user] = await page.locator('#issued-code').textContent();
  }
  await expectAccessible(page, 'users');
  await screenshot(page, 'console-users');
  await context.close();

  for (const user of ['amina', 'omar', 'mona']) {
    const other = await office.context(browser);
    await office.acceptInvitation(await other.newPage(), codes[user]);
    await other.close();
  }
  // A code works once.
  const again = await office.context(browser);
  const againPage = await again.newPage();
  await againPage.goto(`${office.url}/console/#/invitation`);
  await againPage.getByLabel('Invitation code').fill(codes.amina);
  await againPage.getByLabel('New password').fill('another long password');
  await againPage.getByRole('button', { name: 'Set password' }).click();
  await expect(againPage.getByRole('status')).toContainText('invitation code refused');
  await again.close();
});

for (const user of ['amina', 'omar', 'mona', 'sara']) {
  test(`${user} sees and may call exactly what the role table allows`, async ({ browser }) => {
    const context = await office.context(browser);
    const page = await context.newPage();
    await office.signIn(page, user);
    await expect(page.locator('nav li a')).toHaveText(navOf[user]);
    const me = await pageCall(page, 'GET', 'me');
    expect(me.status).toBe(200);
    for (const [name, allowed] of Object.entries(calls)) {
      const answer = await pageCall(page, 'GET', name);
      expect(answer.status, `${user} GET ${name}`).toBe(allowed.includes(user) ? 200 : 403);
    }
    // Writes the role does not hold are refused with a valid token too.
    const invite = await pageCall(page, 'POST', 'users/invite', { user: 'amina' }, me.body.csrf);
    expect(invite.status).toBe(user === 'sara' ? 200 : 403);
    const decide = await pageCall(page, 'POST', 'case/approve', { id: '00000000' }, me.body.csrf);
    expect(decide.status).toBe(['omar', 'sara'].includes(user) ? 404 : 403);
    for (const [name, body, allowed, status] of writes) {
      const answer = await pageCall(page, 'POST', name, { ...body, id: body.id === 'x' ? `x-${user}` : body.id }, me.body.csrf);
      expect(answer.status, `${user} POST ${name}`).toBe(allowed.includes(user) ? status : 403);
    }
    // A page the role lacks, typed in the address bar, leads back to the role's own pages.
    for (const hash of ['forms', 'providers', 'conflicts']) {
      await page.goto(`${office.url}/console/#/${hash}`);
      if (!navOf[user].includes({ forms: 'Forms', providers: 'Provider directory', conflicts: 'Conflicts' }[hash])) {
        await expect(page).not.toHaveURL(new RegExp(`#/${hash}`));
      }
    }
    // A page the role lacks, typed in the address bar, leads back to the role's own pages.
    await page.goto(`${office.url}/console/#/audit`);
    if (user !== 'sara') await expect(page).not.toHaveURL(/#\/audit/);
    // Every page of the role, scanned in both languages.
    for (const language of ['en', 'ar']) {
      if (language === 'ar') {
        await page.getByRole('button', { name: 'العربية' }).click();
        await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
      }
      for (const link of await page.locator('nav li a').all()) {
        await link.click();
        await expect(page.locator('main h1')).toBeVisible();
        await expect(page.locator('#status')).not.toHaveClass(/error/);
        const screen = (await page.locator('main h1').textContent()).trim();
        await expectAccessible(page, `${user} ${language} ${screen}`);
        const hash = new URL(page.url()).hash.replace('#/', '').split('?')[0];
        if (shotPages.includes(hash) && (user === 'sara' || (user === 'omar' && hash === 'cases') || (user === 'mona' && hash === 'reports'))) {
          await screenshot(page, `console-${hash}-${language}`);
        }
      }
    }
    await page.getByRole('button', { name: 'English' }).click();
    await context.close();
  });
}

test('the sign-in page passes axe in both languages', async ({ browser }) => {
  const context = await office.context(browser);
  const page = await context.newPage();
  await page.goto(`${office.url}/console/`);
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expectAccessible(page, 'sign in en');
  await screenshot(page, 'console-sign-in-en');
  await page.getByRole('button', { name: 'العربية' }).click();
  await expect(page.getByRole('heading', { name: 'تسجيل الدخول' })).toBeVisible();
  await expectAccessible(page, 'sign in ar');
  await screenshot(page, 'console-sign-in-ar');
  await context.close();
});
