// Issue 9 §4-§6 in the panel: no message stranded, nothing typed lost, replies to act on, and
// the state a visitor left the chat in kept across a reload.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { page, userEvent } from 'vitest/browser';
import type { PathorsChat } from '../../src/index.js';
import type { PathorsChatPanel } from '../../src/element/chat-panel.js';
import { fake, until } from '../support/fake-control.js';
import {
  $,
  $$,
  bubbles,
  composer,
  idle,
  launcher,
  mountChat,
  panelOf,
  recordEvents,
  typeText,
  openChat,
} from '../support/widget.js';

beforeEach(async () => {
  await page.viewport(1280, 800);
  await fake.reset();
});
afterEach(() => document.body.replaceChildren());

/** What a reload shows: a new element on a copy of everything `chat` saved. */
async function reload(chat: PathorsChat): Promise<{ chat: PathorsChat; panel: PathorsChatPanel }> {
  const key = `${chat.storageKey}-reloaded-${Math.random().toString(36).slice(2)}`;
  for (const item of ['transcript', 'session', 'draft']) {
    const value = localStorage.getItem(`${chat.storageKey}:${item}`);
    if (value !== null) localStorage.setItem(`${key}:${item}`, value);
  }
  chat.remove();
  const again = await mountChat({ open: true, 'storage-key': key });
  return { chat: again, panel: await panelOf(again) };
}

describe('no message stranded', () => {
  it('a message that failed to send shows "Not sent" with Retry, also after a reload', async () => {
    const { chat } = await openChat();
    await fake.fault('http-500');
    const panel = await panelOf(chat);
    await chat.send('what are your opening hours?');
    await idle(panel);
    expect($$(panel, '.message.user.not-sent')).toHaveLength(1);
    expect($(panel, '.not-sent-note')!.textContent).toContain('Not sent');
    const reloaded = await reload(chat);
    expect(bubbles(reloaded.panel, 'user')).toEqual(['what are your opening hours?']);
    expect($$(reloaded.panel, '.message.user.not-sent')).toHaveLength(1);
    await userEvent.click($(reloaded.panel, '.not-sent-note .retry')!);
    await idle(reloaded.panel);
    expect($$(reloaded.panel, '.message.user.not-sent')).toHaveLength(0);
    expect(bubbles(reloaded.panel, 'user')).toEqual(['what are your opening hours?']);
    expect(bubbles(reloaded.panel, 'assistant')).toHaveLength(1);
  });

  it('Regenerate replaces the latest reply: one answer per question', async () => {
    const { chat, panel } = await openChat();
    await chat.send('show me a table');
    await idle(panel);
    const first = panel.conversation!.entries.at(-1)!.id;
    // Only the latest reply offers Regenerate.
    expect($$(panel, '.action.regenerate')).toHaveLength(1);
    await userEvent.click($(panel, '.action.regenerate')!);
    await idle(panel);
    expect(bubbles(panel, 'assistant')).toHaveLength(1);
    expect(panel.conversation!.entries.at(-1)!.id).not.toBe(first);
    expect(await fake.chatRequests()).toHaveLength(2);
  });

  it('keeps the welcome as the first message once the visitor writes', async () => {
    const { chat, panel } = await openChat();
    chat.welcome = 'Hi! I can help with **orders**.';
    await chat.updateComplete;
    await panel.updateComplete;
    expect($(panel, '.message.welcome')!.textContent).toContain('Hi! I can help with orders.');
    await chat.send('hello');
    await idle(panel);
    const messages = $$(panel, '[part="message"]');
    expect(messages[0]!.classList.contains('welcome')).toBe(true);
    expect(messages[0]!.querySelector('strong')!.textContent).toBe('orders');
    expect(messages).toHaveLength(3);
  });

  it('keeps the unsent draft across a reload', async () => {
    const { chat, panel } = await openChat();
    await userEvent.click(composer(panel));
    await typeText('half a thought');
    await until(() => localStorage.getItem(`${chat.storageKey}:draft`) === 'half a thought', 'the draft to be saved');
    const reloaded = await reload(chat);
    expect(composer(reloaded.panel).value).toBe('half a thought');
  });

  it('"New conversation" clears at once and offers Undo for a few seconds', async () => {
    const { chat, panel } = await openChat();
    await chat.send('hello');
    await idle(panel);
    await userEvent.click($(panel, '.new-chat')!);
    await panel.updateComplete;
    expect(bubbles(panel)).toEqual([]);
    const toast = $(panel, '.toast[role="status"]')!;
    expect(toast.textContent).toContain('Conversation cleared');
    await userEvent.click($(panel, '.toast .undo')!);
    await panel.updateComplete;
    expect(bubbles(panel, 'user')).toEqual(['hello']);
    expect($(panel, '.toast')).toBeNull();
  });
});

