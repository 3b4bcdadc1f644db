// `npm run bench` runs this in Chromium: the streaming benchmark's figures, printed and
// written to test/bench/render-bench.json. Timings depend on the machine and its load,
// so they are recorded, never asserted; tests must not fail on a busy machine.
import { expect, it } from 'vitest';
import { commands } from 'vitest/browser';
import { runRenderBench } from './render.bench.js';

it('streams an 80 KB reply, against re-rendering it per token', async () => {
  const r = await runRenderBench();
  console.log(
    Object.entries(r)
      .map(([k, v]) => `${k}: ${Math.round(v * 100) / 100}`)
      .join('\n'),
  );
  await commands.writeFile('test/bench/render-bench.json', JSON.stringify(r, null, 2) + '\n');
  for (const v of Object.values(r)) expect(Number.isFinite(v)).toBe(true);
}, 300_000);
