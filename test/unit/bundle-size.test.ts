import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { measureBundle, type BundleSizes } from '../../scripts/bundle-size.mjs';

const KB = 1024;
let sizes: BundleSizes;

beforeAll(() => {
  // `npm test` builds first; a bare vitest run builds when the script-tag files are missing.
  if (!existsSync('dist/pathors-chat.js')) spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  sizes = measureBundle();
}, 120_000);

describe('size budget (gzip, the script-tag build as a browser fetches it)', () => {
  it('first load, before the chat opens: at most 10 KB', () => {
    expect(sizes.firstLoad).toBeLessThanOrEqual(10 * KB);
  });

  it('the whole widget once open (Lit, SSE client, markdown, sanitising): at most 25 KB', () => {
    expect(sizes.whole).toBeLessThanOrEqual(25 * KB);
  });

  it('optional chunks stay small: page tools and each language', () => {
    expect(Object.keys(sizes.optional).sort()).toEqual(['tools', 'zh-tw']);
    for (const bytes of Object.values(sizes.optional)) expect(bytes).toBeLessThanOrEqual(1.5 * KB);
  });

  it('the script-tag files import nothing by bare name: they work from any server', () => {
    for (const file of ['pathors-chat.js', 'pathors-chat.classic.js', ...Object.keys(sizes.files)]) {
      const code = readFileSync(`dist/${file}`, 'utf8');
      expect(code.match(/(?:\bfrom\s*|\bimport\s*\(?\s*)["'](?![./])[^"']+["']/g), file).toBeNull();
    }
  });

  it('the classic single file, everything included: at most 27.5 KB', () => {
    expect(sizes.classic).toBeLessThanOrEqual(27.5 * KB);
  });
});
