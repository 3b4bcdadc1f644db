// Size budget: the renderer is part of a widget that must stay under 27 KB gzip once open.
// The budget is the size reached plus a little room: growth must be a decision.
// 5,566 B before issue 10 and 9; then +~700 B for the nesting limits, the linear-time
// streaming of a huge open block, the 1 MB cap with its note, the plain-text fallback,
// the code block's header bar and table wrapper, and onCodeBlock.
import { expect, it } from 'vitest';
import { rendererSize } from '../bench/render-size.js';

it('keeps the renderer under 6,400 B minified and gzipped, its `_` fields mangled', async () => {
  const { gzip, code } = await rendererSize();
  console.log(`renderer: ${gzip} bytes gzip`);
  expect(code.match(/\b[a-z][A-Za-z\d]*_(?![\w$])/g)).toBeNull();
  expect(gzip).toBeLessThan(6_400);
}, 60_000);
