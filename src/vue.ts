/**
 * `pathors-chat/vue`: types only. Declares `<pathors-chat>` among Vue 3's global components,
 * so that editors and `vue-tsc` check its props (`:tools`, `proxy-url`) and events
 * (`@pathors-send` compiles to the `onPathorsSend` prop typed here).
 *
 * Vue must also be told the tag is a custom element, or it looks for a Vue component:
 * `vue({ template: { compilerOptions: { isCustomElement: (tag) => tag === 'pathors-chat' } } })`
 * in vite.config, or `app.config.compilerOptions.isCustomElement` with the runtime compiler.
 *
 * @example
 * // env.d.ts or main.ts
 * import type {} from 'pathors-chat/vue';
 *
 * @packageDocumentation
 */
import type { DefineComponent } from 'vue';
import type { PathorsChatCamelListeners, PathorsChatProperties } from './element-types.js';

/** The props of `<pathors-chat>` in Vue templates. */
export type PathorsChatVueProps = PathorsChatProperties & PathorsChatCamelListeners;

declare module 'vue' {
  interface GlobalComponents {
    'pathors-chat': DefineComponent<PathorsChatVueProps>;
  }
}
