// The field client's screens against a real `sync-server serve` on loopback: a sync with
// its progress, the provider directory it brings down offered at the referral's provider
// question (filtered by the service asked), the client's consent checked at the question,
// a plain error when the server is gone, a bundle for the USB stick instead, the referral
// sheet as consent allows, and the wipe behind its typed confirmation.
const fs = require('fs');
const path = require('path');
const { test, expect } = require('@playwright/test');
const { run, start, stop, screenshot } = require('../lib/amana');
const { expectAccessible } = require('../lib/axe');
const { Device, answerAll, answer, finish, examples } = require('./device');

function serverEnv(dir) {
  return { AMANA_SERVER_PASSPHRASE: 'browser test operator passphrase', AMANA_SERVER_DATA: path.join(dir, 'server') };
}

test('sync with progress, a referral refused for consent at its question, offline, wipe', async ({ page }) => {
  const device = new Device('amina');
  const env = serverEnv(device.dir);
  const server = (args) => run('sync-server', args, { env });
  let serving = null;
  try {
    server(['init']);
    server(['users', 'add', 'amina', '--role', 'assistant', '--team', 'um-dukhun']);
    server(['providers', 'add', 'um-dukhun-clinic', '--name', 'Um Dukhun clinic', '--services', 'health', '--location', 'Um Dukhun']);
    server(['providers', 'add', 'legal-desk', '--name', 'Legal aid desk', '--services', 'legal', '--location', 'Um Dukhun']);
    serving = await start('sync-server', ['serve', '--plain-http', '--listen', '127.0.0.1:0'], { ready: /listening on (\S+)/, env });
    const url = `http://${serving.match[1]}`;
    const code = server(['enroll', 'amina', '--expires', '1h']).split('\n')[2].trim();
    device.cli(['enroll', code, '--server', url]);

    // A case registered without consent to share information, assessed and planned (CLI).
    const opened = device.cli(['case', 'open', '--name', 'Amina Yousif', '--sex', 'female', '--age', '30', '--location', 'Um Dukhun']);
    const caseId = opened.match(/Opened case ([0-9a-f-]+)/)[1];
    const registration = JSON.parse(fs.readFileSync(path.join(examples, 'case-registration.answers.json'), 'utf8'));
    Object.assign(registration, { full_name: 'Amina Yousif', age: 30, consent_information_sharing: false });
    delete registration.caregiver_name;
    delete registration.caregiver_consent;
    delete registration.date_of_birth;
    const file = path.join(device.dir, 'registration.json');
    fs.writeFileSync(file, JSON.stringify(registration));
    device.cli(['case', 'register', caseId, '--answers', file]);
    device.cli(['case', 'assess', caseId, '--answers', path.join(examples, 'case-assessment.answers.json')]);
    device.cli(['case', 'plan', caseId, '--answers', path.join(examples, 'case-plan.answers.json')]);

    await device.startUi();
    await device.open(page);

    // Sync: progress lines as they come, then what happened in plain words.
    await page.locator('#nav a[href="#/sync"]').click();
    await expectAccessible(page, 'sync');
    await page.getByRole('button', { name: 'Sync now' }).click();
    await expect(page.locator('#sync-outcome .ok')).toBeVisible();
    expect(await page.locator('#sync-log li').count()).toBeGreaterThan(0);
    expect(await page.locator('#sync-progress').evaluate((p) => p.value === p.max)).toBe(true);
    await expect(page.locator('#sync-outcome')).toContainText('0 changes still waiting');
    await screenshot(page, 'field-sync-en');

    // The referral: providers of the service asked, and consent checked at its question.
    await page.goto(`${device.origin}/#/cases/${caseId}`);
    await page.locator('[data-step="refer"]').click();
    await answerAll(page, { service_type: 'health', urgency: 'urgent' }, {
      onQuestion: async (name) => {
        if (name !== 'provider_id') return;
        const offered = page.locator('.suggestions label');
        await expect(offered).toHaveCount(1);
        await expect(offered).toContainText('Um Dukhun clinic');
        await expectAccessible(page, 'the provider question');
        await screenshot(page, 'field-referral-provider-en');
        await page.locator('.suggestions input[value="um-dukhun-clinic"]').check();
        await expect(page.locator('[data-answer="provider_id"]').first()).toHaveValue('um-dukhun-clinic');
        await page.locator('#next').click();
        await page.locator('[data-answer="reason"]').fill('Medical care after an assault');
        await page.locator('#next').click();
        await answer(page, 'share_identifying_data', 'true');
        await expect(page.locator('#error-share_identifying_data')).toContainText('consented');
        await page.locator('#next').click();
        await expect(page.locator('#error-share_identifying_data')).toContainText('consented');  // not passed
        await screenshot(page, 'field-referral-consent-en');
        await answer(page, 'share_identifying_data', 'false');
        await expect(page.locator('#error-share_identifying_data')).toBeEmpty();
        await page.locator('.jump button', { hasText: 'Service provider' }).click();
      },
    });
    await finish(page);
    await expect(page.locator('.timeline')).toContainText('Referral');
    await expect(page.locator('.timeline')).toContainText('um-dukhun-clinic');

    // The sheet for the provider carries the client's identity only as consent allows.
    await page.locator('.timeline a', { hasText: 'Referral' }).click();
    await page.locator('a[href^="#/sheet/"]').click();
    await expect(page.locator('#withheld')).toBeVisible();
    await expect(page.locator('main')).toContainText('Um Dukhun clinic');
    await expect(page.locator('main')).not.toContainText('Amina Yousif');
    await expectAccessible(page, 'referral sheet');
    await page.emulateMedia({ media: 'print' });
    await expect(page.locator('header.bar')).toBeHidden();
    await screenshot(page, 'field-referral-sheet-en');
    await page.emulateMedia({ media: 'screen' });

    // The server goes away: the sync says so plainly, and nothing is lost.
    await stop(serving);
    serving = null;
    await page.locator('#nav a[href="#/sync"]').click();
    await page.getByRole('button', { name: 'Sync now' }).click();
    await expect(page.locator('#sync-outcome .error')).toContainText('cannot be reached');
    // What is waiting goes on a USB stick instead.
    const bundleFile = path.join(device.dir, 'usb-bundle.amana');
    await page.locator('#bundle-file').fill(bundleFile);
    await page.getByRole('button', { name: 'Write a bundle' }).click();
    await expect(page.locator('#bundle-outcome .ok')).toContainText('written');
    expect(fs.existsSync(bundleFile)).toBe(true);

    // Wipe, behind its typed confirmation.
    await page.locator('#nav a[href="#/wipe"]').click();
    await expectAccessible(page, 'wipe');
    await page.locator('#wipe-confirm').fill('wipe');
    await page.getByRole('button', { name: 'Wipe everything' }).click();
    await expect(page.locator('.error')).toContainText('WIPE');
    expect(fs.existsSync(path.join(device.home, 'store.db'))).toBe(true);
    await page.locator('#wipe-confirm').fill('WIPE');
    await page.getByRole('button', { name: 'Wipe everything' }).click();
    await expect(page.locator('h1')).toHaveText('Wiped');
    expect(fs.existsSync(path.join(device.home, 'store.db'))).toBe(false);
  } finally {
    await stop(serving);
    await device.stopUi();
    device.cleanup();
  }
});
