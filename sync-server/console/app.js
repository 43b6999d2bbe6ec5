// The office console's pages. Each page asks the server (api.js) and shows what it answers;
// the server decides what a role may see and do (sync-server/access.h), the pages only
// leave out what it would refuse. Text is set with textContent, never parsed as HTML.
import { api, setCsrf, whenSignedOut, ApiError } from './api.js';
import { t, setLanguage, currentLanguage, serverMessage } from './i18n.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
let me = null;

function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value == null) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

function say(text, kind = 'ok') {
  const status = document.getElementById('status');
  status.className = `status ${kind}`;
  status.textContent = text;
}

function page(titleKey, ...children) {
  main.replaceChildren(h('h1', {}, t(titleKey)), ...children.flat(Infinity).filter(Boolean));
  document.title = `${t(titleKey)} · ${t('title')}`;
  main.focus();
}

function errorText(error) {
  return error instanceof ApiError ? serverMessage(error.body) : t('failed');
}

function table(caption, headers, rows) {
  if (rows.length === 0) return h('p', { class: 'muted' }, t('none'));
  return h('table', {},
    h('caption', { class: 'muted' }, caption),
    h('thead', {}, h('tr', {}, headers.map((header) => h('th', { scope: 'col' }, header)))),
    h('tbody', {}, rows.map((cells) => h('tr', {}, cells.map((cell) => h('td', {}, cell))))));
}

function when(ms) { return ms ? new Date(ms).toISOString().slice(0, 16).replace('T', ' ') : t('never'); }
function roleName(role) { return t(`role_${role}`); }

function field(labelKey, input) { return h('label', {}, t(labelKey), input); }

// A form whose submit calls `action` and reports the outcome in the status line.
function actionForm(className, children, action) {
  const form = h('form', { class: className }, children);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await action(new FormData(form));
    } catch (error) {
      say(errorText(error), 'error');
    }
  });
  return form;
}

function showNav() {
  if (!me) { nav.replaceChildren(); return; }
  const current = location.hash.split('/')[1] || '';
  const links = me.pages.map((name) => h('li', {}, h('a', { href: `#/${name}`, 'aria-current': current === name ? 'page' : null }, t(name))));
  const out = h('button', { type: 'button', class: 'secondary', id: 'sign-out', onclick: signOut }, t('sign_out'));
  nav.setAttribute('aria-label', t('nav'));
  nav.replaceChildren(h('ul', {}, links, h('li', {}, out)));
}

async function signOut() {
  try { await api.post('sign-out'); } catch { /* signed out either way */ }
  me = null;
  setCsrf('');
  location.hash = '#/sign-in';
}

// --- before signing in ---

function signInPage() {
  const form = actionForm('stack', [
    field('user_name', h('input', { name: 'user', autocomplete: 'username', required: true })),
    field('password', h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true })),
    h('button', { type: 'submit' }, t('sign_in')),
  ], async (data) => {
    me = await api.post('sign-in', { user: data.get('user'), password: data.get('password') });
    setCsrf(me.csrf);
    say('');
    const target = `#/${me.pages[0]}`;
    if (location.hash === target) safeRoute(); else location.hash = target;
  });
  page('sign_in', form, h('p', {}, h('a', { href: '#/invitation' }, t('have_invitation'))));
}

function invitationPage() {
  const form = actionForm('stack', [
    field('invitation_code', h('input', { name: 'code', autocomplete: 'one-time-code', required: true, class: 'ltr' })),
    field('user_name', h('input', { name: 'user', autocomplete: 'username' })),
    field('new_password', h('input', { name: 'password', type: 'password', autocomplete: 'new-password', required: true, minlength: 10 })),
    h('button', { type: 'submit' }, t('set_password')),
  ], async (data) => {
    await api.post('accept-invitation', { code: data.get('code'), password: data.get('password') });
    say(t('password_set'));
    location.hash = '#/sign-in';
  });
  page('invitation', form, h('p', {}, h('a', { href: '#/sign-in' }, t('back_to_sign_in'))));
}

// --- officers and administrators: cases ---

async function dashboardPage() {
  const d = await api.get('dashboard');
  const card = (key, count, list) => h('section', { class: 'card', 'aria-labelledby': `card-${key}` },
    h('h2', { id: `card-${key}` }, t(key)), h('p', { class: 'count' }, count), list);
  const deviceList = (rows) => h('ul', {}, rows.map((r) => h('li', {}, `${r.user} · `, h('span', { class: 'ltr' }, r.id.slice(-8)), ` · ${when(r.last_sync_ms)}`)));
  const caseLink = (r) => h('a', { href: `#/case/${r.id}` }, r.reference);
  page('dashboard',
    h('div', { class: 'cards' },
      card('not_synced', d.not_synced.length, deviceList(d.not_synced)),
      card('past_lease', d.past_lease.length, deviceList(d.past_lease)),
      card('open_conflicts', d.open_conflicts, null),
      card('closures_awaiting', d.closures_awaiting.length,
        h('ul', {}, d.closures_awaiting.map((r) => h('li', {}, caseLink(r), ` · ${r.assigned_to}`))))),
    h('h2', {}, t('findings')),
    table(t('findings'), [t('reference'), t('detail')],
      d.findings.map((f) => [caseLink(f), f.what[currentLanguage()] || f.what.en])));
}

