import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUDGETS, measureBundle, type BundleSizes } from '../../scripts/bundle-size.mjs';

let sizes: BundleSizes;

beforeAll(() => {
  // `npm test` builds first; a bare vitest run builds when the script-tag files are missing.
  if (!existsSync('dist/pathors-chat.js')) spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  sizes = measureBundle();
}, 120_000);

describe('size budget (gzip, the script-tag build as a browser fetches it)', () => {
  it('first load, before the chat opens: at most 10 KB', () => {
    expect(sizes.firstLoad).toBeLessThanOrEqual(BUDGETS.firstLoad);
  });

  it('the whole widget once open (Lit, SSE client, markdown, sanitising): within its budget (target 27 KB, held at 31 KB)', () => {
    expect(sizes.whole).toBeLessThanOrEqual(BUDGETS.whole);
  });

  it('optional chunks stay small: the highlighter (only for replies with code), page tools and each language', () => {
    expect(Object.keys(sizes.optional).sort()).toEqual(['highlight', 'tools', 'zh-tw']);
    const { highlight, ...small } = sizes.optional;
    expect(highlight).toBeLessThanOrEqual(BUDGETS.highlight);
    for (const bytes of Object.values(small)) expect(bytes).toBeLessThanOrEqual(BUDGETS.optional);
  });

  it('the script-tag files import nothing by bare name: they work from any server', () => {
    for (const file of ['pathors-chat.js', 'pathors-chat.classic.js', ...Object.keys(sizes.files)]) {
      const code = readFileSync(`dist/${file}`, 'utf8');
      expect(code.match(/(?:\bfrom\s*|\bimport\s*\(?\s*)["'](?![./])[^"']+["']/g), file).toBeNull();
    }
  });

  it('the classic single file, everything included: at most the sum of the budgets above', () => {
    expect(sizes.classic).toBeLessThanOrEqual(BUDGETS.classic);
  });
});
