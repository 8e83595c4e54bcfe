import type { SvgNode } from '../output/chart/svg.js';

/**
 * DOM building for the page: every text goes in with textContent and every attribute with
 * setAttribute, so nothing that comes from the URL, a file name or a column name is ever
 * parsed as markup. (No innerHTML anywhere in src/page; the browser tests check the effect.)
 */

type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number | boolean | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    node.setAttribute(name, value === true ? '' : String(value));
  }
  append(node, ...children);
  return node;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  }
}

/** Replaces the children of `parent`. */
export function replace(parent: Node, ...children: Child[]): void {
  while (parent.firstChild) parent.removeChild(parent.firstChild);
  append(parent, ...children);
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** The SVG renderer's element tree as DOM nodes (the same tree renderSvg writes as text). */
export function svgDom(node: SvgNode): SVGElement {
  const el = document.createElementNS(SVG_NS, node.tag);
  for (const [name, value] of Object.entries(node.attrs)) {
    if (name === 'xmlns') continue;
    el.setAttribute(name, String(value));
  }
  if (node.text !== undefined) el.textContent = node.text;
  for (const child of node.children ?? []) el.appendChild(svgDom(child));
  return el;
}

export function svgEl(tag: string, attrs: Record<string, string | number>): SVGElement {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  return el;
}
