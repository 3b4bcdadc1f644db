/** A detached description of output: a string is a text node. */
export type VNode = string | VElement;

export interface VElement {
  t: string;
  a?: Record<string, string>;
  c: VNode[];
}

export const el = (t: string, c: VNode[] = [], a?: Record<string, string>): VElement => (a ? { t, a, c } : { t, c });

/** Appends, merging adjacent text so that the DOM never holds two text nodes in a row. */
export function append(list: VNode[], v: VNode): void {
  const n = list.length - 1;
  if (typeof v !== 'string') list.push(v);
  else if (v) {
    if (typeof list[n] === 'string') list[n] += v;
    else list.push(v);
  }
}

/** Plain text of nodes, as an image's alt text (an image inside gives its own alt). */
export function textOf(nodes: VNode[]): string {
  return nodes.map((v) => (typeof v === 'string' ? v : v.a?.alt ?? textOf(v.c))).join('');
}
