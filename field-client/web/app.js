// The field client's screens: a router over the hash (#/home, #/cases/ID, ...) and one
// function per screen. Every screen asks the field client's API (api.js) and shows what it
// answers; form logic stays in the C++ engine (fill.js only shows its verdicts).
import { get, post, session, onLocked, ApiError } from './api.js';
import { h, bdi, clear, route, go } from './dom.js';
import { t, language, setLanguage, applyLanguage } from './i18n.js';
import { fillScreen } from './fill.js';

const main = document.getElementById('main');
let unlocked = false;
let wipeWord = 'WIPE';

function announce(text) { document.getElementById('status').textContent = text; }

function show(title, ...content) {
  clear(main);
  document.title = `${title} · Amana`;
  main.append(h('h1', {}, title), ...content.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  main.focus();
}

function errorBox(error) {
  return h('p', { class: 'error', role: 'alert' }, error instanceof ApiError || error instanceof Error ? error.message : String(error));
}

function nav() {
  const el = clear(document.getElementById('nav'));
  document.getElementById('lock').hidden = !unlocked;
  if (!unlocked) return;
  const current = route().parts[0] || 'home';
  const items = [['home', t('nav.home')], ['records', t('nav.records')], ['cases', t('nav.cases')],
                 ['sync', t('nav.sync')], ['wipe', t('nav.wipe')]];
  el.append(h('ul', {}, items.map(([path, label]) => h('li', {},
    h('a', { href: `#/${path}`, 'aria-current': current === path ? 'page' : null }, label)))));
}

// --- unlock ---
function unlockScreen() {
  const input = h('input', { id: 'passphrase', type: 'password', autocomplete: 'current-password', required: true });
  const message = h('div');
  const form = h('form', { class: 'card', onsubmit: async (event) => {
    event.preventDefault();
    clear(message);
    try {
      await post('/api/unlock', { passphrase: input.value });
      input.value = '';
      unlocked = true;
      announce(t('unlock.done'));
      if ((route().parts[0] || 'unlock') === 'unlock') go('/home'); else render();
    } catch (error) {
      input.value = '';
      message.append(errorBox(error));
    }
  } },
  h('label', { for: 'passphrase' }, t('unlock.passphrase')), input, message,
  h('button', { type: 'submit', class: 'primary' }, t('unlock.button')));
  show(t('unlock.title'), h('p', {}, t('unlock.explain')), form);
  input.focus();
}

// --- home ---
async function homeScreen() {
  const [home, forms] = await Promise.all([get('/api/home'), get('/api/forms')]);
  const section = (title, items, empty) => h('section', { 'aria-labelledby': `h-${title}` },
    h('h2', { id: `h-${title}` }, t(title)),
    items.length ? h('ul', { class: 'list' }, items) : h('p', { class: 'muted' }, t(empty)));
  const due = home.followups_due.map((f) => h('li', {}, h('a', { href: `#/cases/${f.case}` }, bdi(f.name || f.short)), ' ',
    h('span', { class: f.overdue ? 'badge warn' : 'badge' }, t(f.overdue ? 'home.overdue' : 'home.due'), ' ', bdi(f.due))));
  const review = home.review.map((r) => h('li', {}, h('a', { href: `#/cases/${r.case}` }, bdi(r.name || r.short)), ': ', r.what));
  const drafts = home.drafts.map((d) => h('li', {}, h('a', { href: `#/fill/${d.id}` }, d.title), ' ',
    h('span', { class: 'muted' }, t('home.answered', { count: d.answered }), ' · ', bdi(d.updated)), ' ',
    h('button', { type: 'button', class: 'link', 'aria-label': t('home.discard_draft', { form: d.title }), onclick: async () => {
      if (!window.confirm(t('home.discard_confirm'))) return;
      await post(`/api/drafts/${d.id}/discard`);
      render();
    } }, t('home.discard'))));
  const start = h('ul', { class: 'buttons' }, forms.map((f) => h('li', {}, h('button', { type: 'button', onclick: async () => {
    const made = await post('/api/drafts', { form: f.id });
    go(`/fill/${made.draft}`);
  } }, f.title))));
  show(t('home.title'),
    home.lease ? h('p', { class: 'error', role: 'alert' }, home.lease) : null,
    section('home.followups', due, 'home.none_due'),
    section('home.review', review, 'home.nothing_to_review'),
    section('home.drafts', drafts, 'home.no_drafts'),
    h('section', { 'aria-labelledby': 'h-sync' }, h('h2', { id: 'h-sync' }, t('home.waiting')),
      h('p', { id: 'pending' }, t('home.pending', { count: home.pending_operations }), ' ', h('a', { href: '#/sync' }, t('nav.sync')))),
    h('section', { 'aria-labelledby': 'h-new' }, h('h2', { id: 'h-new' }, t('home.new')), start,
      h('p', {}, h('a', { href: '#/cases/new' }, t('cases.open')))));
}

// --- records ---
async function recordsScreen(query) {
  const q = query.get('q') || '';
  const list = await get(`/api/records?q=${encodeURIComponent(q)}`);
  const input = h('input', { id: 'record-search', type: 'search', value: q });
  const form = h('form', { role: 'search', class: 'row', onsubmit: (e) => { e.preventDefault(); go(`/records?q=${encodeURIComponent(input.value)}`); } },
    h('label', { for: 'record-search' }, t('records.search')), input, h('button', { type: 'submit' }, t('search')));
  const rows = list.map((r) => h('tr', {},
    h('td', {}, h('a', { href: `#/records/${r.id}` }, r.title)), h('td', {}, bdi(r.created)), h('td', {}, bdi(r.short))));
  show(t('records.title'), form, list.length
    ? h('table', {}, h('caption', { class: 'visually-hidden' }, t('records.title')),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('records.form')), h('th', { scope: 'col' }, t('records.created')),
        h('th', { scope: 'col' }, t('records.id')))), h('tbody', {}, rows))
    : h('p', { class: 'muted' }, t('records.none')));
}