async function casesPage() {
  const params = Object.fromEntries(new URLSearchParams(location.hash.split('?')[1] || ''));
  const statuses = ['', 'identified', 'registered', 'assessed', 'plan_agreed', 'in_progress', 'closure_requested', 'closed', 'transferred'];
  const risks = ['', 'low', 'medium', 'high', 'critical'];
  const select = (name, options) => h('select', { name }, options.map((o) => h('option', { value: o, selected: params[name] === o }, o || t('any'))));
  const filters = actionForm('inline', [
    field('search_name', h('input', { name: 'q', type: 'search', value: params.q || '' })),
    field('status', select('status', statuses)),
    field('risk', select('risk', risks)),
    field('assignee', h('input', { name: 'assignee', value: params.assignee || '' })),
    h('button', { type: 'submit' }, t('filter')),
  ], async (data) => {
    const query = new URLSearchParams([...data.entries()].filter(([, v]) => v !== ''));
    location.hash = `#/cases?${query}`;
  });
  const { cases } = await api.get('cases', params);
  page('cases', filters, table(t('cases'),
    [t('reference'), t('name'), t('status'), t('risk'), t('assignee'), t('opened'), t('steps')],
    cases.map((c) => [h('a', { href: `#/case/${c.id}` }, c.reference), c.name, c.status, c.risk, c.assigned_to, c.opened, c.steps])));
}

function answersList(values) {
  if (values.length === 0) return h('p', { class: 'muted' }, t('none'));
  return h('dl', { class: 'facts' }, values.map((v) => [h('dt', {}, v.label || v.field), h('dd', {}, v.shown)]));
}

async function casePage(id) {
  const file = await api.get('case', { id, lang: currentLanguage() });
  const decide = (what, extra = {}) => async () => {
    try {
      await api.post(`case/${what}`, { id: file.id, ...extra });
      say(t('done'));
      route();
    } catch (error) { say(errorText(error), 'error'); }
  };
  const actions = [];
  const open = !['closed', 'transferred'].includes(file.status);
  if (open) {
    actions.push(actionForm('inline', [
      field('assign_to', h('input', { name: 'user', required: true, value: file.assigned_to })),
      h('button', { type: 'submit' }, t('assign')),
    ], async (data) => { await decide('assign', { user: data.get('user') })(); }));
  }
  if (file.status === 'closure_requested') {
    actions.push(h('section', { 'aria-labelledby': 'closure-heading' },
      h('h2', { id: 'closure-heading' }, t('closure_request')),
      file.closure_request ? answersList(file.closure_request.answers) : null,
      h('p', {},
        h('button', { type: 'button', id: 'approve', onclick: decide('approve') }, t('approve_closure')), ' ',
        h('button', { type: 'button', class: 'secondary', id: 'reject', onclick: decide('reject') }, t('reject_closure')))));
  }
  if (!open) actions.push(h('p', {}, h('button', { type: 'button', id: 'reopen', onclick: decide('reopen') }, t('reopen'))));
  if (open) {
    actions.push(actionForm('inline', [
      field('transfer_to', h('input', { name: 'organisation', required: true })),
      h('button', { type: 'submit', class: 'secondary' }, t('transfer')),
    ], async (data) => { await decide('transfer', { organisation: data.get('organisation') })(); }));
  }
  const version = (c, which) => {
    const v = c[which];
    return h('div', {}, h('p', {}, v.cleared ? '—' : v.value), h('p', { class: 'muted' }, `${v.by} · `, h('span', { class: 'ltr' }, v.at)),
      h('button', {
        type: 'button', class: 'secondary', 'aria-label': `${t('keep')} ${c.field}: ${v.value}`,
        onclick: decide('resolve', { record: c.record, field: c.field, value: v.value }),
      }, t('keep')));
  };
  const conflicts = file.conflicts.length === 0 ? [] : [h('h2', {}, t('conflicts')),
    table(t('conflicts'), [t('field'), t('earlier'), t('later')], file.conflicts.map((c) => [c.field, version(c, 'earlier'), version(c, 'later')]))];
  page('case_file',
    h('dl', { class: 'facts' },
      h('dt', {}, t('reference')), h('dd', { class: 'ltr' }, file.reference),
      h('dt', {}, t('name')), h('dd', {}, file.name),
      h('dt', {}, t('status')), h('dd', { id: 'case-status' }, file.status),
      h('dt', {}, t('assignee')), h('dd', { id: 'case-assignee' }, file.assigned_to),
      h('dt', {}, t('open_conflicts')), h('dd', {}, file.open_conflicts)),
    actions, conflicts,
    h('h2', {}, t('values')), answersList(file.values),
    h('h2', {}, t('steps')),
    file.steps.map((step) => h('section', { 'aria-label': step.title },
      h('h3', {}, `${step.title} · ${when(step.created_at_ms)} · ${step.author}`), answersList(step.answers))),
    h('h2', {}, t('history')),
    table(t('history'), [t('when'), t('who'), t('field'), t('value')],
      file.history.map((e) => [h('span', { class: 'ltr' }, e.at), e.by, e.field, e.cleared ? '—' : e.value])));
}

