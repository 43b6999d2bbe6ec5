// The office console's pages. Each page asks the server (api.js) and shows what it answers;
// the server decides what a role may see and do (sync-server/access.h), the pages only
// leave out what it would refuse. Text is set with textContent, never parsed as HTML.
import { api, setCsrf, whenSignedOut } from './api.js';
import { t, setLanguage, currentLanguage } from './i18n.js';
import { h, say, page, errorText, roleName, field, actionForm, qrImage } from './dom.js';
import { dashboardPage, casesPage, casePage } from './pages_cases.js';
import { usersPage, devicesPage, auditPage } from './pages_staff.js';
import { reportsPage } from './pages_meal.js';
import { conflictsPage, reviewPage } from './pages_review.js';
import { providersPage, formsPage } from './pages_office.js';

const nav = document.getElementById('nav');
let me = null;

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
    field('totp_code', h('input', {
      name: 'code', autocomplete: 'one-time-code', inputmode: 'numeric', pattern: '[0-9]{6}', maxlength: 6, class: 'ltr',
    })),
    h('button', { type: 'submit' }, t('sign_in')),
  ], async (data) => {
    me = await api.post('sign-in', { user: data.get('user'), password: data.get('password'), code: data.get('code') });
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

// The second factor: a new secret drawn as a QR code for the authenticator app, and the
// first code it shows to confirm.
function secondFactor() {
  const { totp } = me;
  if (!totp.may) return null;
  const area = h('div', { id: 'totp-setup' });
  const confirmForm = () => actionForm('inline', [
    field('totp_first_code', h('input', { name: 'code', inputmode: 'numeric', pattern: '[0-9]{6}', maxlength: 6, required: true, class: 'ltr', autocomplete: 'one-time-code' })),
    h('button', { type: 'submit' }, t('totp_confirm')),
  ], async (data) => {
    await api.post('account/totp-confirm', { code: data.get('code') });
    me = await api.get('me');
    setCsrf(me.csrf);
    say(t('totp_done'));
    showNav();
    accountPage();
  });
  const begin = async () => {
    try {
      const enrolment = await api.post('account/totp-begin');
      area.replaceChildren(h('p', {}, t('totp_scan')), qrImage(enrolment.qr, t('totp_qr_label')),
        h('p', {}, t('totp_type_instead'), ' ', h('span', { class: 'code', id: 'totp-secret' }, enrolment.secret)), confirmForm());
    } catch (error) { say(errorText(error), 'error'); }
  };
  return h('section', { 'aria-labelledby': 'totp-heading' },
    h('h2', { id: 'totp-heading' }, t('totp_title')),
    totp.enrolled ? h('p', { class: 'ok', id: 'totp-state' }, t('totp_enrolled'))
      : [totp.setup_needed ? h('p', { class: 'error', id: 'totp-state' }, t('totp_required')) : h('p', { id: 'totp-state' }, t('totp_optional')),
        h('button', { type: 'button', id: 'totp-begin', onclick: begin }, t('totp_begin')), area]);
}

function accountPage() {
  const u = me.user;
  page('account', h('p', { id: 'account-line' }, t('own_account', { user: u.name, role: roleName(u.role), team: u.team ? `, ${u.team}` : '' })),
    secondFactor(),
    h('p', {}, h('button', { type: 'button', class: 'secondary', onclick: signOut }, t('sign_out'))));
}

// --- routing ---

const pages = {
  dashboard: dashboardPage, cases: casesPage, conflicts: conflictsPage, review: reviewPage, users: usersPage,
  devices: devicesPage, providers: providersPage, forms: formsPage, audit: auditPage, reports: reportsPage,
  account: accountPage,
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
  return pages[target](argument && decodeURIComponent(argument));
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
