// Repeats and cascading selects on the field client's screens, in English and in Arabic: an
// XLSForm with a household roster (open-ended), rooms (as many as a computed count) and a
// state's localities is published on a real `sync-server`, synced down to a real device,
// and filled in the browser. Entries are added and removed through the forms engine, an
// error names its entry, the record shows the entries; a changed state clears the locality
// the engine no longer allows, with a note that a reopened draft still shows. axe scans
// the repeat's page, the confirmation and an entry's question.
const fs = require('fs');
const path = require('path');
const { test, expect } = require('@playwright/test');
const { run, start, stop, screenshot } = require('../lib/amana');
const { expectAccessible } = require('../lib/axe');
const { xlsx } = require('../lib/xlsx');
const { Device, answer } = require('./device');

const L = ['label::English (en)', 'label::Arabic (ar)'];
const householdForm = () => xlsx({
  survey: [
    ['type', 'name', ...L, 'required', 'relevant', 'choice_filter', 'repeat_count', 'appearance'],
    ['select_one states', 'state', 'State', 'الولاية', 'yes', '', '', '', ''],
    ['select_one localities', 'locality', 'Locality', 'المحلية', 'yes', '', 'state=${state}', '', ''],
    ['begin_repeat', 'members', 'Household members', 'أفراد الأسرة', '', '', '', '', ''],
    ['text', 'm_name', 'Name', 'الاسم', 'yes', '', '', '', ''],
    ['integer', 'm_age', 'Age', 'العمر', 'yes', '', '', '', ''],
    ['select_one yes_no', 'm_school', 'At school', 'في المدرسة', 'yes', '${m_age} < 18', '', '', ''],
    // An older member's support: a field-list group inside the entry, asked on one page.
    ['begin_group', 'm_support', 'Support', 'الدعم', '', '${m_age} >= 60', '', '', 'field-list'],
    ['text', 'm_carer', 'Who looks after them', 'من يرعاه', '', '', '', '', ''],
    ['integer', 'm_pension', 'Monthly pension', 'المعاش الشهري', '', '', '', '', ''],
    ['end_group', '', '', '', '', '', '', '', ''],
    ['end_repeat', '', '', '', '', '', '', '', ''],
    ['integer', 'n_rooms', 'Number of rooms', 'عدد الغرف', '', '', '', '', ''],
    ['begin_repeat', 'rooms', 'Rooms', 'الغرف', '', '', '', '${n_rooms}', ''],
    ['text', 'r_use', 'Used for', 'تستعمل في', '', '', '', '', ''],
    ['end_repeat', '', '', '', '', '', '', '', ''],
  ],
  choices: [
    ['list_name', 'name', ...L, 'state'],
    ['states', 'central', 'Central Darfur', 'وسط دارفور', ''],
    ['states', 'south', 'South Darfur', 'جنوب دارفور', ''],
    ['localities', 'zalingei', 'Zalingei', 'زالنجي', 'central'],
    ['localities', 'nyala', 'Nyala', 'نيالا', 'south'],
    ['yes_no', 'yes', 'Yes', 'نعم', ''],
    ['yes_no', 'no', 'No', 'لا', ''],
  ],
  settings: [['form_id', 'form_title', 'version'], ['household-visit', 'Household visit', '1']],
});

