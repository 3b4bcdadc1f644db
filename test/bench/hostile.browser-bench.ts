// `npm run bench` runs this in Chromium: for each hostile family, the time to render
// 10 KB and 80 KB, whole and streamed in 1-7 character chunks (figures, not asserted;
// test/browser/hostile-replies.test.ts asserts the growth). A run that would take too
// long is skipped, so that the same file can measure an older, quadratic renderer.
import { it } from 'vitest';
import { MarkdownStream, renderMarkdown } from '../../src/render/index.js';
import { FAMILIES, chunk } from '../support/hostile-families.js';

function time(run: () => void): string {
  const start = performance.now();
  try {
    run();
  } catch (error) {
    return `throws (${(error as Error).message.slice(0, 40)})`;
  }
  return `${Math.round(performance.now() - start)} ms`;
}

it('hostile families: 10 KB and 80 KB, whole and streamed', () => {
  for (const [name, family] of Object.entries(FAMILIES)) {
    const row: string[] = [];
    for (const kb of [10, 80])
      row.push(`whole ${kb} KB ${time(() => renderMarkdown(family(kb * 1024), document.createElement('div')))}`);
    let last = 0;
    for (const kb of [2, 10, 80]) {
      // Quadratic at 2 KB taking 0.3 s would take 8 s at 10 KB and 8 minutes at 80 KB.
      if (last < 0 || last > (kb == 10 ? 300 : 1500)) {
        row.push(`streamed ${kb} KB skipped`);
        last = -1;
        continue;
      }
      const chunks = chunk(family(kb * 1024));
      const start = performance.now();
      row.push(
        `streamed ${kb} KB ${time(() => {
          const s = new MarkdownStream(document.createElement('div'));
          for (const c of chunks) s.push(c);
          s.end();
        })}`,
      );
      last = performance.now() - start;
    }
    console.log(`${name}: ${row.join(', ')}`);
  }
}, 1_200_000);
