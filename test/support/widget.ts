import { inject } from 'vitest';
import '../../src/index.js';
import type { PathorsChat } from '../../src/index.js';
import type { PathorsChatPanel } from '../../src/element/chat-panel.js';
import { whenRendered } from '../../src/element/reply-view.js';
import { userEvent } from 'vitest/browser';
import { until } from './fake-control.js';

let counter = 0;

/** Mounts a <pathors-chat> talking to the test proxy, with a storage key of its own. */
export async function mountChat(
  attributes: Record<string, string | boolean> = {},
  parent: HTMLElement = document.body,
): Promise<PathorsChat> {
  const chat = document.createElement('pathors-chat');
  const defaults = { 'proxy-url': inject('proxyUrl'), 'storage-key': `test-${Date.now()}-${counter++}` };
  const all: Record<string, string | boolean> = { ...defaults, ...attributes };
  for (const [name, value] of Object.entries(all)) {
    if (value === false) continue;
    chat.setAttribute(name, value === true ? '' : value);
  }
  parent.append(chat);
  await chat.updateComplete;
  return chat;
}

/** A chat mounted open, and its panel. */
export async function openChat(attributes: Record<string, string | boolean> = {}) {
  const chat = await mountChat({ open: true, ...attributes });
  return { chat, panel: await panelOf(chat) };
}

export function launcher(chat: PathorsChat): HTMLButtonElement {
  return chat.shadowRoot!.querySelector('[part="launcher"]')!;
}

/** The panel, once it has loaded. */
export async function panelOf(chat: PathorsChat): Promise<PathorsChatPanel> {
  await until(() => Boolean(chat.shadowRoot!.querySelector('pathors-chat-panel')?.shadowRoot), 'the panel to load');
  const panel = chat.shadowRoot!.querySelector('pathors-chat-panel')!;
  await panel.updateComplete;
  return panel;
}

export function $(panel: PathorsChatPanel, selector: string): HTMLElement | null {
  return panel.shadowRoot!.querySelector(selector);
}

export function $$(panel: PathorsChatPanel, selector: string): HTMLElement[] {
  return [...panel.shadowRoot!.querySelectorAll<HTMLElement>(selector)];
}

export function composer(panel: PathorsChatPanel): HTMLTextAreaElement {
  return $(panel, 'textarea') as HTMLTextAreaElement;
}

/**
 * The text of each message, in order, as the visitor reads it: the visitor's bubble, or the
 * assistant's reply with its cut-off note (not its action buttons). The welcome is left out.
 * `textContent`, not `innerText`: messages off screen (`content-visibility: auto`) have no layout.
 */
export function bubbles(panel: PathorsChatPanel, role?: 'user' | 'assistant'): string[] {
  return $$(panel, `[part="message"]${role ? `.${role}` : ''}:not(.welcome)`).map((message) =>
    [...message.children]
      .filter((child) => !child.matches('.actions'))
      .map((child) => child.textContent!.trim())
      .filter(Boolean)
      .join('\n'),
  );
}

/** Waits until no reply is in flight and every reply on screen shows all of its text. */
export async function idle(panel: PathorsChatPanel, timeoutMs = 8000): Promise<void> {
  await until(() => panel.conversation?.busy === false, 'the reply to finish', timeoutMs);
  await panel.updateComplete;
  await whenRendered();
  await panel.updateComplete;
}

/** Records the widget's events, in order. */
export function recordEvents(
  target: EventTarget,
  types: string[],
): Array<{ type: string; detail: unknown; event: Event }> {
  const seen: Array<{ type: string; detail: unknown; event: Event }> = [];
  for (const type of types) {
    target.addEventListener(type, (event) => seen.push({ type, detail: (event as CustomEvent).detail, event }));
  }
  return seen;
}

/** Types text as keystrokes; `[` and `{` are escaped, which userEvent.keyboard reads as key names. */
export function typeText(text: string): Promise<void> {
  return userEvent.keyboard(text.replace(/[[{]/g, (bracket) => bracket + bracket));
}

/** Sends `text` as a visitor does: a click in the composer, the keystrokes, Enter. */
export async function send(panel: PathorsChatPanel, text: string): Promise<void> {
  await userEvent.click(composer(panel));
  await typeText(text);
  await userEvent.keyboard('{Enter}');
}
