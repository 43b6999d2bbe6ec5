// What every console page is made of: elements built from data (text set with
// textContent, never parsed as HTML), the status line, tables, forms whose submit reports
// its outcome, and the QR code the server computed.
import { ApiError } from './api.js';
import { t, serverMessage } from './i18n.js';

const main = document.getElementById('main');

export function h(tag, attributes = {}, ...children) {
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

export function say(text, kind = 'ok') {
  const status = document.getElementById('status');
  status.className = `status ${kind}`;
  status.textContent = text;
}

export function page(titleKey, ...children) {
  main.replaceChildren(h('h1', {}, t(titleKey)), ...children.flat(Infinity).filter(Boolean));
  document.title = `${t(titleKey)} · ${t('title')}`;
  main.focus();
}

export function errorText(error) {
  return error instanceof ApiError ? serverMessage(error.body) : t('failed');
}

export function table(caption, headers, rows) {
  if (rows.length === 0) return h('p', { class: 'muted' }, t('none'));
  return h('table', {},
    h('caption', { class: 'muted' }, caption),
    h('thead', {}, h('tr', {}, headers.map((header) => h('th', { scope: 'col' }, header)))),
    h('tbody', {}, rows.map((cells) => h('tr', {}, cells.map((cell) => h('td', {}, cell))))));
}

// A moment as the server wrote it for people, in the page's language ("15 January 2030, 14:05"); never.
export function when(shown) { return shown || t('never'); }
export function roleName(role) { return t(`role_${role}`); }

export function field(labelKey, input) { return h('label', {}, t(labelKey), input); }

// A form whose submit calls `action` and reports the outcome in the status line.
export function actionForm(className, children, action) {
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

export function showCode(text, code, qr) {
  const issued = document.getElementById('issued');
  issued.replaceChildren(h('section', { 'aria-labelledby': 'issued-heading' },
    h('h2', { id: 'issued-heading' }, text), h('p', { class: 'code', id: 'issued-code' }, code), qr ? qrImage(qr) : null));
  issued.scrollIntoView();
}

// The QR code the server computed, drawn as SVG squares: one per dark module.
export function qrImage(rows, label = t('qr_label')) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', `0 0 ${rows.length} ${rows.length}`);
  svg.setAttribute('class', 'qr');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
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

// Shows the current page again, after a change.
export function rerender() { window.dispatchEvent(new HashChangeEvent('hashchange')); }

// How a page names cases: by the person's name, with the end of the case's reference
// only where two cases on the page share a name.
export function caseNamer(rows) {
  const ids = new Map();
  for (const { id, name } of rows) {
    if (!ids.has(name)) ids.set(name, new Set());
    ids.get(name).add(id);
  }
  return (id, name) => {
    const shown = name || t('no_name');
    return ids.get(name) && ids.get(name).size > 1 ? `${shown} · ${id.slice(-6)}` : shown;
  };
}

// A link to a case file, named as caseNamer names it.
export function caseLink(id, label) { return h('a', { href: `#/case/${id}` }, h('bdi', {}, label)); }
