/**
 * `pathors-chat/jsx`: types only. Declares `<pathors-chat>` in React 19's JSX, which sets a
 * custom element's props as properties (`tools={[…]}` reaches `element.tools`) and adds
 * `on<event name>` props as listeners exactly as written (`onpathors-send` listens to
 * `pathors-send`). React 18 does neither: use `pathors-chat/react` there.
 *
 * Load it once in the app (kept apart from the main entry so that pages without React
 * need no React types):
 *
 * @example
 * import type {} from 'pathors-chat/jsx';
 * import 'pathors-chat';
 *
 * <pathors-chat ref={chat} proxyUrl="/pathors" tools={tools}
 *   onpathors-message={(event) => console.log(event.detail.message)} />
 *
 * @packageDocumentation
 */
import type { DetailedHTMLProps, HTMLAttributes } from 'react';
import type { PathorsChat } from './element/pathors-chat.js';
import type { PathorsChatEventMap, PathorsChatEventName, PathorsChatProperties } from './element-types.js';

/** React 19 listener props: `onpathors-send` for `pathors-send`. */
export type PathorsChatJsxListeners = {
  [K in PathorsChatEventName as `on${K}`]?: (event: PathorsChatEventMap[K]) => void;
};

/** The props of `<pathors-chat>` in React 19 JSX. Attributes such as `proxy-url` work too. */
export type PathorsChatJsxProps = Omit<
  DetailedHTMLProps<HTMLAttributes<PathorsChat>, PathorsChat>,
  keyof PathorsChatProperties
> &
  PathorsChatProperties &
  PathorsChatJsxListeners;

declare module 'react' {
  // The automatic runtime's JSX namespace (react/jsx-runtime) reads React.JSX, so this covers both.
  // eslint-disable-next-line @typescript-eslint/no-namespace -- React declares JSX as a namespace; augmenting it takes one.
  namespace JSX {
    interface IntrinsicElements {
      'pathors-chat': PathorsChatJsxProps;
    }
  }
}
