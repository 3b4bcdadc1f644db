// VNodes to live DOM, with createElement and text nodes only: no HTML parser ever sees
// agent text. `morph` updates a live range in place, keeping every node that still
// matches, so selection, focus and listeners survive a streaming update.
import type { VNode } from './vnode.js';

export interface DomOptions {
  copiedLabel?: string;
}

function copy(this: HTMLButtonElement, label: string | null, copied: string) {
  const code = this.previousElementSibling?.textContent ?? '';
  navigator.clipboard?.writeText(code).then(() => {
    this.textContent = copied;
    setTimeout(() => (this.textContent = label), 1500);
  }, () => {});
}

/** The children array each element was last rendered from. */
const rendered = new WeakMap<Node, VNode[]>();

export function create(v: VNode, o: DomOptions): Node {
  if (typeof v === 'string') return document.createTextNode(v);
  const e = document.createElement(v.t);
  for (const k in v.a) e.setAttribute(k, v.a[k]!);
  for (const c of v.c) e.append(create(c, o));
  rendered.set(e, v.c);
  from.set(e, v);
  if (v.t === 'button') {
    const label = e.textContent;
    e.addEventListener('click', function (this: HTMLButtonElement) {
      copy.call(this, label, o.copiedLabel ?? 'Copied');
    });
  }
  return e;
}

function same(n: Node, v: VNode): boolean {
  return typeof v === 'string' ? n.nodeType === 3 : (n as Element).localName === v.t;
}

/** The VNode each element was last rendered from: the very same one needs no work. */
const from = new WeakMap<Node, VNode>();

function patch(n: Node, v: VNode, o: DomOptions) {
  if (typeof v === 'string') {
    const t = n as Text;
    const old = t.data;
    if (old !== v) {
      // Open text mostly grows or changes at its end: rewrite only after the common
      // prefix, so that a selection inside the prefix keeps its place.
      let i = 0;
      while (old[i] === v[i]) i++;
      t.replaceData(i, old.length - i, v.slice(i));
    }
    return;
  }
  const e = n as Element;
  if (from.get(e) === v) return;
  from.set(e, v);
  const a = v.a ?? {};
  for (const { name } of [...e.attributes]) if (!(name in a)) e.removeAttribute(name);
  for (const k in a) if (e.getAttribute(k) !== a[k]) e.setAttribute(k, a[k]!);
  // The copy button's text is its own state ("Copied"); leave it alone. Children
  // rendered from the very same array (an unchanged paragraph) need no walk.
  if (v.t !== 'button' && rendered.get(e) !== v.c) {
    morph(e, v.c, e.firstChild, null, o);
    rendered.set(e, v.c);
  }
}

/** Makes the nodes from `first` up to (not including) `end` match `vs`. */
export function morph(parent: Node, vs: VNode[], first: ChildNode | null, end: ChildNode | null, o: DomOptions): void {
  let live = first;
  for (const v of vs) {
    if (live && live !== end && same(live, v)) {
      patch(live, v, o);
      live = live.nextSibling;
    } else {
      const n = create(v, o);
      if (live && live !== end) {
        parent.replaceChild(n, live);
        live = n.nextSibling;
      } else parent.insertBefore(n, end);
    }
  }
  while (live && live !== end) {
    const next = live.nextSibling;
    live.remove();
    live = next;
  }
}
