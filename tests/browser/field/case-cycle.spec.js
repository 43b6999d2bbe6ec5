// One protection case through its whole cycle in the browser, in English and again in
// Arabic: opened, registered (prefilled from the case), assessed, planned, followed up
// (due date from the plan), closure requested; found by name in the other script; a step
// edited with its history. Every screen is scanned with axe.
const { test, expect } = require('@playwright/test');
const { screenshot } = require('../lib/amana');
const { expectAccessible } = require('../lib/axe');
const { Device, answerAll, finish } = require('./device');

const runs = {
  en: {
    person: { name: 'Fatima Abdelrahman', age: '32', location: 'Um Dukhun, block C' },
    digits: (s) => s,
    date: '15/01/2030',
    statuses: { registered: 'Registered', closure: 'Closure requested' },
  },
  ar: {
    person: { name: 'فاطمة عبد الرحمن', age: '٣٢', location: 'أم دخن، المربع ج' },
    digits: (s) => s.replace(/[0-9]/g, (d) => '٠١٢٣٤٥٦٧٨٩'[d]),
    date: '١٥/٠١/٢٠٣٠',
    statuses: { registered: 'مسجَّلة', closure: 'طُلب إغلاقها' },
  },
};

for (const [language, r] of Object.entries(runs)) {
  test(`the whole case cycle through the screens (${language})`, async ({ page }) => {
    const device = new Device();
    try {
      await device.startUi();
      await device.open(page, { language, axe: true });
      if (language === 'ar') {
        await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
        await expect(page.locator('html')).toHaveAttribute('lang', 'ar');
        expect(await page.evaluate(() => getComputedStyle(document.querySelector('main')).direction)).toBe('rtl');
        // Laid out right to left: the first link of the menu is right of the last.
        const links = page.locator('#nav a');
        const first = await links.first().boundingBox();
        const last = await links.last().boundingBox();
        expect(first.x).toBeGreaterThan(last.x);
      }
      await expectAccessible(page, `home (${language})`);
      await screenshot(page, `field-home-${language}`);

      // Open a case.
      await page.locator('a[href="#/cases/new"]').first().click();
      await expect(page.locator('#open-name')).toBeVisible();
      await expectAccessible(page, `open a case (${language})`);
      await page.locator('#open-name').fill(r.person.name);
      await page.locator('input[name="open-sex"][value="female"]').check();
      await page.locator('#open-age').fill(r.person.age);
      await page.locator('#open-location').fill(r.person.location);
      await page.locator('form button[type="submit"]').click();
      await expect(page.locator('[data-step="register"]')).toBeVisible();
      await expectAccessible(page, `case file (${language})`);

      // Registration: the person comes from the case, and who obtained consent is the user.
      await page.locator('[data-step="register"]').click();
      await expect(page.locator('[data-answer="registration_date"]')).toBeVisible();
      await expectAccessible(page, `a question (${language})`);
      await screenshot(page, `field-question-${language}`);
      const prefilled = {};
      await answerAll(page, {
        displacement_status: 'idp', consent_services: 'true', consent_referral: 'true', consent_information_sharing: 'true',
      }, {
        onQuestion: async (name) => {
          if (['full_name', 'age', 'consent_obtained_by'].includes(name)) {
            prefilled[name] = await page.locator(`[data-answer="${name}"]`).inputValue();
          }
        },
      });
      expect(prefilled.full_name).toBe(r.person.name);
      expect(prefilled.age).toBe('32');  // stored as digits the engine reads
      expect(prefilled.consent_obtained_by).toBe('amina');
      await expectAccessible(page, `review (${language})`);
      await screenshot(page, `field-review-${language}`);
      await finish(page);
      await expect(page.locator('#case-status')).toHaveText(r.statuses.registered);

      // Assessment, plan, follow-up and closure, each from the next steps the cycle allows.
      await page.locator('[data-step="assess"]').click();
      await answerAll(page, {
        protection_threats: ['physical_assault'], specific_needs: ['SP'], risk_level: 'high', immediate_safety_concern: 'false',
      });
      await finish(page);
      await page.locator('[data-step="plan"]').click();
      await answerAll(page, {
        goals: 'Safety at home', actions: 'Legal aid; psychosocial support', responsible: 'case_worker',
        timeframe_days: r.digits('30'), next_follow_up: r.date, client_agreed: 'true',
      });
      await finish(page);
      await expect(page.locator('[data-step="refer"]')).toBeVisible();
      await page.locator('[data-step="follow-up"]').click();
      let due = '';
      await answerAll(page, {
        contact_method: 'phone', client_reached: 'true', outcome: 'Safer; dispute mediated', risk_level_now: 'medium',
      }, { onQuestion: async (name) => { if (name === 'due_date') due = await page.locator('[data-answer="due_date"]').inputValue(); } });
      expect(due).toBe('2030-01-15');  // from the plan
      await finish(page);
      await page.locator('[data-step="close"]').click();
      await answerAll(page, { reason: 'goals_met', closure_summary: 'Goals of the plan met', client_informed: 'true' });
      await finish(page);
      await expect(page.locator('#case-status')).toHaveText(r.statuses.closure);
      await expect(page.locator('.timeline li')).toHaveCount(5);
      await screenshot(page, `field-case-${language}`);

      // The case is found by name in the other script, and listed with its status.
      await page.locator('#nav a[href="#/cases"]').click();
      await page.locator('#case-search').fill(language === 'en' ? 'فاطمة' : 'Fatima');
      await page.locator('form[role="search"] button').click();
      await expect(page.locator('tbody tr')).toHaveCount(1);
      await expectAccessible(page, `cases (${language})`);
      await screenshot(page, `field-cases-${language}`);

      // Records: a step with its history.
      await page.locator('#nav a[href="#/records"]').click();
      await expect(page.locator('tbody tr')).toHaveCount(5);
      await expectAccessible(page, `records (${language})`);
      await page.locator('tbody tr a').first().click();  // the newest: the closure request
      await expect(page.locator('.history > li')).toHaveCount(1);
      await expectAccessible(page, `a record (${language})`);
      // Edited through the same question-by-question screen: a second revision in its history.
      await page.locator('a[href^="#/edit/"]').click();
      await page.locator('.jump li:nth-child(3) button').click();
      await page.locator('[data-answer="closure_summary"]').fill(r.person.name + ': goals met, referred on');
      await page.locator('#to-review').click();
      await finish(page);
      await expect(page.locator('.history > li')).toHaveCount(2);
      await expect(page.locator('.values')).toContainText('goals met, referred on');
    } finally {
      await device.stopUi();
      device.cleanup();
    }
  });
}