describe('replies to act on', () => {
  it('thumbs up and down fire a cancelable pathors-feedback with the message and session', async () => {
    const { chat, panel } = await openChat();
    const events = recordEvents(chat, ['pathors-feedback']);
    await chat.send('hello');
    await idle(panel);
    const reply = panel.conversation!.entries.at(-1)!;
    await userEvent.click($(panel, '.action.good')!);
    expect(events.map((event) => event.detail)).toEqual([
      { messageId: reply.id, sessionId: panel.conversation!.sessionId, rating: 'good' },
    ]);
    expect(events[0]!.event.cancelable).toBe(true);
    expect($(panel, '.action.good')!.getAttribute('aria-pressed')).toBe('true');
    chat.addEventListener('pathors-feedback', (event) => event.preventDefault());
    await userEvent.click($(panel, '.action.bad')!);
    expect($(panel, '.action.bad')!.getAttribute('aria-pressed')).toBe('false');
    expect($(panel, '.action.good')!.getAttribute('aria-pressed')).toBe('true');
  });

  it('rating a reply leaves it as it is on screen: no new render, the selection kept', async () => {
    const { chat, panel } = await openChat();
    await chat.send('write some code');
    await idle(panel);
    const reply = $$(panel, '.message.assistant pathors-reply').at(-1)!;
    const code = reply.querySelector('pre code')!;
    const paragraph = reply.querySelector('p')!;
    getSelection()!.selectAllChildren(paragraph);
    await userEvent.click($(panel, '.message.assistant .action.good')!);
    await panel.updateComplete;
    expect($(panel, '.message.assistant .action.good')!.getAttribute('aria-pressed')).toBe('true');
    expect(reply.querySelector('pre code')).toBe(code);
    expect(reply.querySelector('p')).toBe(paragraph);
    expect(getSelection()!.toString()).toBe(paragraph.textContent);
  });

  it('keeps a rating across a reload, so the site never records the same rating twice', async () => {
    const first = await openChat();
    await first.chat.send('hello');
    await idle(first.panel);
    await userEvent.click($(first.panel, '.action.good')!);
    const { chat, panel } = await reload(first.chat);
    const events = recordEvents(chat, ['pathors-feedback']);
    expect($(panel, '.action.good')!.getAttribute('aria-pressed')).toBe('true');
    await userEvent.click($(panel, '.action.good')!);
    expect(events).toEqual([]);
    // Changing one's mind is still news to the site.
    await userEvent.click($(panel, '.action.bad')!);
    expect(events.map((event) => event.detail)).toMatchObject([{ rating: 'bad' }]);
    expect($(panel, '.action.bad')!.getAttribute('aria-pressed')).toBe('true');
    expect($(panel, '.action.good')!.getAttribute('aria-pressed')).toBe('false');
  });

  it('announces a finished reply as rendered text, not markdown', async () => {
    const { chat, panel } = await openChat();
    await chat.send('show me a table');
    await idle(panel);
    const live = $(panel, '.sr-only[aria-live="polite"]')!;
    await until(() => live.textContent!.includes('Plans compared'), 'the announcement');
    expect(live.textContent).not.toMatch(/\*\*|\|---|###/);
  });
});

describe('the chat as the visitor left it', () => {
  it('shows a badge on the launcher when a reply finished while closed', async () => {
    const chat = await mountChat();
    await chat.send('hello');
    const panel = await panelOf(chat);
    await idle(panel);
    await chat.updateComplete;
    expect(launcher(chat).querySelector('[part="badge"]')).not.toBeNull();
    expect(launcher(chat).getAttribute('aria-label')).toBe('Open chat (new reply)');
    await userEvent.click(launcher(chat));
    await chat.updateComplete;
    expect(launcher(chat).querySelector('[part="badge"]')).toBeNull();
  });

  it('a chat re-mounted closed in the middle of a reply still hears it finish: badge and pathors-message', async () => {
    const key = `remount-closed-${Date.now()}`;
    const { chat: first, panel } = await openChat({ 'storage-key': key });
    await first.send('tell me about tents [[delay:30]]');
    await until(() => (bubbles(panel, 'assistant')[0] ?? '').length > 0, 'the first words');
    launcher(first).click();
    await first.updateComplete;
    first.remove();
    // A framework's re-render: a new element for the same chat, closed as the visitor left it.
    const second = await mountChat({ 'storage-key': key });
    expect(second.open).toBe(false);
    const events = recordEvents(second, ['pathors-message']);
    await until(() => events.length > 0, 'the finished reply', 15_000);
    expect(events.map((event) => event.detail)).toMatchObject([{ message: { role: 'assistant', status: 'done' } }]);
    await second.updateComplete;
    expect(launcher(second).querySelector('[part="badge"]')).not.toBeNull();
  });

  it('a turn mark left by a page long gone does not load the panel of a closed chat', async () => {
    const key = `stale-mark-${Date.now()}`;
    localStorage.setItem(`${key}:turn`, JSON.stringify({ tab: 'long-gone', status: 'sending', at: 0 }));
    // The pointer away from where the launcher appears: hovering it fetches the panel ahead.
    const corner = document.createElement('div');
    corner.style.cssText = 'position:fixed;left:0;top:0;width:10px;height:10px';
    document.body.append(corner);
    await userEvent.hover(corner);
    const chat = await mountChat({ 'storage-key': key });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(chat.shadowRoot!.querySelector('pathors-chat-panel')).toBeNull();
    localStorage.removeItem(`${key}:turn`);
  });

  it('keeps the panel open across a reload and another page of the site', async () => {
    const key = `open-${Date.now()}`;
    const first = await mountChat({ 'storage-key': key });
    await userEvent.click(launcher(first));
    expect(first.open).toBe(true);
    first.remove();
    const second = await mountChat({ 'storage-key': key });
    expect(second.open).toBe(true);
    // Closed again (the launcher reads "Close chat" now, as does the panel's own button).
    launcher(second).click();
    await second.updateComplete;
    second.remove();
    const third = await mountChat({ 'storage-key': key });
    expect(third.open).toBe(false);
  });

  it('a page that opens the chat itself keeps it open when the element moves', async () => {
    const key = `moved-${Date.now()}`;
    const chat = await mountChat({ 'storage-key': key });
    await userEvent.click(launcher(chat));
    launcher(chat).click();
    await chat.updateComplete;
    // The visitor's last word was "closed"; then the page opened it, and moved it (a portal, a layout change).
    chat.open = true;
    await chat.updateComplete;
    const aside = document.createElement('aside');
    document.body.append(aside);
    aside.append(chat);
    await chat.updateComplete;
    expect(chat.open).toBe(true);
  });

  it('is open in inline mode, as documented', async () => {
    const chat = await mountChat({ mode: 'inline' });
    expect(chat.open).toBe(true);
    expect(chat.hasAttribute('open')).toBe(true);
    chat.hide();
    await chat.updateComplete;
    expect(chat.open).toBe(true);
  });
});
