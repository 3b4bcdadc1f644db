// Size budget: the renderer is part of a widget that must stay under 25 KB gzip. The
// budget is the size reached (5,566 B) plus a little room: growth must be a decision.
import { expect, it } from 'vitest';
import { rendererSize } from '../bench/render-size.js';

it('keeps the renderer under 5,670 B minified and gzipped', async () => {
  const { gzip } = await rendererSize();
  console.log(`renderer: ${gzip} bytes gzip`);
  expect(gzip).toBeLessThan(5_670);
}, 60_000);
