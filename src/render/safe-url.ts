// Every URL that reaches an attribute passes through here. The decision is made by the
// WHATWG URL parser, the one the browser will use, on the exact string we set, so
// entity, case, tab and whitespace tricks (`&#106;avascript:`, `JaVa\tscript:`) cannot
// make us and the browser disagree about the scheme.

const NOWHERE = 'https://invalid.invalid/';

/** Percent-encodes what CommonMark renderers encode, keeping existing `%XX` escapes. */
export function encodeUrl(url: string): string {
  // encodeURI throws on a lone surrogate; the caller then refuses the URL.
  return url.replace(/%[\da-fA-F]{2}|%|[^%]+/g, (m) =>
    m[0] !== '%' ? encodeURI(m) : m.length > 1 ? m : '%25');
}

function resolve(url: string, base: string): [string, URL] | undefined {
  try {
    const s = encodeUrl(url);
    return [s, new URL(s, base)];
  } catch {
    return undefined;
  }
}

/**
 * The href to set, or undefined when the link must render as plain text. Relative
 * URLs are kept as written: without a scheme they resolve to the page's own
 * http(s) origin and cannot run script.
 */
export function linkHref(url: string): string | undefined {
  const r = resolve(url, NOWHERE);
  return r && /^(https?|mailto):$/.test(r[1].protocol) ? r[0] : undefined;
}

/**
 * The src to set, or undefined when no request may be made: only http(s) URLs whose
 * host, resolved against the page as the browser will resolve it, is listed exactly.
 */
export function imageSrc(url: string, hosts: readonly string[]): string | undefined {
  const r = resolve(url, globalThis.document?.baseURI ?? NOWHERE);
  return r && /^https?:$/.test(r[1].protocol) && hosts.includes(r[1].hostname) ? r[0] : undefined;
}
