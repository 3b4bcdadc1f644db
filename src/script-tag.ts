/**
 * The entry of the script-tag files (`dist/pathors-chat.js`, `dist/pathors-chat.classic.js`).
 * A page may load them twice, or both the module and the classic build (a CMS snippet beside a
 * theme's bundle). Under an enforced Trusted Types policy a second copy of Lit throws as it
 * loads ("Policy lit-html already exists"), so only the first copy loads the element. The flag
 * is set at once, before the element is defined, so two copies that load together agree.
 */
const LOADING = Symbol.for('pathors-chat.loading');
const scope = globalThis as { [LOADING]?: true };
if (!scope[LOADING] && !customElements.get('pathors-chat')) {
  scope[LOADING] = true;
  import('./index.js').then(() => {});
}
