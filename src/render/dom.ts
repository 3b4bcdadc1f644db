// VNodes to live DOM, with createElement and text nodes only: no HTML parser ever sees
// agent text. `morph` updates a live range in place, keeping every node that still
// matches, so selection, focus and listeners survive a streaming update.
import type { RenderOptions } from './render.js';
import type { VElement, VNode } from './vnode.js';

/** The VElement each element was last rendered from: the very same one needs no work,
 * the same children array no walk (an unchanged paragraph). */
export const from = new WeakMap<Node, VElement>();

export function create(v: VNode, o: RenderOptions): Node {
  if (typeof v == 'string') return document.createTextNode(v);
  const e = document.createElement(v.tag_);
  for (const k in v.attrs_) e.setAttribute(k, v.attrs_[k]!);
  e.append(...v.kids_.map((c) => create(c, o)));
  from.set(e, v);
  // The copy button, in the code block's header bar, copies the code below the bar,
  // and says so for a moment.
  if (v.tag_ == 'button')
    e.onclick = () =>
      navigator.clipboard?.writeText(e.parentNode!.nextSibling!.textContent!).then(
        () => {
          e.textContent = o.copiedLabel ?? 'Copied';
          setTimeout(() => (e.textContent = v.kids_[0] as string), 1500);
        },
        () => {},
      );
  return e;
}

/** Makes the nodes from `live` up to (not including) `end` match `vs`. */
export function morph(
  parent: Node,
  vs: VNode[],
  live: ChildNode | null,
  end: ChildNode | null,
  o: RenderOptions,
): void {
  for (const v of vs) {
    const n = live!;
    const was = from.get(n);
    if (
      live == end ||
      (typeof v == 'string'
        ? n.nodeType != 3
        : !was || was.tag_ != v.tag_ || JSON.stringify(was.attrs_) != JSON.stringify(v.attrs_))
    ) {
      // Another kind of node, or other attributes (rare: a link's URL still streaming in).
      live = create(v, o) as ChildNode;
      if (n != end) parent.replaceChild(live, n);
      else parent.insertBefore(live, end);
    } else if (typeof v == 'string') {
      const old = (n as Text).data;
      // Open text mostly grows or changes at its end: rewrite only after the common
      // prefix, so that a selection inside the prefix keeps its place.
      let i = 0;
      // (Appended text, the usual case, is found by a native comparison.)
      if (v.startsWith(old)) (n as Text).appendData(v.slice(old.length));
      else {
        while (old[i] == v[i]) i++;
        (n as Text).replaceData(i, old.length, v.slice(i));
      }
    } else if (was != v && v.tag_ != 'button') {
      // (The copy button's text is its own state, "Copied": it is left alone.)
      from.set(n, v);
      if (was!.kids_ != v.kids_) morph(n, v.kids_, n.firstChild, null, o);
    }
    live = live!.nextSibling;
  }
  while (live != end) {
    const next = live!.nextSibling;
    live!.remove();
    live = next;
  }
}
