import { minifyHTMLLiterals } from 'minify-literals';
import { defineConfig, type Plugin } from 'vite';
import { mangleRenderProps } from './scripts/mangle-props.mjs';

/**
 * The browsers the CSS minifier may write for (the build's ES2022 baseline): without them it
 * rewrites `max-width` media queries as ranges, which Safari reads only from 16.4.
 */
const CSS_TARGETS = { chrome: 94 << 16, edge: 94 << 16, firefox: 93 << 16, safari: 15 << 16, ios_saf: 15 << 16 };
/**
 * lightningcss's `Features.LightDark`, left out: for those browsers it would write the custom
 * properties its `light-dark()` fallback needs wherever `color-scheme` is set, and no template
 * uses `light-dark()` (the highlighter's runtime palette does, and needs no fallback).
 */
const LIGHT_DARK = 1 << 20;

/** Lit's html`` and css`` templates ship as written, indentation and all; these are final files. */
function minifyTemplates(): Plugin {
  const css = { minify: true, targets: CSS_TARGETS, exclude: LIGHT_DARK };
  return {
    name: 'pathors-chat:minify-templates',
    async transform(code, id) {
      if (!/\/src\/element\/[\w-]+\.ts$/.test(id)) return null;
      const result = await minifyHTMLLiterals(code, {
        fileName: id,
        css,
        // Not removeEmptyAttributes (minify-literals' default): the launcher and the panel carry
        // title="" so that the host's title attribute (the panel's name) is no tooltip over them.
        html: { removeAttributeQuotes: true, removeEmptyAttributes: false, minifyCSS: css },
      });
      return result ? { code: result.code, map: result.map } : null;
    },
  };
}

/** The name of a chunk whose module's own name would not say what it holds. */
function chunkName(facadeModuleId: string | null): string | undefined {
  if (facadeModuleId?.endsWith('/src/index.ts')) return 'element';
  if (facadeModuleId?.endsWith('/src/core/turn.ts')) return 'send';
  if (facadeModuleId?.includes('/render/highlight/')) return 'highlight';
  return undefined;
}

/**
 * The script-tag builds of the element (the library for bundlers is emitted
 * by tsc). `vite build`: dist/pathors-chat.js, an ES module with the panel
 * split into a chunk beside it, loaded when the chat first opens.
 * `vite build --mode classic`: dist/pathors-chat.classic.js, one classic
 * script with everything, for tag managers that cannot load modules.
 * Library mode, so no module-preload helper (about 0.9 KB gzip) wraps the
 * panel's import; `output.minify` because library mode otherwise keeps the
 * whitespace of ES output, and these files are final, not a bundler's input.
 */
export default defineConfig(({ mode }) => {
  const classic = mode === 'classic';
  return {
    plugins: [minifyTemplates(), mangleRenderProps()],
    build: {
      outDir: 'dist',
      emptyOutDir: false,
      target: 'es2022',
      // Maps beside each file, not named in it: every visitor would fetch the comment (96 B gzip
      // once open); a developer adds dist/*.js.map in DevTools, or uses the npm build.
      sourcemap: 'hidden',
      reportCompressedSize: false,
      // A terser pass first: it finds what rolldown's minifier (after it) does not, such as
      // single-use functions inlined and comparisons turned for gzip (about 140 B once open).
      // hoist_funs: function declarations at the top of their module, which compresses better
      // (about 90 B once open).
      minify: 'terser',
      terserOptions: { module: !classic, ecma: 2022, compress: { passes: 2, hoist_funs: true } },
      copyPublicDir: false,
      lib: {
        entry: 'src/script-tag.ts',
        name: 'PathorsChat',
        formats: [classic ? 'iife' : 'es'],
        fileName: () => (classic ? 'pathors-chat.classic.js' : 'pathors-chat.js'),
      },
      rollupOptions: {
        output: {
          minify: true,
          // The files are final: no bundler reads their `@__PURE__` marks (about 70 B gzip once open).
          comments: false,
          // Chunks named by what they hold: the element (Lit and the launcher), the panel, the
          // send path, the highlighter, the page tools runner, each language.
          chunkFileNames: ({ name, facadeModuleId }) => `chunks/${chunkName(facadeModuleId) ?? name}-[hash].js`,
          ...(classic ? { codeSplitting: false } : {}),
        },
      },
    },
  };
});
