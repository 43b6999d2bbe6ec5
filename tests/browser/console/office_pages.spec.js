// The console's supervision and office pages against a server real devices sync with: an
// officer keeps one of two conflicting versions side by side and the devices receive it;
// the weekly review with a closure awaiting approval; the provider directory (add, edit,
// a CSV whose wrong lines are listed, then a right one); forms (an XLSForm published, the
// converter's errors shown, archived); datasets (de-identified for MEAL, identified only
// for an officer, each download in the audit log). Every page is scanned with axe in
// English and Arabic, and photographed for docs/console.md.
const fs = require('fs');
const path = require('path');
const { test, expect } = require('@playwright/test');
const { Office } = require('./office');
const { expectAccessible } = require('../lib/axe');
const { screenshot } = require('../lib/amana');
const { xlsx } = require('../lib/xlsx');

test.describe.configure({ mode: 'serial' });

const examples = path.resolve(__dirname, '..', '..', '..', 'forms', 'examples');
let office;
let amina;
let omarDevice;
let kase;
let referral;

test.beforeAll(async ({ browser }) => {
  test.setTimeout(300_000);
  office = await new Office().open();
  office.admin(['providers', 'add', 'legal-aid-um-dukhun', '--name', 'Legal aid', '--services', 'legal',
    '--location', 'Um Dukhun']);
  for (const user of ['omar', 'mona', 'sara']) {
    const context = await office.context(browser);
    await office.acceptInvitation(await context.newPage(), office.invitation(user));
    await context.close();
  }
});
test.afterAll(async () => { await office.close(); });

// Scans the page in both languages and photographs each; leaves it in English.
async function bothLanguages(page, name) {
  await expectAccessible(page, `${name} en`);
  await screenshot(page, `console-${name}-en`);
  await page.getByRole('button', { name: 'العربية' }).click();
  await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
  await expect(page.locator('main h1')).toBeVisible();
  await expectAccessible(page, `${name} ar`);
  await screenshot(page, `console-${name}-ar`);
  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.locator('html')).toHaveAttribute('dir', 'ltr');
}

async function signedIn(browser, user) {
  const context = await office.context(browser);
  const page = await context.newPage();
  expect(await office.signIn(page, user)).toBe(200);
  return { context, page };
}

test('an officer keeps one of two conflicting versions side by side; both devices receive it', async ({ browser }) => {
  test.setTimeout(300_000);
  amina = office.device('amina');
  omarDevice = office.device('omar');
  amina.run(['sync']);  // the provider directory the referral names
  const identified = amina.run(['collect', 'outreach-identification', '--answers',
    path.join(examples, 'outreach-identification.answers.json')]);
  const opened = amina.run(['case', 'open', '--from', identified.slice(0, 36), '--not-a-duplicate']);
  kase = opened.slice(opened.indexOf('Opened case ') + 12).slice(0, 36);
  for (const [verb, form] of [['register', 'case-registration'], ['assess', 'case-assessment'], ['plan', 'case-plan'],
    ['refer', 'referral']]) {
    amina.run(['case', verb, kase, '--answers', path.join(examples, `${form}.answers.json`)]);
  }
  amina.run(['sync']);
  omarDevice.run(['sync']);
  const shown = amina.run(['case', 'show', kase]);
  referral = shown.slice(shown.indexOf('referral  ') + 10).slice(0, 36);
  // Both record the referral's outcome offline, neither seeing the other's.
  amina.run(['case', 'referral-update', referral, '--status', 'declined']);
  omarDevice.run(['case', 'referral-update', referral, '--status', 'accepted']);
  amina.run(['sync']);
  omarDevice.run(['sync']);

  const { context, page } = await signedIn(browser, 'omar');
  await page.getByRole('link', { name: 'Conflicts' }).click();
  await expect(page.getByRole('heading', { name: 'Conflicts', level: 1 })).toBeVisible();
  const card = page.locator('section.conflict');
  await expect(card).toHaveCount(1);
  await expect(card.locator('.version')).toHaveCount(2);
  await expect(card).toContainText('amina');
  await expect(card).toContainText('omar');
  await expect(card.getByRole('link')).toContainText('Salma');
  await bothLanguages(page, 'conflicts');

  const accepted = card.locator('.version', { hasText: /accepted/i });
  await accepted.getByRole('button').click();
  await expect(page.getByRole('status').first()).toContainText('devices receive it');
  await expect(page.getByText('No conflicts await a decision.')).toBeVisible();
  await context.close();

  for (const device of [amina, omarDevice]) {
    device.run(['sync']);
    expect(device.run(['show', referral, '--json'])).toContain('"status": "accepted"');
  }
  expect(office.admin(['audit'])).toMatch(/omar\s+resolve-conflict/);
});

