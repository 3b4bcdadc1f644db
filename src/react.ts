/**
 * `pathors-chat/react`: `<pathors-chat>` as a React component, for React 18, which sets a custom
 * element's props as string attributes and cannot listen to its events. (React 19 does both
 * natively: use `<pathors-chat>` with the types from `pathors-chat/jsx` instead.)
 *
 * Importing this module registers the element.
 *
 * @example
 * import { PathorsChat, type PathorsChatElement } from 'pathors-chat/react';
 *
 * const chat = useRef<PathorsChatElement>(null);
 * <PathorsChat ref={chat} proxyUrl="/pathors" tools={tools}
 *   onPathorsMessage={(event) => console.log(event.detail.message)} />
 * <button onClick={() => chat.current?.show()}>Help</button>
 *
 * @packageDocumentation
 */
import { createComponent, type EventName } from '@lit/react';
import * as React from 'react';
import './element/define.js';
import { PathorsChat as PathorsChatElement } from './element/pathors-chat.js';
import type { PascalCase, PathorsChatEventMap, PathorsChatEventName } from './element-types.js';

/** Each event under its listener prop, `onPathorsSend` for `pathors-send`; typed so none is missed. */
type ListenerProps = {
  [K in PathorsChatEventName as `on${PascalCase<K>}`]: K & EventName<PathorsChatEventMap[K]>;
};

function eventName<K extends PathorsChatEventName>(name: K): K & EventName<PathorsChatEventMap[K]> {
  return name as K & EventName<PathorsChatEventMap[K]>;
}

const events: ListenerProps = {
  onPathorsOpen: eventName('pathors-open'),
  onPathorsClose: eventName('pathors-close'),
  onPathorsSend: eventName('pathors-send'),
  onPathorsMessage: eventName('pathors-message'),
  onPathorsError: eventName('pathors-error'),
  onPathorsSession: eventName('pathors-session'),
  onPathorsToolCall: eventName('pathors-tool-call'),
  onPathorsReset: eventName('pathors-reset'),
  onPathorsFeedback: eventName('pathors-feedback'),
};

/**
 * `<pathors-chat>` for React: props set the element's properties (`tools`, `proxyUrl`, …),
 * `onPathors*` props listen to its events, and a ref gives the element and its methods.
 */
export const PathorsChat = createComponent({
  tagName: 'pathors-chat',
  elementClass: PathorsChatElement,
  react: React,
  events,
  displayName: 'PathorsChat',
});

export type { PathorsChatElement };
export type { PathorsChatEventMap, PathorsChatEventName, PathorsChatProperties } from './element-types.js';
export type { ChatMode, ChatPosition, ChatTheme } from './element/pathors-chat.js';
export type {
  ChatMessageDetail,
  PathorsErrorDetail,
  PathorsFeedbackDetail,
  PathorsMessageDetail,
  PathorsSendDetail,
  PathorsSessionDetail,
  PathorsToolCallDetail,
} from './element/events.js';
export type { PageTool } from './core/tools.js';
