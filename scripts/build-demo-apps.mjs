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

// A production build, as a user's `vite build` makes it.
process.env.NODE_ENV = 'production';

async function buildApp(name, plugins = []) {
  await build({
    root: resolve(apps, name),
    base: `/${name}/`,
    configFile: false,
    logLevel: 'warn',
    plugins,
    resolve: { alias },
    oxc: { jsx: { runtime: 'automatic' } },
    build: { outDir: resolve('dist/demo', name), emptyOutDir: true, reportCompressedSize: false },
  });
}

await buildApp('react19');
await buildApp('vue', [vue({ template: { compilerOptions: { isCustomElement: (tag) => tag === 'pathors-chat' } } })]);