function changeText(c) {
  return c.cleared ? t('history.cleared') : c.value;
}

async function recordScreen(id) {
  const r = await get(`/api/records/${id}`);
  const values = h('dl', { class: 'values' }, r.values.map((v) => [
    h('dt', { 'data-instance': v.instance || null }, v.instance ? h('span', { class: 'muted' }, bdi(v.instance), ': ') : null, v.label),
    h('dd', {}, bdi(v.value))]));
  const history = h('ol', { class: 'history' }, r.history.map((rev) => h('li', {},
    h('p', {}, bdi(rev.when), ' · ', bdi(rev.author), ' · ', t(rev.created ? 'history.created' : rev.merged ? 'history.merged' : 'history.changed')),
    h('ul', {}, rev.changes.map((c) => h('li', {}, c.label, ': ', bdi(changeText(c))))))));
  show(r.title,
    h('p', { class: 'muted' }, t('records.id'), ' ', bdi(r.short), ' · ', bdi(r.created),
      r.case ? [' · ', h('a', { href: `#/cases/${r.case}` }, t('records.case'))] : null),
    r.editable ? h('p', {}, h('a', { class: 'button', href: `#/edit/${r.id}` }, t('records.edit'))) : null,
    r.form === 'referral' ? h('p', {}, h('a', { class: 'button', href: `#/sheet/${r.id}` }, t('sheet.open'))) : null,
    values, h('h2', {}, t('records.history')), history);
}

