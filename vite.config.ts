import { minifyHTMLLiterals } from 'minify-literals';
import { defineConfig, type Plugin } from 'vite';

/** Lit's html`` and css`` templates ship as written, indentation and all; these are final files. */
function minifyTemplates(): Plugin {
  return {
    name: 'pathors-chat:minify-templates',
    async transform(code, id) {
      if (!/\/src\/element\/[\w-]+\.ts$/.test(id)) return null;
      const result = await minifyHTMLLiterals(code, { fileName: id });
      return result ? { code: result.code, map: result.map } : null;
    },
  };
}

/**
 * The script-tag builds of the element (the library for bundlers is emitted
 * by tsc). `vite build`: dist/pathors-chat.js, an ES module with the panel
 * split into a chunk beside it, loaded when the chat first opens.
 * `vite build --mode classic`: dist/pathors-chat.classic.js, one classic
 * script with everything, for tag managers that cannot load modules.
 * Not Vite's library mode: it leaves ES output unminified, and these files
 * are final, not inputs to another bundler.
 */
export default defineConfig(({ mode }) => {
  const classic = mode === 'classic';
  return {
    base: './',
    plugins: [minifyTemplates()],
    build: {
      outDir: 'dist',
      emptyOutDir: false,
      target: 'esnext',
      minify: true,
      sourcemap: true,
      modulePreload: false,
      reportCompressedSize: false,
      copyPublicDir: false,
      rollupOptions: {
        input: 'src/index.ts',
        preserveEntrySignatures: 'exports-only',
        output: {
          format: classic ? 'iife' : 'es',
          name: 'PathorsChat',
          entryFileNames: classic ? 'pathors-chat.classic.js' : 'pathors-chat.js',
          chunkFileNames: 'chunks/[name]-[hash].js',
          ...(classic ? { codeSplitting: false } : {}),
        },
      },
    },
  };
});
