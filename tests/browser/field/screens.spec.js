// The screens for what the forms engine has beyond one question: a group asked on one
// page, cascading selects (choice_filter), a calculated value shown read-only and updated
// as the person types, and a geopoint from the browser's location or typed. Each in English
// and in Arabic; every verdict comes from the C++ engine, the page only shows it.
const { test, expect } = require('@playwright/test');
const { screenshot } = require('../lib/amana');
const { expectAccessible } = require('../lib/axe');
const { Device, answer } = require('./device');

const runs = {
  en: {
    assessment: 'Rapid protection assessment (key informant)',
    state: 'State', locality: 'Locality', population: 'Population', gps: 'GPS position',
    centralDarfur: 'Zalingei', southDarfur: 'Nyala', pageOf: /^Page \d+ of \d+$/,
    dateOfBirth: 'Date of birth', digits: (s) => s, located: 'did not give its location',
  },
  ar: {
    assessment: 'تقييم سريع للحماية (مُخبر رئيسي)',
    state: 'الولاية', locality: 'المحلية', population: 'الفئات السكانية', gps: 'إحداثيات الموقع',
    centralDarfur: 'زالنجي', southDarfur: 'نيالا', pageOf: /^الصفحة \d+ من \d+$/,
    dateOfBirth: 'تاريخ الميلاد', digits: (s) => s.replace(/[0-9]/g, (d) => '٠١٢٣٤٥٦٧٨٩'[d]),
    located: 'لم يُعطِ هذا الجهاز موقعه',
  },
};

async function startAssessment(page, r) {
  await page.getByRole('button', { name: r.assessment, exact: true }).click();
  await expect(page.locator('#question-count')).toBeVisible();
}

async function jumpTo(page, label) {
  await page.locator('.jump button', { hasText: label }).first().click();
}

// The age the registration computes from a date of birth on 1 January 2000, on the device's today.
function ageOnToday() {
  const now = new Date();
  const today = Date.UTC(now.getFullYear(), now.getMonth(), now.getDate());
  return String(Math.floor((today - Date.UTC(2000, 0, 1)) / 86_400_000 / 365.25));
}

