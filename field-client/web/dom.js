// Building the page without innerHTML: every value from the store goes in as text, so a
// name or an answer can never become markup. `bdi` isolates text whose direction may
// differ from the page's (names, ids, numbers, answers).
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export const bdi = (text) => h('bdi', {}, text === undefined || text === null ? '' : String(text));

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

// The route as #/a/b?x=y: parts and query.
export function route() {
  const hash = location.hash.replace(/^#/, '') || '/home';
  const [path, query = ''] = hash.split('?');
  return { parts: path.split('/').filter(Boolean), query: new URLSearchParams(query) };
}

export function go(path) {
  if (location.hash === `#${path}`) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = path;
}

export function debounce(fn, ms) {
  let timer;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
}
