import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';

let built = '';

beforeAll(() => {
  if (!existsSync('dist/pathors-chat.js')) spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  built = [
    'pathors-chat.js',
    ...readdirSync('dist/chunks')
      .filter((name) => name.endsWith('.js'))
      .map((name) => `chunks/${name}`),
  ]
    .map((file) => readFileSync(`dist/${file}`, 'utf8'))
    .join('\n');
}, 120_000);

describe('the minified templates of the script-tag build', () => {
  it('keep the empty title attributes that stop the host title from showing as a tooltip over the widget', () => {
    // Source: the launcher button and the panel element both carry title="".
    const inSource = ['src/element/pathors-chat.ts']
      .map((file) => readFileSync(file, 'utf8').match(/title=""/g)?.length ?? 0)
      .reduce((a, b) => a + b, 0);
    expect(inSource).toBeGreaterThan(0);
    expect(built.match(/title=""/g)?.length ?? 0).toBeGreaterThanOrEqual(inSource);
  });
});

describe('the shortened internal names of the script-tag builds (scripts/mangle-props.mjs)', () => {
  it('leave no member ending in _ behind: a file that uses one and is not in the list would miss its rename', () => {
    // `views_` once stayed long in the panel while the send chunk read it short: the check for
    // "no element is listening" never held in the built files, and a page tool ran unasked.
    const classic = readFileSync('dist/pathors-chat.classic.js', 'utf8');
    const unshortened = /\.[a-z][A-Za-z\d]*_(?![\w$])/g;
    expect(built.match(unshortened) ?? []).toEqual([]);
    expect(classic.match(unshortened) ?? []).toEqual([]);
  });
});
