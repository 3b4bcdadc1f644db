const MIN_PIECE = 3;
const MAX_PIECE = 8;

/**
 * Splits a reply into word-ish pieces of about 3 to 8 characters, the way a model streams:
 * whitespace stays attached to the word after it, long words are cut, short ones are merged.
 * Deterministic, so tests see the same pieces every run; joining them gives back `text`.
 * Cuts never fall inside a surrogate pair (emoji survive).
 */
export function splitIntoTokens(text: string): string[] {
  const words = text.match(/\s*\S+|\s+/g) ?? [];
  const pieces: string[] = [];
  let pending = '';
  for (const word of words) {
    for (const part of cut(word, MAX_PIECE)) {
      pending += part;
      if (pending.length >= MIN_PIECE) {
        pieces.push(pending);
        pending = '';
      }
    }
  }
  if (pending !== '') pieces.push(pending);
  return pieces;
}

/** Splits `text` into pieces of `size` code points at most. */
export function cut(text: string, size: number): string[] {
  const points = Array.from(text);
  const parts: string[] = [];
  for (let i = 0; i < points.length; i += size) parts.push(points.slice(i, i + size).join(''));
  return parts;
}
