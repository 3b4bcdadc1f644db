// Every URL that reaches an attribute passes through here. The decision is made by the
// WHATWG URL parser, the one the browser will use, on the exact string we set, so
// entity, case, tab and whitespace tricks (`&#106;avascript:`, `JaVa\tscript:`) cannot
// make us and the browser disagree about the scheme.

const NOWHERE = 'https://invalid.invalid/';

/**
 * The URL percent-encoded as CommonMark renderers encode it (existing `%XX` escapes
 * kept), if it resolves to a scheme `ok` accepts and, given hosts (images), against
 * the page to one of them; otherwise undefined. encodeURI throws on a lone surrogate: refused too.
 */
function check(url: string, ok: RegExp, hosts?: readonly string[]): string | undefined {
  try {
    const s = url.replace(/%[\da-f]{2}|%|[^%]+/gi, (m) => (m[0] != '%' ? encodeURI(m) : m[1] ? m : '%25'));
    const u = new URL(s, hosts ? document.baseURI : NOWHERE);
    if (ok.test(u.protocol) && (!hosts || hosts.includes(u.hostname))) return s;
  } catch {
    // Not a URL at all: refused like any other.
  }
  return undefined;
}

/**
 * The href to set, or undefined when the link must render as plain text. Relative
 * URLs are kept as written: without a scheme they resolve to the page's own
 * http(s) origin and cannot run script.
 */
export const linkHref = (url: string): string | undefined => check(url, /^(https?|mailto):$/);

/**
 * The src to set, or undefined when no request may be made: only http(s) URLs whose
 * host, resolved against the page as the browser will resolve it, is listed exactly.
 */
export const imageSrc = (url: string, hosts: readonly string[]): string | undefined => check(url, /^https?:$/, hosts);
