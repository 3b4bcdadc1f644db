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
