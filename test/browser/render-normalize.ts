// A comparable serialisation of rendered markdown, for our DOM and for reference HTML
// alike: our wrappers (code block + copy button), safety attributes and the tabindex
// that makes scrollable blocks keyboard-focusable are left out,
// attributes are sorted, and the line breaks a renderer puts between block tags are
// dropped.
const BLOCK = new Set([
  'p',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'ul',
  'ol',
  'li',
  'blockquote',
  'pre',
  'hr',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'div',
]);
const VOID = new Set(['hr', 'br', 'img']);
const OURS = new Set(['a target', 'a rel', 'img loading', 'img referrerpolicy', 'pre tabindex', 'table tabindex']);

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const isBlock = (n: Node | null, br = false) =>
  !!n && n.nodeType === 1 && (BLOCK.has((n as Element).localName) || (br && (n as Element).localName === 'br'));

export function serialize(n: Node): string {
  if (n.nodeType === 3) {
    let t = (n as Text).data;
    if (isBlock(n.previousSibling, true)) t = t.replace(/^\n+/, '');
    if (isBlock(n.nextSibling)) t = t.replace(/\n+$/, '');
    // Only line breaks between a container's edge and a block: layout, not content.
    if (/^\n+$/.test(t) && isBlock(n.parentNode) && n.parentNode!.nodeName !== 'PRE') t = '';
    return esc(t);
  }
  if (n.nodeType === 11) return [...n.childNodes].map(serialize).join('');
  if (n.nodeType !== 1) return '';
  const e = n as Element;
  const tag = e.localName;
  if (tag === 'div' && e.classList.contains('code')) return serialize(e.querySelector('pre')!);
  if (tag === 'button' && e.classList.contains('copy')) return '';
  const attrs = [...e.attributes]
    .filter((a) => !OURS.has(`${tag} ${a.name}`))
    .map((a) => ` ${a.name}="${esc(a.value)}"`)
    .sort()
    .join('');
  const inner = [...e.childNodes].map(serialize).join('');
  return VOID.has(tag) ? `<${tag}${attrs}>` : `<${tag}${attrs}>${inner}</${tag}>`;
}

/** Serialises reference HTML, parsed inert (a template runs no script, loads nothing). */
export function serializeHtml(html: string): string {
  const t = document.createElement('template');
  t.innerHTML = html;
  return serialize(t.content);
}

export function serializeChildren(e: Element): string {
  return [...e.childNodes].map(serialize).join('');
}
