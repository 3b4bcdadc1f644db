// Character references are decoded by the browser's own HTML parser, which knows all
// 2,231 names (a table would cost more than the rest of the renderer). An unknown name
// stays literal text, as CommonMark requires.
export const ENTITY = /&(?:#x[\da-f]{1,6}|#\d{1,7}|[a-z][a-z\d]{1,31});/i;

let area: HTMLTextAreaElement | undefined;

interface Policy {
  createHTML(ref: string): string;
}
const plain: Policy = { createHTML: (ref) => ref };
let policy: Policy | undefined;

/**
 * Under Trusted Types, innerHTML takes TrustedHTML only: our own policy, `pathors-chat`, which
 * passes what `parse` gives it, one reference. A page whose setup refuses the name gets plain
 * strings, and with enforcement its references stay as written.
 */
function policyFor(): Policy {
  try {
    return (
      (self as { trustedTypes?: { createPolicy(name: string, rules: Policy): Policy } }).trustedTypes?.createPolicy(
        'pathors-chat',
        plain,
      ) ?? plain
    );
  } catch {
    return plain;
  }
}

/** Decoded references: a stream re-reads its open paragraph, and the HTML parser costs
 * microseconds a call. Cleared when full, so a reply of distinct numbers stays bounded. */
const decoded = new Map<string, string | undefined>();

/**
 * Decodes one whole ENTITY match; undefined for an unknown name. Numeric references
 * follow HTML: invalid code points become U+FFFD, and 0x80-0x9F are read as
 * Windows-1252, as every browser reads them.
 */
export function decode(ref: string): string | undefined {
  if (decoded.has(ref)) return decoded.get(ref);
  if (decoded.size > 4096) decoded.clear();
  const v = parse(ref);
  decoded.set(ref, v);
  return v;
}

function parse(ref: string): string | undefined {
  try {
    // Safe: `ref` is `&`, then only letters, digits and `#`, then `;`. It holds no `<`,
    // so as a textarea's (RCDATA) content it can only be a reference, never markup.
    (area ??= document.createElement('textarea')).innerHTML = (policy ??= policyFor()).createHTML(ref);
    const v = area.value;
    // Unchanged: unknown. Ending in `;` after something: only a prefix was a legacy
    // name without its semicolon (`&ampx;` reads as `&x;`), which CommonMark does not take.
    return v == ref || /.;$/.test(v) ? undefined : v;
  } catch {
    return undefined;
  }
}

const UNESCAPE = RegExp(`\\\\([!-/:-@[-\`{-~])|${ENTITY.source}`, 'gi');

/** Backslash escapes and references, as in link destinations, titles and info strings. */
export const unescape = (s: string): string => s.replace(UNESCAPE, (m, ch?: string) => ch ?? decode(m) ?? m);
