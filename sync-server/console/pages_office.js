// The office's reference pages: the provider directory (officers and administrators) and
// the published forms (administrators).
import { api, ApiError } from './api.js';
import { t, serverMessage, currentLanguage } from './i18n.js';
import { h, say, page, errorText, table, field, actionForm, rerender } from './dom.js';

const kMiB = 1024 * 1024;

// A file chooser and its button: the file is checked for size here, sent as it is, and
// what is happening stays in view until the server answers.
function uploadForm({ id, labelKey, accept, limitMiB, buttonKey, send }) {
  const progress = h('p', { id: `${id}-progress`, role: 'status' });
  const input = h('input', { type: 'file', name: 'file', accept, required: true, id: `${id}-file` });
  const form = h('form', { class: 'inline', id },
    h('label', { for: `${id}-file` }, t(labelKey), input), h('button', { type: 'submit' }, t(buttonKey)), progress);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const file = input.files[0];
    if (!file) return;
    if (file.size > limitMiB * kMiB) {
      progress.textContent = t('file_too_large', { limit: limitMiB });
      progress.className = 'error';
      return;
    }
    progress.className = 'muted';
    progress.textContent = t('sending', { file: file.name });
    try {
      say(await send(file));
    } catch (error) {
      progress.className = 'error';
      progress.textContent = t('upload_failed', { file: file.name });
      say(errorText(error), 'error');
    }
  });
  return form;
}

function problemList(id, error) {
  const list = document.getElementById(id);
  const body = error instanceof ApiError ? error.body : null;
  const lines = body && Array.isArray(body.problems) ? body.problems : [];
  list.replaceChildren(
    h('p', { class: 'error' }, errorText(error)),
    lines.length ? h('ul', {}, lines.map((p) => h('li', {}, t('line', { line: p.line }), ' ', serverMessage(p)))) : null);
}

// --- the provider directory ---

function providerForm(services, existing) {
  const p = existing || { id: '', name: '', services: [], location: '', contact: '', hours: '', criteria: '', active: true };
  const problem = h('p', { class: 'error', role: 'alert' });
  const choices = h('fieldset', {}, h('legend', {}, t('services')),
    services.map((s) => h('label', { class: 'check' },
      h('input', { type: 'checkbox', name: 'services', value: s.code, checked: p.services.includes(s.code) }), s.label)));
  const form = actionForm('stack', [
    field('provider_id', h('input', { name: 'id', value: p.id, required: true, readonly: Boolean(existing), class: 'ltr' })),
    field('provider_name', h('input', { name: 'name', value: p.name, required: true })),
    choices,
    field('location', h('input', { name: 'location', value: p.location, required: true })),
    field('contact', h('input', { name: 'contact', value: p.contact })),
    field('hours', h('input', { name: 'hours', value: p.hours })),
    field('criteria', h('input', { name: 'criteria', value: p.criteria })),
    h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'active', checked: p.active }), t('provider_active')),
    h('button', { type: 'submit' }, t('save')),
    problem,
  ], async (data) => {
    problem.textContent = '';
    try {
      await api.post('providers/save', {
        new: !existing, id: data.get('id'), name: data.get('name'), services: data.getAll('services').join(';'),
        location: data.get('location'), contact: data.get('contact'), hours: data.get('hours'),
        criteria: data.get('criteria'), active: data.get('active') === 'on',
      });
      say(t('saved', { name: data.get('name') }));
      if (location.hash === '#/providers') rerender(); else location.hash = '#/providers';
    } catch (error) {
      problem.textContent = errorText(error);
      throw error;
    }
  });
  form.id = 'provider-form';
  return form;
}

export async function providersPage(argument) {
  const { providers, services } = await api.get('providers', { lang: currentLanguage() });
  const editing = argument ? providers.find((p) => p.id === argument) : null;
  const rows = providers.map((p) => [h('bdi', {}, p.name), p.services_shown.join(currentLanguage() === 'ar' ? '، ' : ', '),
    h('bdi', {}, p.location), h('bdi', {}, p.contact), p.active ? t('yes') : t('no'),
    h('a', { href: `#/providers/${p.id}`, 'aria-label': t('edit_named', { name: p.name }) }, t('edit'))]);
  const importer = uploadForm({
    id: 'provider-import', labelKey: 'import_csv', accept: '.csv,text/csv', limitMiB: 8, buttonKey: 'import',
    send: async (file) => {
      document.getElementById('import-problems').replaceChildren();
      try {
        const done = await api.upload('providers/import', file);
        rerender();
        return t('imported', { count: done.imported, added: done.added });
      } catch (error) {
        problemList('import-problems', error);
        throw error;
      }
    },
  });
  page('providers',
    table(t('providers'), [t('provider_name'), t('services'), t('location'), t('contact'), t('provider_active'), ''], rows),
    h('h2', {}, editing ? t('edit_provider', { name: editing.name }) : t('add_provider')),
    providerForm(services, editing),
    h('h2', {}, t('import_csv')), h('p', { class: 'muted' }, t('import_help')), importer, h('div', { id: 'import-problems' }));
}

// --- forms ---

// What the last publish warned about, shown once the list is drawn again.
let publishWarnings = [];

export async function formsPage() {
  const { forms } = await api.get('forms', { lang: currentLanguage() });
  const archive = (f) => async () => {
    if (!confirm(t('confirm_archive', { title: f.title }))) return;
    try { await api.post('forms/archive', { form: f.id }); say(t('done')); rerender(); } catch (error) { say(errorText(error), 'error'); }
  };
  const rows = forms.map((f) => {
    const newest = f.versions[f.versions.length - 1];
    return [h('bdi', {}, f.title), h('span', { class: 'ltr' }, f.id),
      h('ul', { class: 'plain' }, f.versions.map((v) => h('li', {},
        t('version_line', { version: v.version, when: v.published_shown, by: v.by }), v.file ? [' · ', h('bdi', {}, v.file)] : null))),
      f.archived ? t('archived') : t('offered'),
      f.archived ? '' : h('button', { type: 'button', class: 'danger', onclick: archive(f), 'aria-label': t('archive_named', { title: f.title }) }, t('archive')),
      newest.warnings ? h('span', { class: 'muted' }, newest.warnings) : ''];
  });
  const publisher = uploadForm({
    id: 'form-publish', labelKey: 'xlsform_file', accept: '.xlsx', limitMiB: 20, buttonKey: 'publish',
    send: async (file) => {
      const out = document.getElementById('publish-result');
      out.replaceChildren();
      try {
        const done = await api.upload('forms/publish', file);
        publishWarnings = done.warnings;
        rerender();
        return t('published', { form: done.form, version: done.version });
      } catch (error) {
        out.replaceChildren(h('p', { class: 'error pre' }, errorText(error)));
        throw error;
      }
    },
  });
  const warned = publishWarnings.length
    ? [h('h3', {}, t('warnings')), h('ul', {}, publishWarnings.map((w) => h('li', {}, serverMessage({ message: w }))))] : null;
  publishWarnings = [];
  page('forms', h('h2', {}, t('publish_form')), h('p', { class: 'muted' }, t('publish_help')), publisher,
    h('div', { id: 'publish-result' }, warned),
    h('h2', {}, t('published_forms')),
    table(t('published_forms'), [t('form_title'), t('form_id'), t('versions'), t('form_state'), '', t('warnings')], rows));
}
