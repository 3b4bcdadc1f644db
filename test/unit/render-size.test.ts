// Size budget: the renderer is part of a widget that must stay under 27 KB gzip once open.
// The budget is the size reached plus a little room: growth must be a decision.
// 5,566 B before issues 9 and 10; then +~700 B for the nesting limits, the linear-time
// streaming of a huge open block, the 1 MB cap with its note, the plain-text fallback,
// the code block's header bar and table wrapper and onCodeBlock (6,273 B), +~370 B for
// GFM bare autolinks (6,647 B), and +49 B when the one-letter fields got real names
// (mangled back to one letter, but not always the same letter). +~230 B (6,931 B) when an open
// fenced code block grew in place and a long open paragraph showed its new text as it came,
// rather than being rendered again (issue 12: no long task however long the block).
import { expect, it } from 'vitest';
import { rendererSize } from '../bench/render-size.js';

it('keeps the renderer under 7,000 B minified and gzipped, its `_` fields mangled', async () => {
  const { gzip, code } = await rendererSize();
  console.log(`renderer: ${gzip} bytes gzip`);
  expect(code.match(/\b[a-z][A-Za-z\d]*_(?![\w$])/g)).toBeNull();
  expect(gzip).toBeLessThan(7_000);
}, 60_000);