// --- administrators: users, devices, the audit log ---

async function usersPage() {
  const { users } = await api.get('users');
  const act = (what, user, extra = {}) => async () => {
    try {
      const answer = await api.post(`users/${what}`, { user, ...extra });
      if (what === 'invite') {
        say('');
        showCode(t('code_for', { user }), answer.code);
        return;
      }
      say(t('done'));
      usersPage();
    } catch (error) { say(errorText(error), 'error'); }
  };
  const roles = ['assistant', 'officer', 'meal', 'admin'];
  const roleSelect = (name, selected, label) => h('select', { name, 'aria-label': label },
    roles.map((r) => h('option', { value: r, selected: r === selected }, roleName(r))));
  const rows = users.map((u) => {
    const change = actionForm('inline', [
      roleSelect('role', u.role, `${t('role')} ${u.name}`),
      h('input', { name: 'team', value: u.team, 'aria-label': `${t('team')} ${u.name}`, size: 10 }),
      h('button', { type: 'submit', class: 'secondary' }, t('change')),
    ], async (data) => { await act('change', u.name, { role: data.get('role'), team: data.get('team') })(); });
    const buttons = u.active ? [
      h('button', { type: 'button', onclick: act('invite', u.name), 'aria-label': `${t('invite')} ${u.name}` }, t('invite')), ' ',
      u.locked ? h('button', { type: 'button', onclick: act('unlock', u.name), 'aria-label': `${t('unlock')} ${u.name}` }, t('unlock')) : null, ' ',
      h('button', {
        type: 'button', class: 'danger', 'aria-label': `${t('deactivate')} ${u.name}`,
        onclick: () => { if (confirm(t('confirm_deactivate', { user: u.name }))) act('deactivate', u.name)(); },
      }, t('deactivate')),
    ] : [];
    return [u.name, u.active ? change : roleName(u.role), u.active ? t('yes') : t('deactivated'),
      u.has_password ? (u.locked ? t('locked') : t('yes')) : t('no'), u.devices, h('div', {}, buttons)];
  });
  const add = actionForm('inline', [
    field('user_name', h('input', { name: 'user', required: true })),
    field('role', roleSelect('role', 'assistant')),
    field('team', h('input', { name: 'team' })),
    h('button', { type: 'submit' }, t('add')),
  ], async (data) => {
    await api.post('users/add', { user: data.get('user'), role: data.get('role'), team: data.get('team') });
    say(t('done'));
    usersPage();
  });
  page('users', table(t('users'), [t('user_name'), `${t('role')} / ${t('team')}`, t('active'), t('has_password'), t('devices'), ''], rows),
    h('h2', {}, t('add_user')), add, h('div', { id: 'issued' }));
}

function showCode(text, code, qr) {
  const issued = document.getElementById('issued');
  issued.replaceChildren(h('section', { 'aria-labelledby': 'issued-heading' },
    h('h2', { id: 'issued-heading' }, text), h('p', { class: 'code', id: 'issued-code' }, code), qr ? qrImage(qr) : null));
  issued.scrollIntoView();
}

// The QR code the server computed, drawn as SVG squares: one per dark module.
function qrImage(rows) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', `0 0 ${rows.length} ${rows.length}`);
  svg.setAttribute('class', 'qr');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', t('qr_label'));
  svg.setAttribute('shape-rendering', 'crispEdges');
  const background = document.createElementNS(ns, 'rect');
  background.setAttribute('width', rows.length);
  background.setAttribute('height', rows.length);
  background.setAttribute('fill', '#fff');
  svg.append(background);
  let path = '';
  rows.forEach((row, y) => { [...row].forEach((bit, x) => { if (bit === '1') path += `M${x} ${y}h1v1h-1z`; }); });
  const dark = document.createElementNS(ns, 'path');
  dark.setAttribute('d', path);
  dark.setAttribute('fill', '#000');
  svg.append(dark);
  return svg;
}