// The referral sheet for the provider: printed (the print stylesheet drops the menus).
async function sheetScreen(id) {
  const d = await get(`/api/records/${id}/sheet`);
  const row = (label, value) => (value === undefined || value === '' ? null : [h('dt', {}, t(label)), h('dd', {}, bdi(value))]);
  const client = d.client || {};
  show(t('sheet.title'),
    h('dl', { class: 'values' },
      row('sheet.date', d.referral_date), row('sheet.case', d.case_reference), row('sheet.service', d.service_label || d.service_type),
      row('sheet.urgency', d.urgency), row('sheet.reason', d.reason), row('sheet.respond_within', d.expected_response_days),
      row('sheet.provider', d.provider ? d.provider.name : d.provider_id), row('sheet.provider_contact', d.provider?.contact)),
    h('h2', {}, t('sheet.client')),
    h('dl', { class: 'values' }, row('open.name', client.name), row('open.sex', client.sex ? t(`sex.${client.sex}`) : ''),
      row('open.age', client.age || client.age_band), row('open.location', client.location)),
    d.withheld ? h('p', { class: 'note', id: 'withheld' }, t('sheet.withheld')) : null,
    h('p', {}, h('button', { type: 'button', class: 'primary', onclick: () => window.print() }, t('sheet.print'))));
}

// --- cases ---
async function casesScreen(query) {
  const q = query.get('q') || '';
  const status = query.get('status') || '';
  const list = await get(`/api/cases?q=${encodeURIComponent(q)}&status=${encodeURIComponent(status)}`);
  const input = h('input', { id: 'case-search', type: 'search', value: q });
  const statuses = ['', 'identified', 'registered', 'assessed', 'planned', 'in_progress', 'closure_requested'];
  const select = h('select', { id: 'case-status' }, statuses.map((s) => h('option', { value: s, selected: s === status }, s ? t(`status.${s}`) : t('cases.any_status'))));
  const form = h('form', { role: 'search', class: 'row', onsubmit: (e) => {
    e.preventDefault();
    go(`/cases?q=${encodeURIComponent(input.value)}&status=${encodeURIComponent(select.value)}`);
  } }, h('label', { for: 'case-search' }, t('cases.search')), input,
  h('label', { for: 'case-status' }, t('cases.status')), select, h('button', { type: 'submit' }, t('search')));
  const rows = list.map((c) => h('tr', {},
    h('td', {}, h('a', { href: `#/cases/${c.id}` }, bdi(c.name || c.short))), h('td', {}, t(`status.${c.status}`)),
    h('td', {}, c.risk ? t(`risk.${c.risk}`) : '–'), h('td', {}, bdi(c.next_due || '–')), h('td', {}, bdi(c.opened))));
  show(t('cases.title'), h('p', {}, h('a', { class: 'button', href: '#/cases/new' }, t('cases.open'))), form, list.length
    ? h('table', {}, h('caption', { class: 'visually-hidden' }, t('cases.title')), h('thead', {}, h('tr', {},
      ['cases.name', 'cases.status', 'cases.risk', 'cases.next_due', 'cases.opened'].map((k) => h('th', { scope: 'col' }, t(k))))),
    h('tbody', {}, rows))
    : h('p', { class: 'muted' }, t('cases.none')));
}

function caseOpenScreen() {
  const field = (id, label, input) => h('div', { class: 'field' }, h('label', { for: id }, label), input);
  const name = h('input', { id: 'open-name', required: true, autocomplete: 'off' });
  const age = h('input', { id: 'open-age', inputmode: 'numeric', autocomplete: 'off' });
  const location = h('input', { id: 'open-location', autocomplete: 'off' });
  const sex = h('fieldset', {}, h('legend', {}, t('open.sex')), ['female', 'male'].map((s) => h('label', { class: 'choice' },
    h('input', { type: 'radio', name: 'open-sex', value: s }), t(`sex.${s}`))));
  const message = h('div');
  let duplicateOk = false;
  const form = h('form', { class: 'card', onsubmit: async (e) => {
    e.preventDefault();
    clear(message);
    const chosen = form.querySelector('input[name="open-sex"]:checked');
    try {
      const made = await post('/api/cases', { name: name.value, age: age.value, location: location.value,
        sex: chosen ? chosen.value : '', not_a_duplicate: duplicateOk });
      go(`/cases/${made.case}`);
    } catch (error) {
      message.append(errorBox(error));
      if (error.code === 'already_exists') {
        duplicateOk = true;
        message.append(h('p', {}, t('open.checked_duplicate')));
      }
    }
  } }, field('open-name', t('open.name'), name), sex, field('open-age', t('open.age'), age),
  field('open-location', t('open.location'), location), message, h('button', { type: 'submit', class: 'primary' }, t('cases.open')));
  show(t('cases.open'), form);
}

