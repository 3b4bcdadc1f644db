/**
 * Syntax highlighting for the reply's code blocks, loaded on demand (a separate chunk, fetched
 * only when a reply holds a fenced block). `highlightInto` turns a `<code>` element's text into
 * `span.tok-<kind>` and text nodes made with createElement and createTextNode (no HTML parsing,
 * so a strict CSP and Trusted Types keep passing), and adopts the palette into the element's
 * shadow root (or document) once.
 */
import { tokenize } from './lexer.js';
import { grammarFor } from './languages.js';
import { paletteCss } from './palette.js';

export type { Kind } from './lexer.js';

/** Longer code stays plain: highlighting runs on the main thread, and a reader would not scroll through it all anyway. */
const MAX_LENGTH = 256 * 1024;

/** Roots that already hold the palette. */
const adopted = new WeakSet<Document | ShadowRoot>();
/** One constructed sheet per document: a sheet may only be adopted within the document it was made for. */
const sheets = new WeakMap<Document, CSSStyleSheet>();

type StyledRoot = (Document | ShadowRoot) & Node;

/** Adopts the palette into `root` if it is a document or shadow root that lacks it; false when it is neither. */
function adoptPalette(root: Node): boolean {
  if (!('adoptedStyleSheets' in root)) return false;
  const styled = root as StyledRoot;
  if (adopted.has(styled)) return true;
  // Not `instanceof`: the element may live in another frame's document.
  const doc = styled.ownerDocument ?? (styled as Document);
  let sheet = sheets.get(doc);
  if (!sheet) {
    sheet = new (doc.defaultView?.CSSStyleSheet ?? CSSStyleSheet)();
    sheet.replaceSync(paletteCss());
    sheets.set(doc, sheet);
  }
  styled.adoptedStyleSheets = [...styled.adoptedStyleSheets, sheet];
  adopted.add(styled);
  return true;
}

/**
 * Highlights `code` as `language` (a fence name such as `js`, `python` or `sh`; case does not
 * matter). Its text stays exactly as it was; only spans are added. A language without a grammar,
 * or code longer than 256 KB, leaves the element untouched.
 */
export function highlightInto(code: HTMLElement, language: string): void {
  const grammar = grammarFor(language);
  const text = code.textContent ?? '';
  if (!grammar || text.length > MAX_LENGTH) return;
  const doc = code.ownerDocument;
  const fragment = doc.createDocumentFragment();
  for (const [kind, part] of tokenize(text, grammar)) {
    if (!kind) fragment.append(doc.createTextNode(part));
    else {
      const span = doc.createElement('span');
      span.className = `tok-${kind}`;
      span.append(doc.createTextNode(part));
      fragment.append(span);
    }
  }
  code.replaceChildren(fragment);
  // A block highlighted before it is attached (a template still being inserted) gets its
  // palette once it is in the page.
  if (!adoptPalette(code.getRootNode())) setTimeout(() => adoptPalette(code.getRootNode()));
}
