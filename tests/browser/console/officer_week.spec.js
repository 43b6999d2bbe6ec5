// An officer's week through the console, against a server a real device syncs with: the
// case the assistant's device opened shows in the dashboard and the case list (found by
// the name the registration gave, in Arabic letters too), the officer assigns it and approves its closure with the
// closure summary in view, and the device learns both at its next `field-client sync`.
const { test, expect } = require('@playwright/test');
const { Office } = require('./office');
const { expectAccessible } = require('../lib/axe');
const { screenshot } = require('../lib/amana');

test('an officer assigns a case synced from a device and approves its closure; the device receives both', async ({ browser }) => {
  test.setTimeout(300_000);
  const office = await new Office().open();
  try {
    office.admin(['users', 'add', 'hawa', '--role', 'assistant', '--team', 'um-dukhun']);
    const amina = office.device('amina');
    const kase = amina.openCaseToClose();
    const context = await office.context(browser);
    const page = await context.newPage();
    await office.acceptInvitation(page, office.invitation('omar'));
    await office.signIn(page, 'omar');

    await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
    const closures = page.locator('section', { has: page.getByRole('heading', { name: 'Closures awaiting approval' }) });
    await expect(closures.locator('.count')).toHaveText('1');
    await expectAccessible(page, 'dashboard with a closure');
    await screenshot(page, 'console-dashboard-officer');

    await page.getByRole('link', { name: 'Cases' }).click();
    await page.getByLabel('Search by name').fill('سلمى');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect(page.locator('main tbody tr')).toHaveCount(1);
    await page.getByLabel('Search by name').fill('Salma');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect(page.locator('main tbody tr')).toHaveCount(1);
    await page.getByLabel('Search by name').fill('Nobody');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect(page.getByText('None.')).toBeVisible();

    await page.goto(`${office.url}/console/#/case/${kase}`);
    await expect(page.getByRole('heading', { name: 'Case file' })).toBeVisible();
    await expect(page.locator('#case-status')).toHaveText('closure_requested');
    await expect(page.getByRole('heading', { name: 'Closure requested' })).toBeVisible();
    await expectAccessible(page, 'case file');
    await screenshot(page, 'console-case-file');

    await page.getByLabel('Assign to').fill('hawa');
    await page.getByRole('button', { name: 'Assign', exact: true }).click();
    await expect(page.locator('#case-assignee')).toHaveText('hawa');
    await page.getByLabel('Assign to').fill('amina');
    await page.getByRole('button', { name: 'Assign', exact: true }).click();
    await expect(page.locator('#case-assignee')).toHaveText('amina');
    await page.getByRole('button', { name: 'Approve closure' }).click();
    await expect(page.locator('#case-status')).toHaveText('closed');
    await expect(page.locator('main table')).toContainText('omar');
    await context.close();

    // The device learns the decisions at its next sync.
    amina.run(['sync']);
    const shown = amina.run(['case', 'show', kase]);
    expect(shown).toContain('closed');
    expect(shown).toContain('omar');
    const audit = office.admin(['audit']);
    expect(audit).toContain('omar');
    expect(audit).toMatch(/omar\s+assign/);
  } finally {
    await office.close();
  }
});
