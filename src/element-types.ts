/**
 * Types shared by the framework entries (`pathors-chat/react`, `pathors-chat/jsx`,
 * `pathors-chat/vue`): which properties a template may set and which events it may listen to.
 * @packageDocumentation
 */
import type { PathorsChatEventMap } from './element/events.js';
import type { PathorsChat } from './element/pathors-chat.js';

export type { PathorsChatEventMap };

export type PathorsChatEventName = keyof PathorsChatEventMap;

/** The element's own state among its reactive properties: not for a template to set. */
type InternalState = 'panelLoaded' | 'panelLanguage' | 'unread';

/**
 * The properties a framework template may set (data, not methods or Lit internals): every
 * reactive property the element declares, so a new one cannot be left out of these types.
 */
export type PathorsChatProperties = Partial<
  Pick<PathorsChat, Exclude<keyof (typeof PathorsChat)['properties'], InternalState>>
>;

/** `pathors-tool-call` → `PathorsToolCall`. */
export type PascalCase<S extends string> = S extends `${infer Head}-${infer Tail}`
  ? `${Capitalize<Head>}${PascalCase<Tail>}`
  : Capitalize<S>;

/**
 * Listener props named the way React 18 wrappers and Vue templates name them:
 * `onPathorsSend` (Vue's `@pathors-send` compiles to that prop).
 */
export type PathorsChatCamelListeners = {
  [K in PathorsChatEventName as `on${PascalCase<K>}`]?: (event: PathorsChatEventMap[K]) => void;
};
