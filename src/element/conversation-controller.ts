import type { ReactiveController, ReactiveControllerHost } from 'lit';
import {
  conversationFor,
  type Conversation,
  type ConversationEventMap,
  type ConversationSettings,
} from '../core/conversation.js';
import { loadTools } from '../core/lazily.js';

type ConversationDetails = {
  [K in Exclude<keyof ConversationEventMap, 'change'>]: ConversationEventMap[K]['detail'];
};

/**
 * What the element does when the conversation speaks, given each event's detail: `delta` (text
 * was added to a reply being written), `reply` (a reply finished: done, stopped or cut off),
 * `error`, `session` and `tool-call`. A handler that returns false cancels the event (declines
 * the tool call).
 */
export type ConversationHandlers = {
  [K in keyof ConversationDetails]: (detail: ConversationDetails[K]) => unknown;
};

/**
 * The wiring between an element and the conversation of its storage key: it picks the
 * conversation, keeps its settings in step, re-renders the host when it changes and passes
 * its events on. Listeners go with the host (`hostDisconnected`); the conversation itself
 * lives on, so a re-mounted element finds it, mid-reply if need be.
 */
export class ConversationController implements ReactiveController {
  conversation: Conversation | undefined;
  readonly #host: ReactiveControllerHost;
  #key: [storageKey: string, persist: boolean] | undefined;
  #settings: Partial<ConversationSettings> = {};
  readonly #listeners: Array<[keyof ConversationEventMap, EventListener]>;

  constructor(host: ReactiveControllerHost, handlers: ConversationHandlers) {
    this.#host = host;
    this.#listeners = [
      ['change', () => host.requestUpdate()],
      // Each handler is typed with its own event's detail, which it is given here.
      ...Object.entries(handlers).map(
        ([type, handle]) =>
          [
            type,
            (event: Event) => {
              if ((handle as (detail: unknown) => unknown)((event as CustomEvent).detail) === false)
                event.preventDefault();
            },
          ] as [keyof ConversationEventMap, EventListener],
      ),
    ];
    host.addController(this);
  }

  hostConnected(): void {
    this.#attach();
  }

  hostDisconnected(): void {
    this.#detach();
  }

  /** Follows a new storage key (another user signed in) or persistence setting. */
  use(storageKey: string, persist: boolean): void {
    if (this.#key?.[0] === storageKey && this.#key[1] === persist) return;
    this.#key = [storageKey, persist];
    this.#detach();
    this.#attach();
  }

  /** New settings from the page; they apply to the next request. */
  configure(settings: Partial<ConversationSettings>): void {
    this.#settings = settings;
    if (this.conversation) this.conversation.settings = { ...this.conversation.settings, ...settings };
    // Fetched ahead, so the first message of a page with tools does not wait for it.
    if (settings.tools?.length) void loadTools();
  }

  #attach(): void {
    if (!this.#key || this.conversation) return;
    const conversation = conversationFor(...this.#key);
    this.conversation = conversation;
    conversation.views_ = (conversation.views_ ?? 0) + 1;
    conversation.settings = { ...conversation.settings, ...this.#settings };
    for (const [type, listener] of this.#listeners) conversation.addEventListener(type, listener);
    void conversation.recoverHistory();
    this.#host.requestUpdate();
  }

  #detach(): void {
    const { conversation } = this;
    if (!conversation) return;
    for (const [type, listener] of this.#listeners) conversation.removeEventListener(type, listener);
    conversation.views_!--;
    this.conversation = undefined;
  }
}
