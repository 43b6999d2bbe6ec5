// The officers' supervision pages: open conflicts side by side, keeping one version, and
// the weekly review with the closures awaiting approval.
import { api } from './api.js';
import { t, currentLanguage } from './i18n.js';
import { h, say, page, errorText, table, caseNamer, caseLink, rerender } from './dom.js';

function hashParams() { return Object.fromEntries(new URLSearchParams(location.hash.split('?')[1] || '')); }

export async function conflictsPage() {
  const params = hashParams();
  const { conflicts, next } = await api.get('conflicts', { after: params.after, lang: currentLanguage() });
  const named = caseNamer(conflicts.map((c) => ({ id: c.case, name: c.name })));
  const card = (c, index) => {
    const problem = h('p', { class: 'error', role: 'alert', id: `conflict-${index}-problem` });
    const name = named(c.case, c.name);
    const where = c.form ? `${c.form} · ${c.label}` : c.label;
    const side = (v, key) => h('div', { class: 'version' },
      h('h3', {}, t(key)),
      h('p', { class: 'value' }, v.cleared ? t('cleared') : h('bdi', {}, v.shown)),
      h('p', { class: 'muted' }, t('written_by', { user: v.by }), ' · ', h('bdi', {}, v.at_shown)),
      h('button', {
        type: 'button',
        'aria-describedby': problem.id,
        'aria-label': t('keep_named', { value: v.cleared ? t('cleared') : v.shown, field: c.label, name }),
        onclick: async () => {
          problem.textContent = '';
          try {
            await api.post('case/resolve', { id: c.case, record: c.record, field: c.field, value: v.value });
            say(t('kept', { field: c.label, name }));
            rerender();
          } catch (error) {
            problem.textContent = errorText(error);
            say(errorText(error), 'error');
          }
        },
      }, t('keep')));
    return h('section', { class: 'card conflict', 'aria-labelledby': `conflict-${index}` },
      h('h2', { id: `conflict-${index}` }, caseLink(c.case, name), ' · ', h('bdi', {}, where)),
      h('div', { class: 'side-by-side' }, side(c.earlier, 'earlier'), side(c.later, 'later')),
      problem);
  };
  const paging = h('p', { class: 'paging' },
    params.after ? h('a', { href: '#/conflicts' }, t('first_page')) : null, ' ',
    next ? h('a', { href: `#/conflicts?after=${encodeURIComponent(next)}`, id: 'next-page' }, t('next_page')) : null);
  page('conflicts', h('p', {}, t('conflicts_intro')),
    conflicts.length === 0 ? h('p', { class: 'muted' }, t('no_conflicts')) : conflicts.map(card), paging);
}

export async function reviewPage() {
  const r = await api.get('review', { lang: currentLanguage() });
  const named = caseNamer([...r.closures, ...r.findings]);
  page('review',
    h('p', {}, t('review_intro', { cases: r.cases, days: r.open_days_limit })),
    h('h2', { id: 'closures-heading' }, t('closures_awaiting')),
    table(t('closures_awaiting'), [t('name'), t('closure_reason')],
      r.closures.map((c) => [caseLink(c.id, named(c.id, c.name)), h('bdi', {}, c.reason)])),
    h('h2', {}, t('needs_attention')),
    table(t('needs_attention'), [t('name'), t('detail')],
      r.findings.map((f) => [caseLink(f.id, named(f.id, f.name)), f.what])));
}
