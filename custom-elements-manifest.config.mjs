// `npx cem analyze` (or `node scripts/manifest.mjs`, which also writes docs/api.md) reads this.
import { fileURLToPath } from 'node:url';
import { pathorsPlugin } from './scripts/cem-plugin.mjs';

export default {
  // The public element, and the module that registers its tag (for `tagName`).
  globs: ['src/element/pathors-chat.ts', 'src/element/define.ts'],
  outdir: '.',
  litelement: true,
  // The analyzer otherwise rewrites package.json "customElements" to wherever it last wrote,
  // `--outdir` included; the field is set by hand to "custom-elements.json".
  packagejson: false,
  plugins: [
    pathorsPlugin({
      eventMapFile: fileURLToPath(new URL('src/element/events.ts', import.meta.url)),
      // What a user imports: the build's output for each analyzed source (see tsconfig.build.json).
      modulePath: (path) => path.replace(/^\/?src\/(.*)\.[jt]s$/, 'dist/$1.js'),
    }),
  ],
};
