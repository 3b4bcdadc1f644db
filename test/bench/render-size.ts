// Bytes the renderer adds to a bundle: src/render/index.ts bundled and minified by
// vite (as the script-tag build is, its `_` fields mangled), then gzipped.
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';
import { mangleRenderProps } from '../../scripts/mangle-props.mjs';

export async function rendererSize(): Promise<{ minified: number; gzip: number; code: string }> {
  const out = await build({
    configFile: false,
    logLevel: 'silent',
    // As the script-tag build does: the renderer's `_` fields get short names.
    plugins: [mangleRenderProps()],
    build: {
      write: false,
      minify: true,
      lib: {
        entry: fileURLToPath(new URL('../../src/render/index.ts', import.meta.url)),
        formats: ['iife'],
        name: 'renderer',
      },
      target: 'es2021',
    },
  });
  const results = Array.isArray(out) ? out : [out];
  let code = '';
  for (const r of results) if ('output' in r) for (const o of r.output) if (o.type === 'chunk') code += o.code;
  return { minified: code.length, gzip: gzipSync(code, { level: 9 }).length, code };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log({ ...(await rendererSize()), code: undefined });
