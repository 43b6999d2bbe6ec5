// A field device for the browser tests: a real store made by `field-client init`, the
// real `field-client ui` serving it on loopback, and helpers that walk its screens as a
// person does (one question at a time). Nothing of Amana is mocked.
const fs = require('fs');
const path = require('path');
const { expect } = require('@playwright/test');
const { run, start, stop, scratch, repo } = require('../lib/amana');
const { expectAccessible } = require('../lib/axe');

const PASSPHRASE = 'browser test passphrase';
const READY = /(http:\/\/127\.0\.0\.1:\d+\/\?k=[0-9a-f]+)/;

class Device {
  constructor(user = 'amina') {
    this.dir = scratch('field-ui');
    this.home = path.join(this.dir, 'home');
    this.env = { AMANA_HOME: this.home, AMANA_PASSPHRASE: PASSPHRASE, AMANA_LANG: 'en' };
    run('field-client', ['init', '--user', user], { env: this.env });
  }

  cli(args) { return run('field-client', args, { env: this.env }); }

  // Starts `field-client ui` and returns the one-time address it printed.
  async startUi(extra = []) {
    this.ui = await start('field-client', ['ui', '--no-open', ...extra], { ready: READY, env: this.env });
    this.url = this.ui.match[1];
    this.origin = new URL(this.url).origin;
    return this.url;
  }

  async stopUi() { await stop(this.ui); this.ui = null; }

  // Opens the printed address (the key becomes the session cookie) and unlocks.
  async open(page, { language = 'en', passphrase = PASSPHRASE, axe = false } = {}) {
    await page.goto(this.url);
    await expect(page).toHaveURL(`${this.origin}/`);
    if (language === 'ar' && (await page.locator('html').getAttribute('lang')) !== 'ar') {
      await page.locator('#language').click();
    }
    await expect(page.locator('#passphrase')).toBeVisible();
    if (axe) await expectAccessible(page, `unlock (${language})`);
    await page.locator('#passphrase').fill(passphrase);
    await page.locator('form button[type="submit"]').click();
    await expect(page.locator('#nav a').first()).toBeVisible();
  }

  cleanup() { fs.rmSync(this.dir, { recursive: true, force: true }); }
}

// Answers the form on screen question by question: `answers` maps a field name to its
// value (text typed, a choice name, 'true'/'false', or a list for several choices); a
// question not named keeps its default or is left empty. Stops at the review page.
async function answerAll(page, answers, { onQuestion } = {}) {
  await expect(page.locator('#question-count')).toBeVisible();  // the form is on screen
  for (let guard = 0; guard < 60; guard += 1) {
    if (await page.locator('#finish').isVisible()) return;
    const input = page.locator('[data-answer]').first();
    if (await input.count() === 0) {  // a note: wait until the next question is drawn
      const shown = await page.locator('#question-count').textContent();
      await page.locator('#next').click();
      await page.waitForFunction((before) => {
        const count = document.getElementById('question-count');
        return document.getElementById('finish') || (count && count.textContent !== before);
      }, shown);
      continue;
    }
    // Every question on the page (a field-list group shows several), including one an
    // answer on this page made relevant.
    const seen = new Set();
    for (let more = true; more;) {
      more = false;
      const names = await page.locator('[data-answer]').evaluateAll((els) => [...new Set(els.map((e) => e.dataset.answer))]);
      for (const name of names.filter((n) => !seen.has(n))) {
        seen.add(name);
        more = true;
        if (onQuestion) await onQuestion(name);
        if (name in answers) {
          await answer(page, name, answers[name]);
          await expect(page.locator('[data-busy]')).toHaveCount(0);  // its verdict may add a question
        }
      }
    }
    const name = [...seen][0];
    await page.locator('#next').click();
    try {
      await expect(page.locator(`[data-answer="${name}"]`)).toHaveCount(0, { timeout: 5000 });
    } catch {
      const error = await page.locator(`#error-${name}`).textContent().catch(() => '');
      throw new Error(`question ${name} was not accepted: ${error}`);
    }
  }
  throw new Error('the form never reached its review page');
}

async function answer(page, name, value) {
  const inputs = page.locator(`[data-answer="${name}"]`);
  const type = await inputs.first().getAttribute('type');
  if (type === 'radio') {
    await page.locator(`[data-answer="${name}"][value="${value}"]`).check();
  } else if (type === 'checkbox') {
    for (const v of [].concat(value)) await page.locator(`[data-answer="${name}"][value="${v}"]`).check();
  } else {
    await inputs.first().fill(String(value));
  }
}

async function finish(page) {
  await page.locator('#finish').click();
  await expect(page.locator('#finish')).toHaveCount(0);
}

const examples = path.join(repo, 'forms', 'examples');

module.exports = { Device, answerAll, answer, finish, PASSPHRASE, examples };
