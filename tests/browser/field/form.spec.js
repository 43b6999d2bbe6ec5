// Filling a form: the forms engine's skip logic and constraints shown as the person
// types, and a draft that survives restarting `field-client ui`.
const { test, expect } = require('@playwright/test');
const { screenshot } = require('../lib/amana');
const { expectAccessible } = require('../lib/axe');
const { Device, answer } = require('./device');

async function startSurvey(page) {
  await page.getByRole('button', { name: 'Post-distribution monitoring' }).click();
  await expect(page.locator('#question-count')).toBeVisible();
}

async function goTo(page, name) {
  for (let i = 0; i < 20 && (await page.locator(`[data-answer="${name}"]`).count()) === 0; i += 1) {
    await page.locator('#next').click();
    await page.waitForTimeout(50);
  }
  await expect(page.locator(`[data-answer="${name}"]`).first()).toBeVisible();
}

test('a skip-logic branch: without consent the survey has no more questions', async ({ page }) => {
  const device = new Device();
  try {
    await device.startUi();
    await device.open(page);
    await startSurvey(page);
    await goTo(page, 'consent');
    await answer(page, 'consent', 'false');
    // The engine drops every question that depends on consent: the list is the note and consent.
    await expect(page.locator('.jump li')).toHaveCount(2);
    await answer(page, 'consent', 'true');
    await expect(page.locator('.jump li')).toHaveCount(13);
    await expect(page.locator('.jump')).toContainText('Distribution site');
    await answer(page, 'consent', 'false');
    await page.locator('#next').click();
    await expect(page.locator('#finish')).toBeVisible();  // the review page: nothing else to ask
    await page.locator('#finish').click();
    await expect(page.locator('.history')).toBeVisible();
  } finally {
    await device.stopUi();
    device.cleanup();
  }
});

test('a constraint error is shown beside its question, and Arabic-Indic digits are read', async ({ page }) => {
  const device = new Device();
  try {
    await device.startUi();
    await device.open(page);
    await startSurvey(page);
    await goTo(page, 'consent');
    await answer(page, 'consent', 'true');
    await page.locator('.jump button', { hasText: 'satisfied' }).click();
    await expect(page.locator('[data-answer="satisfaction"]')).toBeVisible();
    await page.locator('[data-answer="satisfaction"]').fill('9');
    const error = page.locator('#error-satisfaction');
    await expect(error).toContainText('between 1 and 5');
    await expect(page.locator('[data-answer="satisfaction"]')).toHaveAttribute('aria-invalid', 'true');
    // The error is part of the question: referenced by the input.
    expect(await page.locator('[data-answer="satisfaction"]').getAttribute('aria-describedby')).toContain('error-satisfaction');
    await expectAccessible(page, 'a question with an error');
    await screenshot(page, 'field-error-en');
    await page.locator('#next').click();
    await expect(page.locator('[data-answer="satisfaction"]')).toBeVisible();  // not passed while refused
    await page.locator('[data-answer="satisfaction"]').fill('٤');
    await expect(error).toBeEmpty();
    await expect(page.locator('[data-answer="satisfaction"]')).not.toHaveAttribute('aria-invalid', 'true');
  } finally {
    await device.stopUi();
    device.cleanup();
  }
});

test('a draft is resumed after field-client ui restarts', async ({ page, context }) => {
  const device = new Device();
  try {
    await device.startUi();
    await device.open(page);
    await startSurvey(page);
    await goTo(page, 'consent');
    await answer(page, 'consent', 'true');
    await page.locator('#next').click();
    await page.locator('[data-answer="site"]').fill('Um Dukhun market');
    await page.locator('#next').click();
    await expect(page.locator('[data-answer="assistance_type"]').first()).toBeVisible();
    await page.locator('#save-draft').click();
    await expect(page.locator('a[href^="#/fill/"]')).toHaveCount(1);
    await device.stopUi();

    // A new launch: a new one-time address, a new session; the old cookie is worth nothing.
    await context.clearCookies();
    await device.startUi();
    await device.open(page);
    await expect(page.locator('a[href^="#/fill/"]')).toHaveCount(1);
    await page.locator('a[href^="#/fill/"]').click();
    await expect(page.locator('[data-answer="assistance_type"]').first()).toBeVisible();  // where it stopped
    await page.locator('.jump button', { hasText: 'Site' }).click();
    await expect(page.locator('[data-answer="site"]')).toHaveValue('Um Dukhun market');
    const stored = await page.evaluate(async () => {
      const names = (await indexedDB.databases?.()) || [];
      return { local: Object.keys(localStorage), session: Object.keys(sessionStorage), indexed: names.length };
    });
    expect(stored.local.filter((k) => k !== 'amana.language')).toEqual([]);
    expect(stored.session).toEqual([]);
    expect(stored.indexed).toBe(0);
  } finally {
    await device.stopUi();
    device.cleanup();
  }
});