test('the weekly review shows the closure awaiting approval, by name', async ({ browser }) => {
  amina.run(['case', 'close', kase, '--answers', path.join(examples, 'case-closure.answers.json')]);
  amina.run(['sync']);
  const { context, page } = await signedIn(browser, 'omar');
  await page.getByRole('link', { name: 'Weekly review' }).click();
  const closures = page.locator('table', { has: page.locator('caption', { hasText: 'Closures awaiting approval' }) });
  await expect(closures.locator('tbody tr')).toHaveCount(1);
  await expect(closures).toContainText('Salma');
  await bothLanguages(page, 'review');
  await closures.getByRole('link').click();
  await expect(page.getByRole('heading', { name: 'Closure requested' })).toBeVisible();
  await context.close();
});

test('the provider directory: add, edit, and a CSV whose wrong lines are listed imports nothing', async ({ browser }) => {
  const { context, page } = await signedIn(browser, 'omar');
  await page.getByRole('link', { name: 'Provider directory' }).click();
  const form = page.locator('#provider-form');
  await form.getByLabel('Short name').fill('clinic-um-dukhun');
  await form.getByLabel('Name', { exact: true }).fill('Um Dukhun clinic');
  await form.getByLabel('Location').fill('Um Dukhun');
  await form.getByRole('button', { name: 'Save' }).click();
  // No service chosen: the server's reason shows at the form, and nothing is saved.
  await expect(form.getByRole('alert')).toContainText('at least one service');
  await form.locator('input[name="services"]').first().check();
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(page.locator('main table')).toContainText('Um Dukhun clinic');
  await page.getByRole('link', { name: 'Edit Um Dukhun clinic' }).click();
  await expect(page.getByRole('heading', { name: 'Edit Um Dukhun clinic' })).toBeVisible();
  await page.locator('#provider-form').getByLabel('Opening hours').fill('Sun-Thu 8-14');
  await page.locator('#provider-form').getByRole('button', { name: 'Save' }).click();
  await expect(page.locator('main table')).toContainText('Um Dukhun clinic');

  const upload = (name, text) => page.locator('#provider-import-file').setInputFiles({
    name, mimeType: 'text/csv', buffer: Buffer.from(text, 'utf8'),
  });
  await upload('wrong.csv', 'id,name,services,location\nshelter-1,Shelter,shelter,X\nBad Id,Wrong,legal,X\nno-services,None,,X\n');
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  const problems = page.locator('#import-problems li');
  await expect(problems).toHaveCount(2);
  await expect(problems.nth(0)).toContainText('Line 3');
  await expect(problems.nth(1)).toContainText('Line 4');
  await expect(page.locator('main table')).not.toContainText('Shelter');
  await bothLanguages(page, 'providers');
  await upload('right.csv', 'id,name,services,location\nshelter-1,Shelter,shelter,X\n');
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.locator('main table')).toContainText('Shelter');
  await context.close();
  const audit = office.admin(['audit']);
  expect(audit).toMatch(/omar\s+provider-add/);
  expect(audit).toMatch(/omar\s+provider-update/);
  expect(audit).toMatch(/omar\s+provider-import/);
  expect(audit).toMatch(/operator\s+provider-add/);  // the CLI's, as the operator
});

test('forms: an administrator publishes an XLSForm, sees the converter errors of a wrong one, archives', async ({ browser }) => {
  const choices = [['list_name', 'name', 'label::English (en)', 'label::Arabic (ar)'],
    ['yes_no', 'yes', 'Yes', 'نعم'], ['yes_no', 'no', 'No', 'لا']];
  const good = xlsx({
    survey: [['type', 'name', 'label::English (en)', 'label::Arabic (ar)'], ['select_one yes_no', 'safe', 'Is the site safe?', 'هل الموقع آمن؟']],
    choices,
    settings: [['form_id', 'form_title'], ['site-check', 'Site check']],
  });
  const wrong = xlsx({
    survey: [['type', 'name', 'label::English (en)'], ['select_one no_such_list', 'safe', 'Safe?']],
    settings: [['form_id'], ['broken-form']],
  });
  const { context, page } = await signedIn(browser, 'sara');
  await page.getByRole('link', { name: 'Forms' }).click();
  const choose = (name, buffer) => page.locator('#form-publish-file').setInputFiles({
    name, mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer,
  });
  await choose('broken.xlsx', wrong);
  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page.locator('#publish-result .error')).toContainText('no_such_list');
  await bothLanguages(page, 'forms');
  await choose('site.xlsx', good);
  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page.locator('#status')).toContainText('Published site-check, version 1');
  const row = page.locator('main tr', { hasText: 'Site check' });
  await expect(row).toContainText('version 1');
  page.once('dialog', (dialog) => dialog.accept());
  await row.getByRole('button', { name: 'Archive Site check' }).click();
  await expect(page.locator('main tr', { hasText: 'Site check' })).toContainText('archived');
  await context.close();
  expect(office.admin(['audit'])).toMatch(/sara\s+form-publish/);
});

