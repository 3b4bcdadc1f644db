/**
 * The handler must run unchanged on Node, Bun, Deno and Workers, and stay small and server-only:
 * Web APIs alone, nothing from the element, the renderer or the browser core.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { build } from 'rolldown';
import { describe, expect, it } from 'vitest';

const DIR = 'src/proxy';
const NODE_ONLY = new Set([
  'node.ts',
  'node-handler.ts',
  'node-fetch.ts',
  'health-port.ts',
  'server-url.ts',
  'cli.ts',
  'env.ts',
]);

describe('proxy: portable by construction', () => {
  // The proxy's own files, and the shared helpers it imports.
  const sources = [
    ...readdirSync(DIR, { recursive: true, encoding: 'utf8' })
      .filter((name) => name.endsWith('.ts'))
      .map((name) => `${DIR}/${name}`),
    ...readdirSync('src/shared')
      .filter((name) => name.endsWith('.ts'))
      .map((name) => `src/shared/${name}`),
  ];

  it.each(sources)('%s imports nothing of the browser side, and only types from src/core', (path) => {
    const name = path.slice(path.lastIndexOf('/') + 1);
    const text = readFileSync(path, 'utf8');
    const imports = [...text.matchAll(/^import\s+(type\s+)?[^;]*?from\s+'([^']+)'/gms)].map((m) => ({
      typeOnly: Boolean(m[1]),
      from: m[2]!,
    }));
    for (const { typeOnly, from } of imports) {
      expect(from, `${name} imports ${from}`).not.toMatch(/\/(element|render|i18n)\//);
      if (/^(\.\.\/)+core\//.test(from)) expect(typeOnly, `${name}: value import from ${from}`).toBe(true);
      if (from.startsWith('node:'))
        expect(
          NODE_ONLY.has(name) && (typeOnly || name === 'cli.ts' || name === 'env.ts'),
          `${name} imports ${from}`,
        ).toBe(true);
      if (!from.startsWith('.') && !from.startsWith('node:')) throw new Error(`${name} depends on a package: ${from}`);
    }
  });

  it('bundles for a neutral platform (Workers, Deno) with no Node built-in left to resolve', async () => {
    const bundle = await build({
      input: `${DIR}/index.ts`,
      platform: 'neutral',
      logLevel: 'silent',
      write: false,
      output: { format: 'esm' },
    });
    const code = bundle.output.map((chunk) => ('code' in chunk ? chunk.code : '')).join('\n');
    expect(code).toContain('createPathorsProxy');
    expect(code).not.toMatch(/from\s*["']node:/);
    expect(code).not.toMatch(/import\(\s*["']node:/);
    expect(code).not.toMatch(/\brequire\(/);
    // startProxyServer loads node:http (and its upstream fetch node:https, node:zlib, its health
    // port node:worker_threads) through process.getBuiltinModule, invisible to bundlers and only
    // ever called on Node. The health thread's own source is a string.
    const outsideThread = code.replace(/const THREAD = `[^`]*`;/, '');
    expect(outsideThread).not.toBe(code);
    expect(
      outsideThread.replaceAll(/process\.getBuiltinModule\("node:(http|https|zlib|stream|worker_threads)"\)/g, ''),
    ).not.toMatch(/\bprocess\./);
    expect(outsideThread).not.toMatch(/\bBuffer\./);
  });
});
