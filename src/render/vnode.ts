import type { Block } from './blocks.js';

/** A detached description of output: a string is a text node. */
export type VNode = string | VElement;

/** Tag, children, attributes; on a top-level element, the block it came from if that
 * looked a link reference up (it may change once every definition is known). */
export interface VElement {
  tag_: string;
  kids_: VNode[];
  attrs_?: Record<string, string>;
  block_?: Block;
  /** On a fenced code block's `code`: its language (may be empty). */
  fence_?: string;
}

export const el = (t: string, c: VNode[] = [], a?: Record<string, string>): VElement => ({
  tag_: t,
  kids_: c,
  attrs_: a,
});

/** Appends, merging adjacent text so that the DOM never holds two text nodes in a row. */
export function append(list: VNode[], v: VNode): void {
  const n = list.length - 1;
  if (typeof v == 'string' && typeof list[n] == 'string') list[n] += v;
  else if (v) list.push(v);
}

/** Plain text of nodes, as an image's alt text (an image inside gives its own alt). */
export const textOf = (nodes: VNode[]): string =>
  nodes.map((v) => (typeof v == 'string' ? v : (v.attrs_?.alt ?? textOf(v.kids_)))).join('');