const words = {
  en: {
    member: (n) => `Household members #${n}`, room: (n) => `Rooms #${n}`, none: 'No entries yet',
    error: 'Household members #2 · At school — an answer is required', cleared: 'was cleared', full: 'none more can be added',
    notAnswered: '(not answered yet)', members: 'Household members', nRooms: 'Number of rooms', age: 'Age',
    removed: 'Rooms: the form now asks for 1, so these entries, which had no answers, were removed: Rooms #3',
    over: 'Rooms: the form now asks for 1, and there are 2.', page: 'Page', saveChanges: 'Save the changes',
    removedEntry: 'Household members (an entry removed)', name: 'Name',
  },
  ar: {
    member: (n) => `أفراد الأسرة رقم ${n}`, room: (n) => `الغرف رقم ${n}`, none: 'لا إدخالات بعد',
    error: 'أفراد الأسرة رقم 2 · في المدرسة — الإجابة مطلوبة', cleared: 'مُسحت الإجابة', full: 'لا يمكن إضافة المزيد',
    notAnswered: '(لم يُجب عنه بعد)', members: 'أفراد الأسرة', nRooms: 'عدد الغرف', age: 'العمر',
    removed: 'الغرف: تطلب الاستمارة الآن 1، فحُذفت هذه الإدخالات إذ لم تكن فيها إجابات: الغرف رقم 3',
    over: 'الغرف: تطلب الاستمارة الآن 1، وفيها 2.', page: 'الصفحة', saveChanges: 'احفظ التعديلات',
    removedEntry: 'أفراد الأسرة (إدخال محذوف)', name: 'الاسم',
  },
};

// A device enrolled with a real sync-server on which the form is published, synced down.
async function deviceWithForm() {
  const device = new Device('amina');
  const env = { AMANA_SERVER_PASSPHRASE: 'browser test operator passphrase', AMANA_SERVER_DATA: path.join(device.dir, 'server') };
  const server = (args) => run('sync-server', args, { env });
  server(['init']);
  server(['users', 'add', 'amina', '--role', 'assistant', '--team', 'um-dukhun']);
  const file = path.join(device.dir, 'household.xlsx');
  fs.writeFileSync(file, householdForm());
  server(['forms', 'publish', file]);
  const serving = await start('sync-server', ['serve', '--plain-http', '--listen', '127.0.0.1:0'], { ready: /listening on (\S+)/, env });
  try {
    const code = server(['enroll', 'amina', '--expires', '1h']).split('\n')[2].trim();
    device.cli(['enroll', code, '--server', `http://${serving.match[1]}`]);
    device.cli(['sync']);
  } finally {
    await stop(serving);
  }
  return device;
}

async function startForm(page) {
  await page.locator('button', { hasText: 'Household visit' }).click();
  await expect(page.locator('#question-count')).toBeVisible();
}

// Answers the question(s) on the page and goes on to the next page.
// The engine's verdict on the last answer is awaited first (data-busy), as answerAll does.
async function next(page) {
  await expect(page.locator('[data-busy]')).toHaveCount(0);
  const before = await page.locator('#question-count').textContent();
  const moved = (text) => {
    const count = document.getElementById('question-count');
    return document.getElementById('finish') || (count && count.textContent !== text);
  };
  await page.locator('#next').click();
  try {
    await page.waitForFunction(moved, before, { timeout: 10000 });
  } catch {
    // The page was drawn again as the click landed (a verdict arriving): click once more.
    await page.locator('#next').click();
    await page.waitForFunction(moved, before);
  }
}

const entry = (page, n) => page.locator('li.instance').nth(n - 1);
// The question of `field` on the page now (its flat key is the instance's, unknown here).
const field = (page, name) => page.locator(`[data-answer$="/${name}"]`);

