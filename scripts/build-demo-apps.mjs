// Builds the demo's React 19 and Vue 3 apps (the same small apps the package test
// builds from the packed tarball) against this checkout, into dist/demo/.
import vue from '@vitejs/plugin-vue';
import { resolve } from 'node:path';
import { build } from 'vite';

const apps = resolve('test/fixtures/.package-apps/app');
const alias = [
  { find: /^pathors-chat\/jsx$/, replacement: resolve('src/jsx.ts') },
  { find: /^pathors-chat$/, replacement: resolve('src/index.ts') },
];

/** The demo site's look and shared header (demo/site.css, demo/nav.js), added to each app's page
 * after the build, so that the apps stay exactly what the package test builds. */
const demoSite = {
  name: 'demo-site',
  transformIndexHtml: {
    order: 'post',
    handler: () => [
      { tag: 'link', attrs: { rel: 'stylesheet', href: '/site.css' }, injectTo: 'head' },
      { tag: 'script', attrs: { type: 'module', src: '/nav.js' }, injectTo: 'head' },
      { tag: 'header', attrs: { class: 'site-header' }, injectTo: 'body-prepend' },
    ],
  },
};

// A production build, as a user's `vite build` makes it.
process.env.NODE_ENV = 'production';

async function buildApp(name, plugins = []) {
  await build({
    root: resolve(apps, name),
    base: `/${name}/`,
    configFile: false,
    logLevel: 'warn',
    plugins: [...plugins, demoSite],
    resolve: { alias },
    oxc: { jsx: { runtime: 'automatic' } },
    build: { outDir: resolve('dist/demo', name), emptyOutDir: true, reportCompressedSize: false },
  });
}

await buildApp('react19');
await buildApp('vue', [vue({ template: { compilerOptions: { isCustomElement: (tag) => tag === 'pathors-chat' } } })]);
