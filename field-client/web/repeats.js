// A repeat's own page while filling a form: its entries (instances), numbered, each with a
// short summary of its answers, Open to go to its questions, Remove behind a confirmation,
// and Add. Which entries exist, their names, numbers and summaries, and whether the repeat
// has room for one more or may lose one, are the forms engine's (ui_api.h, form_view): the
// page asks the field client to add or remove one and draws what it answers.
import { h, bdi, clear } from './dom.js';
import { t } from './i18n.js';

// A question's error as the engine gave it; inside an entry, its three parts ("error_at":
// the entry, the question, what is wrong), the entry's and the question's names isolated
// for bidi, so "Household members #2 · At school" reads right in either direction.
export function errorNodes(q) {
  if (!q.error) return [];
  const at = q.error_at;
  return at ? [bdi(at.entry), ' · ', bdi(at.question), ' — ', at.problem] : [q.error];
}

// `q`: the repeat's item of the view. `open(name)` goes to a question; `change({add} |
// {remove})` asks the engine and redraws. `count` is the "Question n of m" line.
export function repeatPage(q, { count, actions, open, change }) {
  // A list longer than its count says so at once (the notice); passed, it is an error.
  const error = h('p', { class: q.error && q.passed ? 'error' : 'notice', id: `error-${q.name}`, role: 'alert' },
    q.error && q.passed ? errorNodes(q) : (q.notice || ''));
  const items = q.instances.map((entry) => {
    const li = h('li', { class: 'instance', 'data-instance': entry.key });
    // Each entry is picked by its name and what it holds so far ("Household members #2
    // Amina · 34", or "not answered yet"): the button opens its first question.
    const normal = () => {
      clear(li);
      li.append(h('button', { type: 'button', class: 'open-instance entry-pick', disabled: !entry.first, onclick: () => open(entry.first) },
        h('span', { class: 'instance-label' }, bdi(entry.label)), ' ',
        entry.summary ? h('span', { class: 'muted instance-summary' }, bdi(entry.summary))
          : entry.answered ? null : h('span', { class: 'muted instance-summary' }, `(${t('repeat.not_answered')})`),
        entry.has_error ? h('span', { class: 'error' }, ` (${t('fill.has_error')})`) : null),
      h('button', { type: 'button', class: 'remove-instance danger', disabled: !q.can_remove,
        'aria-label': t('repeat.remove_entry', { entry: entry.label }), onclick: confirm }, t('repeat.remove')));
    };
    const confirm = () => {
      clear(li);
      const yes = h('button', { type: 'button', class: 'confirm-remove danger', onclick: () => change({ remove: entry.key }, error) },
        t('repeat.confirm_yes'));
      li.append(h('div', { role: 'group', 'aria-labelledby': `confirm-${entry.position}` },
        h('p', { id: `confirm-${entry.position}` }, t('repeat.confirm', { entry: entry.label })),
        h('span', { class: 'row' }, yes, h('button', { type: 'button', class: 'cancel-remove', onclick: normal }, t('repeat.cancel')))));
      yes.focus();
    };
    normal();
    return li;
  });
  const list = q.instances.length
    ? h('ol', { class: 'instances', id: `instances-${q.name}`, 'aria-labelledby': 'repeat-title' }, items)
    : h('p', { class: 'muted' }, t('repeat.none'));
  return h('section', { class: 'card question repeat', 'aria-labelledby': 'repeat-title', 'data-repeat': q.name },
    q.instance ? h('h2', { class: 'group' }, bdi(q.instance)) : null,
    h('p', { id: 'question-count', class: 'muted' }, count),
    h('h3', { id: 'repeat-title' }, q.label),
    q.count !== undefined ? h('p', { class: 'hint' }, t('repeat.count', { count: q.count })) : null,
    q.removed ? h('p', { class: 'cleared-note', id: `removed-${q.name}`, role: 'status' }, q.removed) : null,
    list,
    error,
    h('p', {}, h('button', { type: 'button', id: 'add-instance', disabled: !q.can_add, 'aria-describedby': q.can_add ? null : 'repeat-full',
      onclick: () => change({ add: q.name }, error) }, t('repeat.add')),
    q.can_add ? null : h('span', { class: 'hint', id: 'repeat-full' }, ' ', t('repeat.full'))),
    actions);
}
