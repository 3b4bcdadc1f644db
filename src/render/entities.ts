// The full HTML5 table (2,231 names) would cost ~10 KB gzip, more than the whole
// renderer; Latin-1 and common typography cover what writers and models emit (the
// last five are the CommonMark spec's own examples). Numeric references
// are decoded fully. An unknown name stays literal text, as CommonMark requires.
const LATIN1 = 'nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg '
  + 'plusmn sup2 sup3 acute micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave '
  + 'Aacute Acirc Atilde Auml Aring AElig Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ETH '
  + 'Ntilde Ograve Oacute Ocirc Otilde Ouml times Oslash Ugrave Uacute Ucirc Uuml Yacute THORN szlig';
const OTHER = 'quot:22 amp:26 apos:27 lt:3c gt:3e ndash:2013 mdash:2014 lsquo:2018 rsquo:2019 ldquo:201c '
  + 'rdquo:201d bull:2022 hellip:2026 euro:20ac trade:2122 larr:2190 rarr:2192 minus:2212 ne:2260 le:2264 '
  + 'ge:2265 Dcaron:10e HilbertSpace:210b DifferentialD:2146 ClockwiseContourIntegral:2232 ngE:2267.338';

let named: Map<string, string> | undefined;

function table(): Map<string, string> {
  const m = new Map<string, string>();
  // Latin-1 names are listed in code point order, upper half then its lower-case twin.
  LATIN1.split(' ').forEach((n, i) => {
    m.set(n, String.fromCharCode(160 + i));
    const lower = /^[A-Z]{2}/.test(n) ? n.toLowerCase() : n[0]!.toLowerCase() + n.slice(1);
    if (i > 31 && lower !== n) m.set(lower, String.fromCharCode(192 + i));
  });
  m.set('divide', '\xf7').set('yuml', '\xff');
  for (const pair of OTHER.split(' ')) {
    const [n, hex] = pair.split(':') as [string, string];
    m.set(n, String.fromCodePoint(...hex.split('.').map((h) => parseInt(h, 16))));
  }
  return m;
}

export const ENTITY = /&(?:#[xX][\da-fA-F]{1,6}|#\d{1,7}|[A-Za-z][A-Za-z\d]{1,31});/;

/** Decodes one reference matched by ENTITY; undefined for an unknown name. */
export function decodeEntity(ref: string): string | undefined {
  if (ref[1] !== '#') return (named ??= table()).get(ref.slice(1, -1));
  const hex = ref[2] === 'x' || ref[2] === 'X';
  const cp = parseInt(ref.slice(hex ? 3 : 2, -1), hex ? 16 : 10);
  return cp && cp < 0x110000 && (cp < 0xd800 || cp > 0xdfff) ? String.fromCodePoint(cp) : '\ufffd';
}

const UNESCAPE = new RegExp(`\\\\([!-/:-@[-\`{-~])|${ENTITY.source}`, 'g');

/** Backslash escapes and references, as in link destinations, titles and info strings. */
export function unescape(s: string): string {
  return s.replace(UNESCAPE, (m, ch?: string) => ch ?? decodeEntity(m) ?? m);
}