async function devicesPage() {
  const { devices } = await api.get('devices');
  const rows = devices.map((d) => [h('span', { class: 'ltr' }, d.id), d.user, when(d.enrolled_at_ms), when(d.last_sync_ms),
    d.revoked ? t('revoked') : h('button', {
      type: 'button', class: 'danger', 'aria-label': `${t('revoke')} ${d.id.slice(-8)}`,
      onclick: async () => {
        if (!confirm(t('confirm_revoke', { id: d.id.slice(-8) }))) return;
        try { await api.post('devices/revoke', { id: d.id }); say(t('done')); devicesPage(); } catch (error) { say(errorText(error), 'error'); }
      },
    }, t('revoke'))]);
  const enroll = actionForm('inline', [
    field('enroll', h('input', { name: 'user', required: true })),
    h('button', { type: 'submit' }, t('enroll_button')),
  ], async (data) => {
    const user = data.get('user');
    const issued = await api.post('devices/enroll', { user });
    showCode(t('enroll_code', { user }), issued.code, issued.qr);
  });
  page('devices', table(t('devices'), [t('device'), t('user'), t('enrolled'), t('last_sync'), ''], rows), enroll, h('div', { id: 'issued' }));
}

async function auditPage() {
  const log = await api.get('audit');
  const verdict = log.intact
    ? h('p', { class: 'ok', id: 'audit-verdict' }, t('audit_intact', { total: log.total, seq: log.head_seq, hash: log.head_hash.slice(0, 16) }))
    : h('p', { class: 'error', id: 'audit-verdict' }, t('audit_broken', { problem: log.problem }));
  page('audit', verdict, table(t('audit'), [t('seq'), t('when'), t('actor'), t('action'), t('subject'), t('detail')],
    log.entries.map((e) => [e.seq, h('span', { class: 'ltr' }, e.at), e.actor, e.action, h('span', { class: 'ltr' }, e.subject), e.detail])));
}

// --- MEAL, officers and administrators: de-identified outputs ---

function reportsPage() {
  const month = new Date().toISOString().slice(0, 7);
  const form = h('form', { class: 'inline', method: 'get', action: '/console/api/report' },
    field('period', h('input', { name: 'period', value: month, pattern: '[0-9]{4}-[0-9]{2}', required: true, class: 'ltr' })),
    h('input', { type: 'hidden', name: 'lang', value: currentLanguage() }),
    h('button', { type: 'submit' }, t('download')));
  page('reports', h('h2', {}, t('monthly_report')), form);
}

function accountPage() {
  const u = me.user;
  page('account', h('p', { id: 'account-line' }, t('own_account', { user: u.name, role: roleName(u.role), team: u.team ? `, ${u.team}` : '' })),
    h('p', {}, h('button', { type: 'button', onclick: signOut }, t('sign_out'))));
}

// --- routing ---

const pages = {
  dashboard: dashboardPage, cases: casesPage, users: usersPage, devices: devicesPage,
  audit: auditPage, reports: reportsPage, account: accountPage,
};

async function route() {
  const [, name = '', argument] = location.hash.split('?')[0].split('/');
  if (name === 'invitation') { me = null; showNav(); return invitationPage(); }
  if (!me) {
    try {
      me = await api.get('me');
      setCsrf(me.csrf);
    } catch {
      me = null;
    }
  }
  showNav();
  // Signing in again while signed in is allowed: the server then rotates the session.
  if (!me || name === 'sign-in') return signInPage();
  if (name === 'case' && argument && me.pages.includes('cases')) return casePage(argument);
  const target = me.pages.includes(name) ? name : me.pages[0];
  if (target !== name) { location.hash = `#/${target}`; return undefined; }
  return pages[target]();
}

async function safeRoute() {
  try {
    await route();
  } catch (error) {
    say(errorText(error), 'error');
  }
}

whenSignedOut(() => { me = null; setCsrf(''); if (location.hash !== '#/sign-in') location.hash = '#/sign-in'; });
window.addEventListener('hashchange', safeRoute);
const languageButton = document.getElementById('language');
function showLanguage() {
  setLanguage(currentLanguage());
  const other = currentLanguage() === 'ar' ? 'en' : 'ar';
  languageButton.textContent = t('other_language');
  languageButton.lang = other;
  document.getElementById('skip-link').textContent = t('skip');
}
languageButton.addEventListener('click', () => {
  setLanguage(currentLanguage() === 'ar' ? 'en' : 'ar');
  showLanguage();
  safeRoute();
});
showLanguage();
safeRoute();
