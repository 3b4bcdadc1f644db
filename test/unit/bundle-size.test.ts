import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUDGETS, measureBundle, sourcesOf, type BundleSizes } from '../../scripts/bundle-size.mjs';

let sizes: BundleSizes;

beforeAll(() => {
  // `npm test` builds first; a bare vitest run builds when the script-tag files are missing.
  if (!existsSync('dist/pathors-chat.js')) spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  sizes = measureBundle();
}, 120_000);

/**
 * What only a send needs: the transport and its SSE client, the reply's reader, the turn, and
 * the English strings for what only a turn that ran can show.
 */
const SEND_PATH = /\/src\/(core\/(transport|turn|parse|fold)|i18n\/en-turn)\.ts$|\/@microsoft\/fetch-event-source\//;

describe('size budget (gzip, the script-tag build as a browser fetches it)', () => {
  it('first load, before the chat opens: at most 10 KB', () => {
    expect(sizes.firstLoad).toBeLessThanOrEqual(BUDGETS.firstLoad);
  });

  it('once open, to read a restored conversation (desktop and phone: Lit, the panel, markdown): within its budget (target 27 KB)', () => {
    expect(sizes.whole).toBeLessThanOrEqual(BUDGETS.whole);
  });

  it('each chunk loaded later has a budget of its own, and keeps to it', () => {
    expect(Object.keys(sizes.lazy).sort()).toEqual(Object.keys(BUDGETS.lazy).sort());
    for (const [name, bytes] of Object.entries(sizes.lazy))
      expect(bytes, name).toBeLessThanOrEqual(BUDGETS.lazy[name]!);
  });

  it('the send path is not part of the open widget: nothing there imports it statically', () => {
    const open = sizes.wholeFiles.flatMap((file) => sourcesOf(file));
    expect(open.filter((source) => SEND_PATH.test(source))).toEqual([]);
    // The check sees them where they are: in the send chunk.
    const send = Object.keys(sizes.files).find((file) => /^chunks\/send-/.test(file))!;
    expect(sourcesOf(send)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/\/src\/core\/transport\.ts$/),
        expect.stringMatching(/\/@microsoft\/fetch-event-source\/lib\/esm\/fetch\.js$/),
      ]),
    );
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