async function caseScreen(id) {
  const c = await get(`/api/cases/${id}`);
  const message = h('div');
  const steps = h('ul', { class: 'buttons' }, c.next_steps.map((s) => h('li', {}, h('button', { type: 'button', 'data-step': s.verb, onclick: async () => {
    clear(message);
    try {
      const made = await post(`/api/cases/${id}/steps/${s.verb}`);
      go(`/fill/${made.draft}`);
    } catch (error) { message.append(errorBox(error)); }
  } }, s.label))));
  const timeline = h('ol', { class: 'timeline' }, c.timeline.map((s) => h('li', {},
    h('a', { href: `#/records/${s.id}` }, s.title), ' · ', bdi(s.created),
    s.referral_status ? [' · ', t(`referral.${s.referral_status}`), ' ', bdi(s.provider)] : null)));
  const drafts = c.drafts.map((d) => h('li', {}, h('a', { href: `#/fill/${d.id}` }, t('case.resume', { form: d.title }))));
  show(c.name || c.short,
    h('p', {}, h('span', { class: 'badge', id: 'case-status' }, t(`status.${c.status}`)), ' ', c.risk ? h('span', { class: 'badge' }, t(`risk.${c.risk}`)) : null,
      ' ', h('span', { class: 'muted' }, t('records.id'), ' ', bdi(c.short), ' · ', bdi(c.opened))),
    h('h2', {}, t('case.next')), c.next_steps.length ? steps : h('p', { class: 'muted' }, t('case.no_next')), message,
    drafts.length ? [h('h2', {}, t('home.drafts')), h('ul', { class: 'list' }, drafts)] : null,
    h('h2', {}, t('case.timeline')), c.timeline.length ? timeline : h('p', { class: 'muted' }, t('case.no_steps')),
    h('h2', {}, t('case.values')), h('dl', { class: 'values' }, c.values.map((v) => [h('dt', {}, v.label), h('dd', {}, bdi(v.value))])));
}

// --- sync ---
function syncScreen() {
  const bar = h('progress', { id: 'sync-progress', max: 1, value: 0, 'aria-label': t('sync.progress') });
  const log = h('ol', { id: 'sync-log', class: 'log', 'aria-live': 'polite' });
  const outcome = h('div', { id: 'sync-outcome' });
  const button = h('button', { type: 'button', class: 'primary', onclick: async () => {
    clear(outcome);
    button.disabled = true;
    try {
      await post('/api/sync');
      await follow();
    } catch (error) { outcome.append(errorBox(error)); }
    button.disabled = false;
  } }, t('sync.now'));
  const follow = async () => {
    for (;;) {
      const p = await get('/api/sync');
      clear(log);
      p.lines.forEach((line) => log.append(h('li', {}, bdi(line))));
      bar.max = p.lines.length + (p.done ? 0 : 1);
      bar.value = p.lines.length;
      if (p.done) {
        bar.max = 1; bar.value = 1;
        if (p.error) outcome.append(h('p', { class: 'error', role: 'alert' }, t(`sync.error.${p.error.code}`, {}, ''), ' ', p.error.message));
        else outcome.append(h('p', { class: 'ok', role: 'status' }, t('sync.done', p.report)));
        return;
      }
      await new Promise((r) => setTimeout(r, 300));
    }
  };
  const file = h('input', { id: 'bundle-file', autocomplete: 'off', spellcheck: 'false' });
  const bundleOutcome = h('div', { id: 'bundle-outcome' });
  const bundle = (action) => async () => {
    clear(bundleOutcome);
    try {
      const done = await post(`/api/bundle/${action}`, { file: file.value.trim() });
      bundleOutcome.append(h('p', { class: 'ok', role: 'status' }, t(`bundle.${action}ed`, done)));
    } catch (error) { bundleOutcome.append(errorBox(error)); }
  };
  show(t('sync.title'), h('p', {}, t('sync.explain')), button, bar, log, outcome,
    h('h2', {}, t('bundle.title')), h('p', {}, t('bundle.explain')),
    h('label', { for: 'bundle-file' }, t('bundle.file')), file,
    h('div', { class: 'row' }, h('button', { type: 'button', onclick: bundle('export') }, t('bundle.export')),
      h('button', { type: 'button', onclick: bundle('import') }, t('bundle.import'))), bundleOutcome);
}

