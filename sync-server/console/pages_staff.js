// The administrators' pages: users, devices and the audit log.
import { api } from './api.js';
import { t, currentLanguage } from './i18n.js';
import { h, say, page, errorText, table, when, roleName, field, actionForm, showCode } from './dom.js';

export async function usersPage() {
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

export async function devicesPage() {
  const { devices } = await api.get('devices', { lang: currentLanguage() });
  const rows = devices.map((d) => [h('span', { class: 'ltr' }, d.id), d.user, when(d.enrolled_shown), when(d.last_sync_shown),
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

export async function auditPage() {
  const log = await api.get('audit', { lang: currentLanguage() });
  const verdict = log.intact
    ? h('p', { class: 'ok', id: 'audit-verdict' }, t('audit_intact', { total: log.total, seq: log.head_seq, hash: log.head_hash.slice(0, 16) }))
    : h('p', { class: 'error', id: 'audit-verdict' }, t('audit_broken', { problem: log.problem }));
  page('audit', verdict, table(t('audit'), [t('seq'), t('when'), t('actor'), t('action'), t('subject'), t('detail')],
    log.entries.map((e) => [e.seq, e.at_shown, e.actor, e.action, h('span', { class: 'ltr' }, e.subject), e.detail])));
}