test('datasets: MEAL downloads de-identified data only, an officer identified; each download is audited', async ({ browser }) => {
  const read = async (page, submit) => {
    const downloaded = page.waitForEvent('download');
    await submit();
    const file = await (await downloaded).path();
    return fs.readFileSync(file, 'utf8');
  };
  const meal = await signedIn(browser, 'mona');
  await expect(meal.page.getByRole('heading', { name: 'Datasets and reports' })).toBeVisible();
  await expect(meal.page.locator('#identified')).toHaveCount(0);
  await meal.page.getByLabel('Dataset').selectOption('cases');
  const plain = await read(meal.page, () => meal.page.getByRole('button', { name: 'Download the dataset' }).click());
  expect(plain.split('\n').length).toBeGreaterThan(1);
  expect(plain).not.toContain('Salma');
  await bothLanguages(meal.page, 'reports');
  await meal.context.close();

  const officer = await signedIn(browser, 'omar');
  await officer.page.getByRole('link', { name: 'Datasets and reports' }).click();
  await officer.page.getByLabel('Dataset').selectOption('cases');
  await officer.page.locator('#identified').check();
  const identified = await read(officer.page, () => officer.page.getByRole('button', { name: 'Download the dataset' }).click());
  expect(identified).toContain('Salma');
  await officer.context.close();
  const audit = office.admin(['audit']);
  expect(audit).toMatch(/mona\s+export\s+cases.*de-identified, console download/);
  expect(audit).toMatch(/omar\s+export\s+cases.*IDENTIFIED, console download/);
});

test('datasets: a form with a household roster offers each of its tables; a refused download says why, in Arabic', async ({ browser }) => {
  const roster = xlsx({
    survey: [['type', 'name', 'label::English (en)', 'repeat_count'],
      ['integer', 'hh_size', 'Household size', ''],
      ['begin repeat', 'members', 'Household members', '${hh_size}'],
      ['integer', 'm_age', 'Age', ''],
      ['end repeat', '', '', '']],
    settings: [['form_id', 'form_title'], ['household', 'Household']],
  });
  const file = path.join(office.dir, 'household.xlsx');
  fs.writeFileSync(file, roster);
  office.admin(['forms', 'publish', file]);
  const meal = await signedIn(browser, 'mona');
  const { page } = meal;
  await page.getByLabel('Dataset').selectOption('household');
  const members = page.getByRole('button', { name: 'Download the members table (CSV)' });
  await expect(members).toBeVisible();
  await expect(page.locator('#dataset-tables button')).toHaveCount(3);  // the form's, the roster's, the codebook
  const downloaded = page.waitForEvent('download');
  await members.click();
  const saved = await downloaded;
  expect(saved.suggestedFilename()).toBe('amana-household-members.csv');
  // De-identified, the roster is unlinked: no column ties a member to the household (docs/meal.md).
  expect(fs.readFileSync(await saved.path(), 'utf8').split('\r\n')[0]).toBe('form_version,m_age');
  // Cases have no repeat: only their own table and the codebook.
  await page.getByLabel('Dataset').selectOption('cases');
  await expect(page.locator('#dataset-tables button')).toHaveCount(2);

  // In Arabic, a page made to ask for identified data (MEAL has no such checkbox): the server
  // refuses, and its reason is on the page in Arabic, the page right to left and still there.
  await page.getByRole('button', { name: 'العربية' }).click();
  await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
  await expect(page.locator('#dataset-form')).toBeVisible();
  await page.evaluate(() => {
    const forged = document.createElement('input');
    Object.assign(forged, { type: 'hidden', name: 'identified', value: '1' });
    document.getElementById('dataset-form').append(forged);
  });
  await page.getByRole('button', { name: 'نزّل البيانات (CSV)' }).click();
  const status = page.locator('#status');
  await expect(status).toHaveText('دورك (meal) يسمح بتنزيل البيانات غير المعرِّفة فقط: اطلب البيانات المعرِّفة من موظف حماية أو من المسؤول');
  await expect(status).toHaveClass(/error/);
  await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
  await expect(page.locator('html')).toHaveAttribute('lang', 'ar');
  await expect(page.locator('#dataset-form')).toBeVisible();
  await meal.context.close();
  const audit = office.admin(['audit']);
  expect(audit).toMatch(/mona\s+export\s+household.*de-identified, console download/);
  expect(audit).not.toMatch(/mona\s+export\s+\S+.*IDENTIFIED/);
});
