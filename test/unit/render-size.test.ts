// Size budget: the renderer is part of a widget that must stay under 25 KB gzip.
import { expect, it } from 'vitest';
import { rendererSize } from '../bench/render-size.js';

it('keeps the renderer under 7.7 KB minified and gzipped', async () => {
  const { gzip } = await rendererSize();
  console.log(`renderer: ${gzip} bytes gzip`);
  expect(gzip).toBeLessThan(7_700);
}, 60_000);
