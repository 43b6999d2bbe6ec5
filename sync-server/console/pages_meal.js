// The de-identified outputs MEAL staff, officers and administrators download: datasets per
// form or of cases, and the monthly report. Identified datasets only for the roles the
// server allows them (it says which); every download is audited on the server.
import { api } from './api.js';
import { t, currentLanguage } from './i18n.js';
import { h, page, field, say, errorText } from './dom.js';

export async function reportsPage() {
  const { sources, identified } = await api.get('exports', { lang: currentLanguage() });
  const month = new Date().toISOString().slice(0, 7);
  const lang = h('input', { type: 'hidden', name: 'lang', value: currentLanguage() });
  // A button per table of the chosen source: its own, each repeat's (the files `sync-server
  // export` writes), and the codebook.
  const source = h('select', { name: 'source' }, sources.map((s) => h('option', { value: s.id }, s.title)));
  const buttons = h('div', { class: 'inline', id: 'dataset-tables' });
  const showTables = () => {
    const chosen = sources.find((s) => s.id === source.value) || { tables: [] };
    buttons.replaceChildren(
      h('button', { type: 'submit', name: 'part', value: 'data' }, t('download_dataset')),
      ...(chosen.tables || []).map((table) => h('button', { type: 'submit', name: 'table', value: table, class: 'secondary' },
        t('download_table', { table }))),
      h('button', { type: 'submit', name: 'part', value: 'codebook', class: 'secondary' }, t('download_codebook')));
  };
  source.addEventListener('change', showTables);
  showTables();
  const dataset = h('form', { class: 'stack', method: 'get', action: '/console/api/export', id: 'dataset-form' },
    field('dataset_source', source),
    h('div', { class: 'inline' },
      field('from_date', h('input', { type: 'date', name: 'from' })),
      field('to_date', h('input', { type: 'date', name: 'to' }))),
    h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'labels', value: '1' }), t('labels_not_codes')),
    identified ? h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'identified', value: '1', id: 'identified' }),
      t('identified_export')) : h('p', { class: 'muted' }, t('deidentified_only')),
    lang,
    buttons);
  // The server is asked first whether it gives this download: a refusal (a role without
  // identified data, an unknown table) is shown here, in the page's language; then the
  // browser saves the file, the page staying as it is.
  dataset.addEventListener('submit', async (event) => {
    event.preventDefault();
    const params = new URLSearchParams([...new FormData(dataset, event.submitter).entries()].filter(([, v]) => v !== ''));
    try {
      await api.get('export', { ...Object.fromEntries(params), check: '1' });
      say('');
      location.assign(`/console/api/export?${params}`);
    } catch (error) {
      say(errorText(error), 'error');
    }
  });
  const report = h('form', { class: 'inline', method: 'get', action: '/console/api/report' },
    field('period', h('input', { name: 'period', value: month, pattern: '[0-9]{4}-[0-9]{2}', required: true, class: 'ltr' })),
    h('input', { type: 'hidden', name: 'lang', value: currentLanguage() }),
    h('button', { type: 'submit' }, t('download')));
  page('reports', h('h2', {}, t('datasets')), h('p', { class: 'muted' }, t('datasets_help')), dataset,
    h('h2', {}, t('monthly_report')), report);
}
