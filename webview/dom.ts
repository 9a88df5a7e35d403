/**
 * A few DOM builders. Everything is made with createElement and properties, never HTML strings or style
 * attributes: the panel's Content Security Policy allows neither.
 */

type Child = Node | string | number | null | undefined | false;

export interface Props {
  class?: string;
  text?: string;
  title?: string;
  id?: string;
  /** Attributes (aria-*, role, data-*, slot…), set with setAttribute. */
  attrs?: Record<string, string | number | boolean | undefined>;
  /** Element properties (value, disabled, selectedIndex…). */
  props?: Record<string, unknown>;
  /** Event listeners by event type; a handler names the event type it expects. */
  on?: Record<string, (event: never) => void>;
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, p: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (p.class) node.className = p.class;
  if (p.id) node.id = p.id;
  if (p.title) node.title = p.title;
  for (const [name, value] of Object.entries(p.attrs ?? {})) {
    if (name === 'style') continue; // blocked by the CSP anyway; sizes go through node.style
    if (value === undefined || value === false) continue;
    node.setAttribute(name, value === true ? '' : String(value));
  }
  Object.assign(node, p.props ?? {});
  for (const [type, handler] of Object.entries(p.on ?? {})) node.addEventListener(type, handler as EventListener);
  if (p.text !== undefined) node.textContent = p.text;
  append(node, ...children);
  return node;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
  }
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, ...children: Node[]): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  for (const c of children) node.appendChild(c);
  return node;
}

/** Replaces a container's children. */
export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

/** An icon-only codicon, hidden from screen readers (the button around it carries the label). */
export const codicon = (name: string): HTMLSpanElement => el('span', { class: `codicon codicon-${name}`, attrs: { 'aria-hidden': 'true' } });

/**
 * Runs a re-render and puts the focus back on the element with the same `data-focus-key`, so that a new
 * snapshot from the extension does not throw the keyboard user back to the top of the page.
 */
export function keepingFocus(render: () => void): void {
  const active = document.activeElement;
  const key = active instanceof HTMLElement ? active.closest<HTMLElement>('[data-focus-key]')?.dataset.focusKey : undefined;
  render();
  if (key === undefined || (document.activeElement && document.activeElement !== document.body && document.activeElement.isConnected)) return;
  const again = document.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(key)}"]`);
  again?.focus();
}