// --- wipe ---
function wipeScreen() {
  const input = h('input', { id: 'wipe-confirm', autocomplete: 'off', spellcheck: 'false' });
  const message = h('div');
  const form = h('form', { class: 'card danger', onsubmit: async (e) => {
    e.preventDefault();
    clear(message);
    try {
      const done = await post('/api/wipe', { confirm: input.value.trim() });
      unlocked = false;
      nav();
      show(t('wipe.done'), h('p', { role: 'status' }, done.message));
    } catch (error) { message.append(errorBox(error)); }
  } }, h('label', { for: 'wipe-confirm' }, t('wipe.type', { word: wipeWord })), input, message,
  h('button', { type: 'submit', class: 'danger' }, t('wipe.button')));
  show(t('wipe.title'), h('p', {}, t('wipe.explain')), form);
}

// --- the router ---
async function render() {
  const { parts, query } = route();
  nav();
  if (!unlocked) return unlockScreen();
  try {
    switch (parts[0]) {
      case 'records': return parts[1] ? await recordScreen(parts[1]) : await recordsScreen(query);
      case 'cases':
        if (parts[1] === 'new') return caseOpenScreen();
        return parts[1] ? await caseScreen(parts[1]) : await casesScreen(query);
      case 'fill': return await fillScreen({ main, show, kind: 'draft', id: parts[1] });
      case 'edit': return await fillScreen({ main, show, kind: 'record', id: parts[1] });
      case 'sheet': return await sheetScreen(parts[1]);
      case 'sync': return syncScreen();
      case 'wipe': return wipeScreen();
      default: return await homeScreen();
    }
  } catch (error) {
    if (error instanceof ApiError && error.status === 423) return undefined;  // onLocked shows the unlock screen
    show(t('error.title'), errorBox(error));
  }
  return undefined;
}

function languageButton() {
  const button = document.getElementById('language');
  const other = language() === 'ar' ? 'en' : 'ar';
  button.textContent = other === 'ar' ? 'العربية' : 'English';
  button.setAttribute('lang', other);
  document.getElementById('lock').textContent = t('lock');
}

async function start() {
  applyLanguage();
  languageButton();
  document.getElementById('language').addEventListener('click', () => {
    setLanguage(language() === 'ar' ? 'en' : 'ar');
    languageButton();
    render();
  });
  document.getElementById('lock').addEventListener('click', async () => {
    await post('/api/lock');
    unlocked = false;
    render();
  });
  onLocked(() => { unlocked = false; render(); });
  const s = await session();
  unlocked = s.unlocked;
  wipeWord = s.wipe_word;
  window.addEventListener('hashchange', render);
  // The store locks itself after idle; the page follows.
  setInterval(async () => {
    try {
      const now = await session();
      wipeWord = now.wipe_word;
      if (unlocked && !now.unlocked) { unlocked = false; render(); }
    } catch { /* the field client stopped: nothing to show */ }
  }, 5000);
  render();
}

start();