for (const language of ['en', 'ar']) {
  const w = words[language];

  test(`repeats (${language}): entries added and removed by the engine, an error naming its entry, saved in the record`, async ({ page }) => {
    const device = await deviceWithForm();
    try {
      await device.startUi();
      await device.open(page, { language });
      if (language === 'ar') await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
      await startForm(page);
      await answer(page, 'state', 'central');
      await next(page);
      await answer(page, 'locality', 'zalingei');
      await next(page);

      // The roster's page: no entries, then three added (numbered by the engine).
      await expect(page.locator('[data-repeat="members"]')).toBeVisible();
      await expect(page.locator('[data-repeat="members"]')).toContainText(w.none);
      for (let n = 1; n <= 3; n += 1) {
        await page.locator('#add-instance').click();
        await expect(page.locator('li.instance')).toHaveCount(n);
      }
      await expect(entry(page, 3)).toContainText(w.member(3));
      // An entry with nothing in it yet says so, where the person picks it.
      await expect(entry(page, 3).locator('.open-instance')).toHaveText(`${w.member(3)} ${w.notAnswered}`);
      await expectAccessible(page, `a repeat's entries (${language})`);
      await screenshot(page, `field-repeat-${language}`);

      // The second removed, behind a confirmation; the third becomes #2.
      await entry(page, 2).locator('.remove-instance').click();
      await expect(entry(page, 2).locator('.confirm-remove')).toBeFocused();
      await expectAccessible(page, `removing an entry (${language})`);
      await screenshot(page, `field-repeat-remove-${language}`);
      await entry(page, 2).locator('.confirm-remove').click();
      await expect(page.locator('li.instance')).toHaveCount(2);
      await expect(entry(page, 2)).toContainText(w.member(2));
      await expect(page.locator('[data-repeat="members"]')).not.toContainText(w.member(3));

      // Each entry's questions one at a time, under the entry's name.
      await entry(page, 1).locator('.open-instance').click();
      await expect(page.locator('.instance-heading')).toHaveText(w.member(1));
      await field(page, 'm_name').fill('Amina');
      await next(page);
      await field(page, 'm_age').fill('34');
      await expect(page.locator('[data-busy]')).toHaveCount(0);
      await next(page);
      await expect(page.locator('.instance-heading')).toHaveText(w.member(2));
      await field(page, 'm_name').fill('Yusuf');
      await next(page);
      await field(page, 'm_age').fill('9');
      await expect(page.locator('[data-busy]')).toHaveCount(0);
      await next(page);
      // At school is asked of the child only; passed unanswered, its error names the entry.
      await expect(field(page, 'm_school').first()).toBeVisible();
      await page.locator('#next').click();
      // In plain words: the entry, the question, what is wrong (no field names), each name
      // isolated for bidi.
      const error = page.locator('.question .error').filter({ hasText: w.error });
      await expect(error).toHaveText(w.error);
      await expect(error.locator('bdi')).toHaveText([w.member(2), language === 'ar' ? 'في المدرسة' : 'At school']);
      await expect(page.locator('.question .error')).not.toContainText('m_school');
      await expect(field(page, 'm_school').first()).toBeVisible();
      await expectAccessible(page, `an entry's question with its error (${language})`);
      await screenshot(page, `field-repeat-error-${language}`);
      await page.locator('[data-answer$="/m_school"][value="yes"]').check();
      await expect(page.locator('[data-busy]')).toHaveCount(0);
      await next(page);

      // Rooms: as many entries as the count says, made by the engine; no more can be added.
      await page.locator('[data-answer="n_rooms"]').fill('2');
      await expect(page.locator('[data-busy]')).toHaveCount(0);
      await next(page);
      await expect(page.locator('[data-repeat="rooms"] li.instance')).toHaveCount(2);
      await expect(page.locator('#add-instance')).toBeDisabled();
      await expect(page.locator('[data-repeat="rooms"]')).toContainText(w.full);
      await next(page);
      await field(page, 'r_use').fill('sleeping');
      await next(page);
      await field(page, 'r_use').fill('cooking');
      await next(page);

      // The review lists the entries; the record keeps them.
      await expect(page.locator('#finish')).toBeVisible();
      const roster = page.locator('[data-review-repeat="members"]');
      await expect(roster).toContainText(w.member(1));
      await expect(roster).toContainText('Amina · 34');
      await expect(roster).toContainText('Yusuf · 9');
      await expect(page.locator('[data-review-repeat="rooms"]')).toContainText(w.room(2));
      await screenshot(page, `field-repeat-review-${language}`);
      await page.locator('#finish').click();
      await expect(page.locator('.history')).toBeVisible();
      const values = page.locator('dl.values');
      await expect(values).toContainText('Yusuf');
      await expect(values.locator('dt', { hasText: w.member(2) }).first()).toBeVisible();
      await expect(values.locator('dt', { hasText: w.room(2) }).first()).toBeVisible();
      await screenshot(page, `field-repeat-record-${language}`);
    } finally {
      await device.stopUi();
      device.cleanup();
    }
  });

  test(`repeats (${language}): a saved record's entries edited, a smaller count removing the empty rooms and saying so, a group on one page in an entry`, async ({ page }) => {
    const device = await deviceWithForm();
    try {
      // A record with two members and three rooms (the last empty), collected by the CLI.
      const file = path.join(device.dir, 'answers.json');
      fs.writeFileSync(file, JSON.stringify({
        state: 'central', locality: 'zalingei', n_rooms: 3,
        members: [{ m_name: 'Amina', m_age: 34 }, { m_name: 'Yusuf', m_age: 9, m_school: 'yes' }],
        rooms: [{ r_use: 'sleeping' }, { r_use: 'cooking' }, {}],
      }));
      device.cli(['collect', 'household-visit', '--answers', file]);
      await device.startUi();
      await device.open(page, { language });
      if (language === 'ar') await expect(page.locator('html')).toHaveAttribute('dir', 'rtl');
      await page.locator('#nav a[href="#/records"]').click();
      await page.locator('tbody tr a').first().click();
      await expect(page.locator('.history > li')).toHaveCount(1);
      await page.locator('a[href^="#/edit/"]').click();
      await expect(page.locator('#question-count')).toBeVisible();
      const jumpTo = (label) => page.locator('.jump li:not(.in-instance) button').filter({ hasText: label }).first();

      // The count made smaller: on Next, the empty room goes and the page names it; the two
      // with answers stay, and the page says to choose which to remove.
      await jumpTo(w.nRooms).click();
      await page.locator('[data-answer="n_rooms"]').fill('1');
      await expect(page.locator('[data-busy]')).toHaveCount(0);
      await next(page);
      const rooms = page.locator('[data-repeat="rooms"]');
      await expect(rooms.locator('li.instance')).toHaveCount(2);
      await expect(page.locator('#removed-rooms')).toHaveText(w.removed);
      await expect(page.locator('#error-rooms')).toContainText(w.over);
      await expect(entry(page, 1).locator('.open-instance')).toHaveText(`${w.room(1)} sleeping`);
      await expect(entry(page, 2).locator('.open-instance')).toHaveText(`${w.room(2)} cooking`);
      await expectAccessible(page, `a smaller count: an entry removed, a choice asked (${language})`);
      await screenshot(page, `field-repeat-count-${language}`);
      // The person removes the one they choose, behind its confirmation: the list fits.
      await entry(page, 1).locator('.remove-instance').click();
      await entry(page, 1).locator('.confirm-remove').click();
      await expect(rooms.locator('li.instance')).toHaveCount(1);
      await expect(entry(page, 1).locator('.open-instance')).toHaveText(`${w.room(1)} cooking`);
      await expect(page.locator('#error-rooms')).toBeEmpty();
      await expect(page.locator('#removed-rooms')).toHaveCount(0);

      // An entry's answer changed: Amina is 61, so her support group is asked, on one page.
      await jumpTo(w.members).click();
      await expect(entry(page, 1).locator('.open-instance')).toHaveText(`${w.member(1)} Amina · 34`);
      await entry(page, 1).locator('.open-instance').click();
      await expect(page.locator('.instance-heading')).toHaveText(w.member(1));
      await next(page);
      await field(page, 'm_age').fill('61');
      await expect(page.locator('[data-busy]')).toHaveCount(0);
      await next(page);
      await expect(page.locator('.instance-heading')).toHaveText(w.member(1));
      await expect(field(page, 'm_carer')).toBeVisible();
      await expect(field(page, 'm_pension')).toBeVisible();
      await expect(page.locator('#question-count')).toContainText(w.page);
      await expectAccessible(page, `a group on one page in an entry (${language})`);
      await field(page, 'm_carer').fill('Her daughter');
      await field(page, 'm_pension').fill('lots');
      await expect(page.locator('[data-busy]')).toHaveCount(0);
      await page.locator('#next').click();
      // Refused on the group's page, in plain words under the entry's name.
      const refused = page.locator('.question .error').filter({ hasText: w.member(1) });
      await expect(refused).toContainText(language === 'ar' ? 'المعاش الشهري' : 'Monthly pension');
      await expect(refused).not.toContainText('m_pension');
      await field(page, 'm_pension').fill('4000');
      await expect(page.locator('[data-busy]')).toHaveCount(0);
      await next(page);

      // The second member removed, behind its confirmation.
      await jumpTo(w.members).click();
      await entry(page, 2).locator('.remove-instance').click();
      await entry(page, 2).locator('.confirm-remove').click();
      await expect(page.locator('[data-repeat="members"] li.instance')).toHaveCount(1);
      await expect(entry(page, 1).locator('.open-instance')).toHaveText(`${w.member(1)} Amina · 61`);

      // Saved: the record holds the changes, and its history shows the edit.
      await page.locator('#to-review').click();
      await expect(page.locator('#finish')).toHaveText(w.saveChanges);
      await page.locator('#finish').click();
      await expect(page.locator('.history > li')).toHaveCount(2);
      const values = page.locator('dl.values');
      await expect(values).toContainText('Her daughter');
      await expect(values).not.toContainText('Yusuf');
      await expect(values).not.toContainText('sleeping');
      const edit = page.locator('.history > li').nth(1);
      await expect(edit).toContainText(`${w.member(1)}: ${w.age}: 61`);
      await expect(edit).toContainText('4000');
      await expect(edit).toContainText(`${w.removedEntry}: ${w.name}`);  // Yusuf's, no number any more
      await expect(edit).not.toContainText(language === 'ar' ? 'رقم 0' : '#0');
      await expectAccessible(page, `the edited record (${language})`);
    } finally {
      await device.stopUi();
      device.cleanup();
    }
  });

  test(`cascading select (${language}): a changed state clears the locality in the engine, with a note kept in the draft`, async ({ page, context }) => {
    const device = await deviceWithForm();
    try {
      await device.startUi();
      await device.open(page, { language });
      await startForm(page);
      await answer(page, 'state', 'central');
      await next(page);
      await answer(page, 'locality', 'zalingei');
      await next(page);
      // Back to the state, changed: Zalingei is not in South Darfur.
      await page.locator('.jump button').first().click();
      await answer(page, 'state', 'south');
      await expect(page.locator('[data-busy]')).toHaveCount(0);
      await next(page);
      const note = page.locator('#note-locality');
      await expect(note).toContainText(w.cleared);
      await expect(page.locator('[data-answer="locality"]:checked')).toHaveCount(0);
      await expect(page.locator('[data-answer="locality"]')).toHaveCount(1);  // Nyala only
      expect(await page.locator('[data-answer="locality"]').getAttribute('name')).toBe('q-locality');
      expect(await page.locator('fieldset').first().getAttribute('aria-describedby')).toContain('note-locality');
      await expectAccessible(page, `a cleared answer's note (${language})`);
      await screenshot(page, `field-cascade-cleared-${language}`);

      // Kept with the draft: the app restarted, the draft reopened, the note is there.
      await page.locator('#save-draft').click();
      await expect(page.locator('a[href^="#/fill/"]')).toHaveCount(1);
      await device.stopUi();
      await context.clearCookies();
      await device.startUi();
      await device.open(page, { language });
      await page.locator('a[href^="#/fill/"]').click();
      await page.locator('.jump button').nth(1).click();
      await expect(page.locator('#note-locality')).toContainText(w.cleared);
      // Answered again: the note goes.
      await answer(page, 'locality', 'nyala');
      await expect(page.locator('[data-busy]')).toHaveCount(0);
      await expect(page.locator('#note-locality')).toHaveCount(0);
    } finally {
      await device.stopUi();
      device.cleanup();
    }
  });
}
