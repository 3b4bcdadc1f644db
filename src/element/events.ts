import type { ChatError, ErrorCode } from '../core/errors.js';
import type { ToolCallRequest } from '../core/tools.js';

/** A message as the page sees it in events. */
export interface ChatMessageDetail {
  id: string;
  role: 'user' | 'assistant';
  content: string;
  /** How an assistant reply ended. */
  status?: 'done' | 'stopped' | 'interrupted';
}

export interface PathorsSendDetail {
  text: string;
}
export interface PathorsMessageDetail {
  message: ChatMessageDetail;
}
export interface PathorsErrorDetail {
  /** Machine code: offline, network, timeout, rate_limited, http, interrupted, malformed, empty, config, tool_limit. */
  code: ErrorCode;
  /** What the panel shows the visitor. */
  message: string;
  status?: number;
  retryAfter?: number;
  error: ChatError;
}
export interface PathorsSessionDetail {
  sessionId: string;
}
export interface PathorsFeedbackDetail {
  /** The reply rated (`ChatMessageDetail.id`). */
  messageId: string;
  /** The proxy's session the reply belongs to, when known. */
  sessionId: string | undefined;
  rating: 'good' | 'bad';
}
/** The agent calls one of the page's `tools`: what it asks, and how the page may hold or decline it. */
export type PathorsToolCallDetail = ToolCallRequest;

/** Every event `<pathors-chat>` fires, by name, with its detail. */
export interface PathorsChatEventMap {
  'pathors-open': CustomEvent<void>;
  'pathors-close': CustomEvent<void>;
  'pathors-send': CustomEvent<PathorsSendDetail>;
  'pathors-message': CustomEvent<PathorsMessageDetail>;
  'pathors-error': CustomEvent<PathorsErrorDetail>;
  'pathors-session': CustomEvent<PathorsSessionDetail>;
  'pathors-tool-call': CustomEvent<PathorsToolCallDetail>;
  'pathors-reset': CustomEvent<void>;
  'pathors-feedback': CustomEvent<PathorsFeedbackDetail>;
}

/** The detail type of each event. */
export type PathorsChatDetail<K extends keyof PathorsChatEventMap> = PathorsChatEventMap[K]['detail'];

declare global {
  // Typed addEventListener('pathors-…') on any element: declaration merging adds our events to
  // the DOM's map, which only an (empty) interface that extends ours can do.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface GlobalEventHandlersEventMap extends PathorsChatEventMap {}
}

/**
 * Fires one of the element's public events as the platform does: bubbling out of the shadow
 * root. Only `<pathors-chat>` calls it. Returns false if canceled.
 */
export function fire<K extends keyof PathorsChatEventMap>(
  target: EventTarget,
  type: K,
  detail: PathorsChatDetail<K>,
  cancelable = false,
): boolean {
  return target.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true, cancelable }));
}
