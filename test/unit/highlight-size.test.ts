// The highlighter is a lazy chunk, fetched only by pages whose replies hold code: at most
// 8 KB gzip (issue 9). Bundled on its own from src/render/highlight/index.ts, minified as the
// script-tag build is, written to a temp dir and gzipped as a browser would fetch it.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';
import { afterAll, expect, it } from 'vitest';

const outDir = mkdtempSync(join(tmpdir(), 'pathors-highlight-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

it('the highlighter chunk (every grammar and the palette) is at most 8 KB gzip', async () => {
  await build({
    configFile: false,
    logLevel: 'silent',
    build: {
      outDir,
      emptyOutDir: true,
      target: 'es2022',
      minify: true,
      lib: {
        entry: fileURLToPath(new URL('../../src/render/highlight/index.ts', import.meta.url)),
        formats: ['es'],
        fileName: () => 'highlight.js',
      },
      rollupOptions: { output: { minify: true } },
    },
  });
  const files = readdirSync(outDir).filter((name) => name.endsWith('.js'));
  expect(files).toEqual(['highlight.js']);
  const code = readFileSync(join(outDir, 'highlight.js'), 'utf8');
  // It is the real module: its export and every grammar made it in.
  expect(code).toMatch(/export\s*\{[^}]*highlightInto/);
  for (const word of ['golang', 'yml', 'patch', 'postgres', 'light-dark(']) expect(code).toContain(word);
  const gzip = gzipSync(code, { level: 9 }).length;
  console.log(`highlighter chunk: ${code.length} B minified, ${gzip} B gzip`);
  expect(gzip).toBeLessThanOrEqual(8 * 1024);
}, 60_000);
