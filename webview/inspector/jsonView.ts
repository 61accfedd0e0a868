import { h } from '../shared/dom';

const MAX_NODES = 20000;

/**
 * Renders parsed JSON as coloured, foldable DOM built from text nodes and spans only.
 * Strings from records go in through text nodes: nothing is ever parsed as HTML.
 */
export function renderJson(value: unknown): HTMLElement {
  const root = h('div', { class: 'json', role: 'tree' });
  const budget = { nodes: 0 };
  root.append(node(value, 0, budget, true, []));
  if (budget.nodes >= MAX_NODES) root.append(h('div', { class: 'json-more' }, `… cut after ${MAX_NODES.toLocaleString('en-US')} values: open it in an editor to see it all`));
  return root;
}

function node(value: unknown, depth: number, budget: { nodes: number }, last: boolean, prefix: Node[]): DocumentFragment {
  const frag = document.createDocumentFragment();
  budget.nodes++;
  const comma = last ? '' : ',';
  if (value === null || typeof value !== 'object') {
    frag.append(...prefix, scalar(value));
    if (comma) frag.append(punct(comma));
    return frag;
  }
  const isArray = Array.isArray(value);
  const entries: [string | null, unknown][] = isArray ? (value as unknown[]).map((v) => [null, v]) : Object.entries(value as object);
  const [open, close] = isArray ? ['[', ']'] : ['{', '}'];
  if (entries.length === 0) {
    frag.append(...prefix, punct(open + close + comma));
    return frag;
  }
  const toggle = h('span', { class: 'json-toggle', role: 'button', tabindex: 0, 'aria-expanded': 'true', title: 'Fold' });
  const summary = h('span', { class: 'json-summary' }, isArray ? ` ${entries.length} items ` : ` ${entries.length} keys `);
  summary.hidden = true;
  const body = h('div', { class: 'json-body' });
  frag.append(toggle, ...prefix, punct(open), summary, body);
  const closeEl = h('span', {}, punct(close + comma));
  frag.append(closeEl);
  const setOpen = (o: boolean) => {
    body.hidden = !o;
    summary.hidden = o;
    toggle.setAttribute('aria-expanded', String(o));
    toggle.classList.toggle('folded', !o);
  };
  toggle.addEventListener('click', () => setOpen(body.hidden));
  toggle.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      setOpen(body.hidden);
    }
  });
  entries.forEach(([k, v], i) => {
    if (budget.nodes >= MAX_NODES) return;
    const line = h('div', { class: 'json-line' });
    const key = k === null ? [] : [h('span', { class: 'json-key' }, JSON.stringify(k)), punct(': ')];
    line.append(node(v, depth + 1, budget, i === entries.length - 1, key));
    body.append(line);
  });
  if (depth >= 4 && entries.length > 0) setOpen(false);
  return frag;
}

function scalar(v: unknown): HTMLElement {
  if (typeof v === 'string') return h('span', { class: 'json-string' }, JSON.stringify(v));
  if (typeof v === 'number') return h('span', { class: 'json-number' }, String(v));
  if (typeof v === 'boolean') return h('span', { class: 'json-boolean' }, String(v));
  return h('span', { class: 'json-null' }, 'null');
}

function punct(s: string): HTMLElement {
  return h('span', { class: 'json-punct' }, s);
}
