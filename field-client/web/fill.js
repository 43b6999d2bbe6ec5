// Filling a form one page at a time: a question, or a whole group whose form asks for it on
// one page ("field-list"); a computed value is shown read-only on the page of the question
// before it, and follows the answers as they are typed. The page holds the answers as typed; the field
// client's forms engine says, on every change, which questions are relevant, which are
// required, what each answer means and what is wrong with it (ui_api.h, form_view). This
// module only shows that verdict: there is no form logic here. A repeat's entries are
// added and removed by the engine too (repeats.js), and an answer a changed earlier answer
// no longer allows (a cascading select's locality) is cleared by it, with a note shown.
import { post, get, ApiError } from './api.js';
import { h, bdi, clear, go, debounce } from './dom.js';
import { t } from './i18n.js';
import { repeatPage, errorNodes } from './repeats.js';

export async function fillScreen({ main, show, kind, id }) {
  const isDraft = kind === 'draft';
  const first = isDraft ? await get(`/api/drafts/${id}`) : await post(`/api/records/${id}/evaluate`);
  const answers = { ...(first.answers || {}) };
  const passed = new Set(first.passed || []);
  let cleared = new Set(first.cleared || []);
  let view = first;
  let at = firstUnpassed(view, passed);
  let reviewing = false;
  // The question last drawn: where the person is, even when they moved on while a verdict
  // was on its way (a late verdict must not take them back).
  let drawn;
  let finishError = null;
  const base = isDraft ? `/api/drafts/${id}` : `/api/records/${id}`;

  const body = () => ({ answers, passed: [...passed], cleared: [...cleared] });
  // The engine's answers after a change it made (an entry added or removed, a cleared
  // answer): what it answered for every answer the page sent, unless the person has changed
  // that answer since it was sent (they may type on while a verdict is awaited). The page
  // never works these changes out itself.
  const adopt = (sent) => {
    const now = view.answers || {};
    for (const key of new Set([...Object.keys(sent), ...Object.keys(now)])) {
      if (answers[key] !== sent[key]) continue;
      if (key in now) answers[key] = now[key]; else delete answers[key];
    }
    cleared = new Set(view.cleared || []);
  };
  const evaluate = async () => {
    const sent = { ...answers };
    view = await post(`${base}/evaluate`, body());
    adopt(sent);
  };
  const save = async (extra = {}) => {
    const sent = { ...answers };
    view = isDraft ? await post(base, { ...body(), ...extra }) : await post(`${base}/evaluate`, { ...body(), grow: true, ...extra });
    adopt(sent);
  };
  // Adds or removes a repeat's entry, then shows the repeat's page again.
  async function change(what, errorBox) {
    const list = current()?.name;
    if (list) passed.add(list);
    try {
      await save(what);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      clear(errorBox).append(error.message);
      return;
    }
    at = indexOf(list);
    draw();
    const focus = what.add ? main.querySelector('#instances-' + CSS.escape(list) + ' li:last-child .open-instance') : main.querySelector('#add-instance');
    if (focus) focus.focus();
  }

  function firstUnpassed(v, p) {
    const i = v.questions.findIndex((q) => !p.has(q.name));
    return i < 0 ? 0 : i;
  }
  function indexOf(name) {
    const i = view.questions.findIndex((q) => q.name === name);
    return i < 0 ? Math.min(at, view.questions.length - 1) : i;
  }
  const current = () => view.questions[at];

  // The pages, each a list of question indexes: a field-list group's questions together,
  // a computed value with the question before it, every other question alone.
  function pages() {
    const out = [];
    view.questions.forEach((q, i) => {
      const last = out[out.length - 1];
      const prev = last && view.questions[last[last.length - 1]];
      const alone = q.type === 'repeat' || (prev && prev.type === 'repeat');
      const together = last && !alone && ((q.page && prev.page === q.page) || q.read_only || last.every((j) => view.questions[j].read_only));
      if (together) last.push(i); else out.push([i]);
    });
    return out;
  }
  const pageOf = (i) => Math.max(0, pages().findIndex((p) => p.includes(i)));
  const onPage = () => (pages()[pageOf(at)] || []).map((i) => view.questions[i]);
  // What the page is drawn from: when it changes (a question became relevant, a filter
  // changed the choices), the page is drawn again.
  const shape = () => JSON.stringify(onPage().map((q) => [q.name, (q.choices || []).map((c) => c.name), q.label, q.note || '']));

  // Updates the error and the question list in place while the person types.
  const refresh = debounce(async (name) => {
    // The person may have moved on meanwhile: stay on the question drawn last, by name,
    // since the verdict may add or drop questions before it.
    const before = shape();
    try { await evaluate(); } finally { delete main.dataset.busy; }
    at = indexOf(drawn);
    if (!reviewing && shape() !== before) { draw(name); return; }
    const q = view.questions.find((x) => x.name === name);
    const box = main.querySelector(`#error-${CSS.escape(name)}`);
    if (box && q) showError(box, q, main.querySelector(`[data-answer="${CSS.escape(name)}"]`));
    for (const out of main.querySelectorAll('[data-computed]')) {
      const c = view.questions.find((x) => x.name === out.dataset.computed);
      out.textContent = c && c.shown !== undefined ? c.shown : '–';
    }
    renderJump();
  }, 200);

  function showError(box, q, input) {
    clear(box);
    const message = q.error && (q.raw ?? '').trim() !== '' ? q.error : (q.error && passed.has(q.name) ? q.error : '');
    if (message) box.append(...errorNodes(q));
    for (const el of main.querySelectorAll(`[data-answer="${CSS.escape(q.name)}"]`)) {
      if (message) el.setAttribute('aria-invalid', 'true'); else el.removeAttribute('aria-invalid');
    }
    if (input && !message) input.removeAttribute('aria-invalid');
  }

  // data-busy while the engine's verdict on a change is awaited (tests wait on it).
  function set(name, value) {
    answers[name] = value;
    main.dataset.busy = 'true';
    refresh(name);
  }

  function input(q) {
    const describedBy = `error-${q.name}${q.hint ? ` hint-${q.name}` : ''}${q.note ? ` note-${q.name}` : ''}`;
    const value = answers[q.name] ?? q.default ?? '';
    if (answers[q.name] === undefined && q.default !== undefined) answers[q.name] = q.default;
    const choiceGroup = (type, choices, selected, onchange) => h('fieldset', { 'aria-describedby': describedBy },
      h('legend', {}, q.label, q.required ? h('span', { class: 'required', 'aria-hidden': 'true' }, ' *') : null),
      choices.map((c) => h('label', { class: 'choice' }, h('input', {
        type, name: `q-${q.name}`, value: c.name, checked: selected(c.name), 'data-answer': q.name,
        onchange, required: type === 'radio' && q.required,
      }), bdi(c.label))));
    if (q.read_only) {
      return h('p', { class: 'computed' }, h('span', { id: `label-${q.name}` }, q.label), ' ',
        h('output', { 'data-computed': q.name, 'aria-labelledby': `label-${q.name}`, 'aria-live': 'polite' },
          q.shown !== undefined ? q.shown : '–'));
    }
    switch (q.type) {
      case 'note': return h('p', { class: 'note' }, q.label);
      case 'select_one':
        return choiceGroup('radio', q.choices, (n) => value === n, (e) => set(q.name, e.target.value));
      case 'boolean':
        return choiceGroup('radio', [{ name: 'true', label: t('yes') }, { name: 'false', label: t('no') }],
          (n) => value === n, (e) => set(q.name, e.target.value));
      case 'select_multiple': {
        const chosen = new Set(value.split(' ').filter(Boolean));
        return choiceGroup('checkbox', q.choices, (n) => chosen.has(n), (e) => {
          if (e.target.checked) chosen.add(e.target.value); else chosen.delete(e.target.value);
          set(q.name, q.choices.map((c) => c.name).filter((n) => chosen.has(n)).join(' '));
        });
      }
      default: {
        const field = h('input', {
          id: `q-${q.name}`, type: 'text', value, autocomplete: 'off', 'data-answer': q.name,
          'aria-describedby': describedBy, 'aria-required': q.required ? 'true' : null,
          inputmode: ['integer', 'decimal'].includes(q.type) || q.numeric ? 'decimal' : null,
          placeholder: q.type === 'date' ? t('fill.date_placeholder') : null,
          oninput: (e) => set(q.name, e.target.value),
        });
        const parts = [h('label', { for: `q-${q.name}` }, q.label, q.required ? h('span', { class: 'required', 'aria-hidden': 'true' }, ' *') : null), field];
        if (q.suggestions) {
          parts.push(h('fieldset', { class: 'suggestions' }, h('legend', {}, t('fill.suggestions')),
            q.suggestions.map((s) => h('label', { class: 'choice' }, h('input', {
              type: 'radio', name: `s-${q.name}`, value: s.name, checked: value === s.name,
              onchange: () => { field.value = s.name; set(q.name, s.name); },
            }), bdi(s.label), ' ', h('span', { class: 'muted' }, bdi(s.name))))));
        }
        if (q.type === 'geopoint') {
          // The browser's position when it gives one; otherwise the person types it.
          const said = h('p', { class: 'hint', id: `locate-${q.name}`, role: 'status' });
          const failed = () => { clear(said); said.append(t('fill.locate_failed')); field.focus(); };
          parts.push(h('button', { type: 'button', id: `locate-button-${q.name}`, onclick: () => {
            clear(said);
            if (!navigator.geolocation) { failed(); return; }
            navigator.geolocation.getCurrentPosition((p) => {
              field.value = `${p.coords.latitude} ${p.coords.longitude} ${p.coords.altitude || 0} ${p.coords.accuracy}`;
              set(q.name, field.value);
            }, failed, { timeout: 10000 });
          } }, t('fill.locate')), said);
        }
        return h('div', {}, parts);
      }
    }
  }

  const jump = h('nav', { class: 'jump', 'aria-label': t('fill.all_questions') });
  function renderJump() {
    clear(jump);
    jump.append(h('h2', {}, t('fill.all_questions')), h('ol', {}, view.questions.map((q, i) => h('li', { class: q.instance_key ? 'in-instance' : null },
      h('button', { type: 'button', class: `link${q.error && passed.has(q.name) ? ' has-error' : ''}`, 'aria-current': !reviewing && i === at ? 'step' : null,
        onclick: () => { reviewing = false; at = i; draw(q.name); } },
      q.instance && q.type !== 'repeat' ? h('span', { class: 'muted' }, bdi(q.instance), ': ') : null,
      q.label, q.error && passed.has(q.name) ? h('span', { class: 'visually-hidden' }, ` (${t('fill.has_error')})`) : null)))));
  }

  async function next(step) {
    const shown = onPage();
    for (const q of shown) passed.add(q.name);
    await save();
    const names = shown.map((q) => q.name);
    const wrong = view.questions.findIndex((q) => names.includes(q.name) && q.error);
    if (step > 0 && wrong >= 0) { at = wrong; draw(); return; }
    const all = pages();
    const p = pageOf(indexOf(names[0])) + step;
    if (p >= all.length) { reviewing = true; draw(); return; }
    at = all[Math.max(0, p)][0];
    reviewing = false;
    draw();
  }

  async function finish() {
    view.questions.forEach((q) => passed.add(q.name));
    try {
      const done = await post(`${base}/${isDraft ? 'finish' : 'edit'}`, body());
      if (done.case) go(`/cases/${done.case}`); else go(`/records/${done.record}`);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.body.view) view = { ...error.body.view, draft: view.draft };
      finishError = error.message;
      reviewing = true;
      draw();
    }
  }

  function reviewPage() {
    const rows = view.questions.filter((q) => q.type !== 'note').map((q) => {
      const i = view.questions.indexOf(q);
      const change = h('button', { type: 'button', class: 'link', onclick: () => { reviewing = false; at = i; draw(); } }, t('fill.change'));
      if (q.type === 'repeat') {  // the list of its entries, each by its name and summary
        return [h('dt', { class: 'repeat' }, q.instance ? h('span', { class: 'muted' }, bdi(q.instance), ': ') : null, q.label),
          h('dd', { 'data-review-repeat': q.name }, t('repeat.entries', { count: q.instances.length }), ' ', change,
            q.instances.length ? h('ol', { class: 'instances' }, q.instances.map((e) => h('li', {}, bdi(e.label),
              e.summary ? h('span', { class: 'muted' }, ' ', bdi(e.summary))
                : e.answered ? null : h('span', { class: 'muted' }, ` (${t('repeat.not_answered')})`)))) : null,
            q.removed ? h('p', { class: 'cleared-note' }, q.removed) : null,
            q.error || q.notice ? h('p', { class: 'error' }, q.error || q.notice) : null)];
      }
      const shown = q.read_only ? (q.shown ?? '') : q.choices ? (q.value || '').split(' ').map((n) => (q.choices.find((c) => c.name === n) || { label: n }).label).join(', ')
        : q.type === 'boolean' ? (q.value === 'true' ? t('yes') : q.value === 'false' ? t('no') : '') : (q.value ?? q.raw ?? '');
      return [h('dt', {}, q.instance ? h('span', { class: 'muted' }, bdi(q.instance), ': ') : null, q.label),
        h('dd', {}, shown ? bdi(shown) : h('span', { class: 'muted' }, t('fill.unanswered')), ' ', change,
          q.note ? h('p', { class: 'cleared-note' }, q.note) : null,
          q.error ? h('p', { class: 'error' }, errorNodes(q)) : null)];
    });
    return h('section', { class: 'card', 'aria-labelledby': 'review-title' }, h('h2', { id: 'review-title' }, t('fill.review')),
      finishError ? h('p', { class: 'error', role: 'alert' }, finishError) : null,
      h('dl', { class: 'values' }, rows),
      h('div', { class: 'row' }, h('button', { type: 'button', onclick: () => { reviewing = false; at = view.questions.length - 1; draw(); } }, t('fill.back')),
        h('button', { type: 'button', class: 'primary', id: 'finish', onclick: finish }, t(isDraft ? 'fill.save_record' : 'fill.save_changes'))));
  }

  function draw(focusName) {
    drawn = current()?.name;
    const title = view.form.title;
    renderJump();
    const actions = h('div', { class: 'row' },
      h('button', { type: 'button', id: 'back', disabled: at === 0, onclick: () => next(-1) }, t('fill.back')),
      h('button', { type: 'button', id: 'next', class: 'primary', onclick: () => next(1) }, t('fill.next')),
      h('button', { type: 'button', id: 'to-review', onclick: async () => { for (const q of onPage()) passed.add(q.name); await save(); reviewing = true; draw(); } }, t('fill.review')),
      isDraft ? h('button', { type: 'button', id: 'save-draft', onclick: async () => { await save(); go(view.draft?.case ? `/cases/${view.draft.case}` : '/home'); } }, t('fill.save_draft')) : null);
    const q = current();
    let content;
    if (reviewing || !q) {
      content = reviewPage();
    } else if (q.type === 'repeat') {
      const all = pages();
      content = repeatPage(q, { count: t('fill.question_of', { n: pageOf(at) + 1, total: all.length }), actions,
        open: (name) => { at = indexOf(name); draw(name); }, change });
    } else {
      const shown = onPage();
      const all = pages();
      const asked = shown.filter((x) => !x.read_only && x.type !== 'note').length;
      const count = asked > 1 ? t('fill.page_of', { n: pageOf(at) + 1, total: all.length })
        : t('fill.question_of', { n: pageOf(at) + 1, total: all.length });
      const boxes = [];
      const blocks = shown.map((x) => {
        if (x.read_only || x.type === 'note') return input(x);
        const box = h('p', { class: 'error', id: `error-${x.name}`, role: 'alert' });
        boxes.push([box, x]);
        return h('div', { class: 'field' }, input(x), x.hint ? h('p', { class: 'hint', id: `hint-${x.name}` }, x.hint) : null,
          x.note ? h('p', { class: 'cleared-note', id: `note-${x.name}`, role: 'status' }, x.note) : null, box);
      });
      content = h('section', { class: 'card question', 'aria-labelledby': 'question-count' },
        q.instance ? h('h2', { class: 'group instance-heading' }, bdi(q.instance)) : q.group ? h('h2', { class: 'group' }, q.group) : null,
        h('p', { id: 'question-count', class: 'muted' }, count), blocks, actions);
      setTimeout(() => boxes.forEach(([box, x]) => showError(box, view.questions.find((v) => v.name === x.name) || x, null)), 0);
    }
    show(title, content, jump);
    const focus = (focusName && main.querySelector(`[data-answer="${CSS.escape(focusName)}"]`)) || main.querySelector('[data-answer]');
    if (focus && !reviewing) {
      focus.focus();
      if (focus.type === 'text' && focusName) focus.setSelectionRange(focus.value.length, focus.value.length);
    }
  }

  draw();
}