for (const [language, r] of Object.entries(runs)) {
  test(`cascading selects offer only what the earlier answer allows (${language})`, async ({ page }) => {
    const device = new Device();
    try {
      await device.startUi();
      await device.open(page, { language });
      await startAssessment(page, r);
      await jumpTo(page, r.state);
      await answer(page, 'state', 'central_darfur');
      await page.locator('#next').click();
      const localities = page.locator('[data-answer="locality"]');
      await expect(localities.first()).toBeVisible();
      await expect(page.locator('.question')).toContainText(r.centralDarfur);
      await expect(page.locator('.question')).not.toContainText(r.southDarfur);
      await expect(localities).toHaveCount(9);  // the nine localities of Central Darfur
      await expectAccessible(page, `a cascading select (${language})`);
      await screenshot(page, `field-cascade-${language}`);
      await answer(page, 'locality', 'zalingei');
      await page.locator('#next').click();
      // The site's label names the locality chosen, and only its sites (and "other") are offered.
      await expect(page.locator('[data-answer="assessed_site"]')).toHaveCount(6);
      await expect(page.locator('.question legend')).toContainText(r.centralDarfur);

      // Another state: the locality question now offers that state's localities.
      await jumpTo(page, r.state);
      await answer(page, 'state', 'south_darfur');
      await page.locator('#next').click();
      await expect(localities).toHaveCount(2);
      await expect(page.locator('.question')).toContainText(r.southDarfur);
      await expect(page.locator('.question')).not.toContainText(r.centralDarfur);
    } finally {
      await device.stopUi();
      device.cleanup();
    }
  });

  test(`a field-list group is one page (${language})`, async ({ page }) => {
    const device = new Device();
    try {
      await device.startUi();
      await device.open(page, { language });
      await startAssessment(page, r);
      await jumpTo(page, r.population);
      // Both questions of the group on one page, under the group's name.
      await expect(page.locator('[data-answer="population_groups"]').first()).toBeVisible();
      await expect(page.locator('[data-answer="estimated_households"]')).toBeVisible();
      await expect(page.locator('.question h2.group')).toHaveText(language === 'en' ? 'Population' : 'السكان');
      await expect(page.locator('#question-count')).toHaveText(r.pageOf);
      await expectAccessible(page, `a group on one page (${language})`);
      await screenshot(page, `field-group-${language}`);
      // Next checks the whole page: the refused answer keeps the person there, beside it.
      await answer(page, 'population_groups', ['idp']);
      await page.locator('[data-answer="estimated_households"]').fill(r.digits('-3'));
      await page.locator('#next').click();
      await expect(page.locator('#error-estimated_households')).not.toBeEmpty();
      await expect(page.locator('[data-answer="population_groups"]').first()).toBeVisible();
      await page.locator('[data-answer="estimated_households"]').fill(r.digits('40'));
      await expect(page.locator('#error-estimated_households')).toBeEmpty();
      await page.locator('#next').click();
      await expect(page.locator('[data-answer="estimated_households"]')).toHaveCount(0);
    } finally {
      await device.stopUi();
      device.cleanup();
    }
  });

  test(`the registration's computed age follows the date of birth as it is typed (${language})`, async ({ page }) => {
    const device = new Device();
    try {
      const opened = device.cli(['case', 'open', '--name', language === 'en' ? 'Hawa Yahya' : 'حواء يحيى', '--sex', 'female']);
      const kase = opened.match(/Opened case ([0-9a-f-]{36})/)[1];
      await device.startUi();
      await device.open(page, { language });
      await page.goto(`${device.origin}/#/cases/${kase}`);
      await page.locator('[data-step="register"]').click();
      await jumpTo(page, r.dateOfBirth);
      const computed = page.locator('output[data-computed="age_at_registration"]');
      await expect(computed).toHaveText('–');  // nothing to compute from yet
      await expect(page.locator('[data-answer="age_at_registration"]')).toHaveCount(0);  // never asked
      await page.locator('[data-answer="date_of_birth"]').fill(r.digits('01/01/2000'));
      await expect(computed).toHaveText(ageOnToday());
      await expectAccessible(page, `a computed value (${language})`);
      await screenshot(page, `field-calculated-${language}`);
      await page.locator('[data-answer="date_of_birth"]').fill('');
      await expect(computed).toHaveText('–');
      await page.locator('[data-answer="date_of_birth"]').fill(r.digits('01/01/2000'));
      await expect(computed).toHaveText(ageOnToday());
      await page.locator('#next').click();
      // The age question takes the computed age as its default.
      await expect(page.locator('[data-answer="age"]')).toHaveValue(ageOnToday());
    } finally {
      await device.stopUi();
      device.cleanup();
    }
  });

  test(`a geopoint from the browser's location, or typed when it gives none (${language})`, async ({ browser }) => {
    const device = new Device();
    const located = await browser.newContext({ permissions: ['geolocation'], geolocation: { latitude: 12.91, longitude: 23.48, accuracy: 8 } });
    const refused = await browser.newContext({ permissions: [] });
    try {
      await device.startUi();
      let page = await located.newPage();
      await device.open(page, { language });
      await startAssessment(page, r);
      await jumpTo(page, r.gps);
      await page.locator('#locate-button-gps').click();
      await expect(page.locator('[data-answer="gps"]')).toHaveValue(/^12\.91 23\.48 0 8$/);
      await expect(page.locator('#error-gps')).toBeEmpty();
      await expectAccessible(page, `a geopoint (${language})`);
      await screenshot(page, `field-geopoint-${language}`);
      await page.locator('#next').click();
      await expect(page.locator('[data-answer="gps"]')).toHaveCount(0);
      await page.close();

      // No permission: the page says so, and the position is typed instead.
      page = await refused.newPage();
      await device.stopUi();
      await device.startUi();
      await device.open(page, { language });
      await startAssessment(page, r);
      await jumpTo(page, r.gps);
      await page.locator('#locate-button-gps').click();
      await expect(page.locator('#locate-gps')).toContainText(r.located);
      await page.locator('[data-answer="gps"]').fill(r.digits('12.5 23.1'));
      await expect(page.locator('#error-gps')).toBeEmpty();
      await page.locator('#next').click();
      await expect(page.locator('[data-answer="gps"]')).toHaveCount(0);
      await page.locator('#to-review').click();
      await expect(page.locator('.values')).toContainText('12.5 23.1');
    } finally {
      await located.close();
      await refused.close();
      await device.stopUi();
      device.cleanup();
    }
  });
}
