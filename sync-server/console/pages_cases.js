// The pages of officers and administrators about cases: the dashboard, the case list and
// the case file with its decisions.
import { api } from './api.js';
import { t, currentLanguage } from './i18n.js';
import { h, say, page, errorText, table, when, field, actionForm, rerender } from './dom.js';

export async function dashboardPage() {
  const d = await api.get('dashboard', { lang: currentLanguage() });
  const card = (key, count, list) => h('section', { class: 'card', 'aria-labelledby': `card-${key}` },
    h('h2', { id: `card-${key}` }, t(key)), h('p', { class: 'count' }, count), list);
  const deviceList = (rows) => h('ul', {}, rows.map((r) => h('li', {}, `${r.user} · `, h('span', { class: 'ltr' }, r.id.slice(-8)), ' · ', h('bdi', {}, when(r.last_sync_shown)))));
  const caseLink = (r) => h('a', { href: `#/case/${r.id}` }, r.reference);
  page('dashboard',
    h('div', { class: 'cards' },
      card('not_synced', d.not_synced.length, deviceList(d.not_synced)),
      card('past_lease', d.past_lease.length, deviceList(d.past_lease)),
      card('open_conflicts', d.open_conflicts, d.open_conflicts ? h('p', {}, h('a', { href: '#/conflicts' }, t('see_conflicts'))) : null),
      card('closures_awaiting', d.closures_awaiting.length,
        h('ul', {}, d.closures_awaiting.map((r) => h('li', {}, caseLink(r), ` · ${r.assigned_to}`))))),
    h('h2', {}, t('findings')),
    table(t('findings'), [t('reference'), t('detail')],
      d.findings.map((f) => [caseLink(f), f.what[currentLanguage()] || f.what.en])));
}

export async function casesPage() {
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
  const { cases, next } = await api.get('cases', { ...params, lang: currentLanguage() });
  const { after, ...filtersGiven } = params;
  const pageAt = (from) => `#/cases?${new URLSearchParams({ ...filtersGiven, ...(from ? { after: from } : {}) })}`;
  const paging = h('p', { class: 'paging' },
    after ? h('a', { href: pageAt(null) }, t('first_page')) : null, ' ',
    next ? h('a', { href: pageAt(next), id: 'next-page' }, t('next_page')) : null);
  page('cases', filters, table(t('cases'),
    [t('reference'), t('name'), t('status'), t('risk'), t('assignee'), t('opened'), t('steps')],
    cases.map((c) => [h('a', { href: `#/case/${c.id}` }, c.reference), c.name, c.status_shown, c.risk, c.assigned_to, c.opened_shown, c.steps])),
    paging);
}

function answersList(values) {
  if (values.length === 0) return h('p', { class: 'muted' }, t('none'));
  return h('dl', { class: 'facts' }, values.map((v) => [h('dt', {}, v.label || v.field), h('dd', {}, v.shown)]));
}

export async function casePage(id) {
  const file = await api.get('case', { id, lang: currentLanguage() });
  const decide = (what, extra = {}) => async () => {
    try {
      await api.post(`case/${what}`, { id: file.id, ...extra });
      say(t('done'));
      rerender();
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
    return h('div', { class: 'version' }, h('p', { class: 'value' }, v.cleared ? '—' : h('bdi', {}, v.shown)), h('p', { class: 'muted' }, h('bdi', {}, v.by), ' · ', h('bdi', {}, v.at_shown)),
      h('button', {
        type: 'button', class: 'secondary', 'aria-label': `${t('keep')} ${c.label}: ${v.cleared ? '—' : v.shown}`,
        onclick: decide('resolve', { record: c.record, field: c.field, value: v.value }),
      }, t('keep')));
  };
  const conflicts = file.conflicts.length === 0 ? [] : [h('h2', {}, t('conflicts')),
    table(t('conflicts'), [t('field'), t('earlier'), t('later')], file.conflicts.map((c) => [h('bdi', {}, c.label), version(c, 'earlier'), version(c, 'later')]))];
  page('case_file',
    h('dl', { class: 'facts' },
      h('dt', {}, t('reference')), h('dd', { class: 'ltr' }, file.reference),
      h('dt', {}, t('name')), h('dd', {}, file.name),
      h('dt', {}, t('status')), h('dd', { id: 'case-status' }, file.status_shown),
      h('dt', {}, t('assignee')), h('dd', { id: 'case-assignee' }, file.assigned_to),
      h('dt', {}, t('open_conflicts')), h('dd', {}, file.open_conflicts)),
    actions, conflicts,
    h('h2', {}, t('values')), answersList(file.values),
    h('h2', {}, t('steps')),
    file.steps.map((step) => h('section', { 'aria-label': step.title },
      h('h3', {}, step.title, ' · ', h('bdi', {}, when(step.created_shown)), ' · ', h('bdi', {}, step.author)), answersList(step.answers))),
    h('h2', {}, t('history')),
    table(t('history'), [t('when'), t('who'), t('field'), t('value')],
      file.history.map((e) => [e.at_shown, e.by, h('bdi', {}, e.label), e.cleared ? '—' : h('bdi', {}, e.shown)])));
}
