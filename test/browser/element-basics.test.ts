import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { page, userEvent } from 'vitest/browser';
import { PathorsChat } from '../../src/index.js';
import { fake, until } from '../support/fake-control.js';
import { $, composer, launcher, mountChat, panelOf, recordEvents } from '../support/widget.js';

beforeEach(async () => {
  await page.viewport(1280, 800);
  await fake.reset();
});
afterEach(() => document.body.replaceChildren());

describe('<pathors-chat> in bubble mode', () => {
  it('shows only a named launcher until opened, and loads the panel on first open', async () => {
    const chat = await mountChat();
    const button = launcher(chat);
    expect(button.getAttribute('aria-label')).toBe('Open chat');
    expect(button.getAttribute('aria-expanded')).toBe('false');
    expect(chat.shadowRoot!.querySelector('pathors-chat-panel')).toBeNull();
    const events = recordEvents(chat, ['pathors-open', 'pathors-close']);
    await userEvent.click(button);
    const panel = await panelOf(chat);
    expect(chat.open).toBe(true);
    expect(chat.hasAttribute('open')).toBe(true);
    expect(button.getAttribute('aria-expanded')).toBe('true');
    expect(panel.getAttribute('role')).toBe('dialog');
    expect(panel.getAttribute('aria-label')).toBe('Chat');
    expect(events.map((event) => event.type)).toEqual(['pathors-open']);
    expect(events[0]!.event.bubbles && events[0]!.event.composed).toBe(true);
  });

  it('moves focus to the composer on open, and Escape closes and returns focus to the launcher', async () => {
    const chat = await mountChat();
    await userEvent.click(launcher(chat));
    const panel = await panelOf(chat);
    await expect.poll(() => panel.shadowRoot!.activeElement).toBe(composer(panel));
    const events = recordEvents(chat, ['pathors-close']);
    await userEvent.keyboard('{Escape}');
    expect(chat.open).toBe(false);
    expect(panel.hidden).toBe(true);
    expect(events).toHaveLength(1);
    await expect.poll(() => chat.shadowRoot!.activeElement).toBe(launcher(chat));
  });

  it('works from the keyboard alone: Tab to the launcher, Enter opens, type, Enter sends', async () => {
    const chat = await mountChat();
    launcher(chat).focus();
    await userEvent.keyboard('{Enter}');
    const panel = await panelOf(chat);
    await expect.poll(() => panel.shadowRoot!.activeElement).toBe(composer(panel));
    await userEvent.keyboard('Hello from the keyboard');
    await userEvent.keyboard('{Enter}');
    await expect
      .poll(() => (panel.shadowRoot!.querySelector('.message.user') as HTMLElement | null)?.innerText)
      .toContain('Hello from the keyboard');
  });

  it('has a close button in the header', async () => {
    const chat = await mountChat({ open: true });
    const panel = await panelOf(chat);
    const close = $(panel, 'header button[aria-label="Close chat"]')!;
    await userEvent.click(close);
    expect(chat.open).toBe(false);
  });

  it('sits bottom-left when asked', async () => {
    const chat = await mountChat({ position: 'bottom-left' });
    const rect = launcher(chat).getBoundingClientRect();
    expect(rect.left).toBeLessThan(100);
    expect(rect.bottom).toBeGreaterThan(window.innerHeight - 100);
  });

  it('offers show(), hide(), toggle() and focus()', async () => {
    const chat = await mountChat();
    const events = recordEvents(chat, ['pathors-open', 'pathors-close']);
    chat.show();
    await chat.updateComplete;
    expect(chat.open).toBe(true);
    chat.hide();
    await chat.updateComplete;
    expect(chat.open).toBe(false);
    chat.toggle();
    await chat.updateComplete;
    expect(chat.open).toBe(true);
    expect(events.map((event) => event.type)).toEqual(['pathors-open', 'pathors-close', 'pathors-open']);
    const panel = await panelOf(chat);
    document.body.focus();
    chat.focus();
    await expect.poll(() => panel.shadowRoot!.activeElement).toBe(composer(panel));
  });

  it('does not fire events when the page sets `open` itself', async () => {
    const chat = await mountChat();
    const events = recordEvents(chat, ['pathors-open', 'pathors-close']);
    chat.open = true;
    await chat.updateComplete;
    chat.open = false;
    await chat.updateComplete;
    expect(events).toHaveLength(0);
  });
});

describe('<pathors-chat> configuration', () => {
  it('says exactly what is missing without proxy-url', async () => {
    const chat = await mountChat({ 'proxy-url': '', open: true });
    chat.removeAttribute('proxy-url');
    const panel = await panelOf(chat);
    await panel.updateComplete;
    expect(panel.shadowRoot!.textContent).toContain('the proxy-url attribute is missing');
  });

  it('fills its container in inline mode, with no launcher', async () => {
    const box = document.createElement('div');
    box.style.cssText = 'width: 500px; height: 600px;';
    document.body.append(box);
    const chat = await mountChat({ mode: 'inline' }, box);
    const panel = await panelOf(chat);
    expect(launcher(chat)).toBeNull();
    expect(panel.getAttribute('role')).toBe('region');
    const rect = $(panel, '[part="panel"]')!.getBoundingClientRect();
    expect(Math.round(rect.width)).toBe(500);
    expect(Math.round(rect.height)).toBe(600);
  });

  it('uses the title, and Traditional Chinese when the page is zh-TW', async () => {
    const chat = await mountChat({ open: true, title: 'Acme help', lang: 'zh-TW' });
    const panel = await panelOf(chat);
    expect($(panel, 'h2')!.textContent).toBe('Acme help');
    expect(composer(panel).placeholder).toBe('輸入訊息…');
    expect(launcher(chat).getAttribute('aria-label')).toBe('關閉聊天');
  });

  it('lets the page override any string', async () => {
    const chat = await mountChat({ open: true });
    chat.strings = { placeholder: 'Ask Acme anything' };
    const panel = await panelOf(chat);
    await chat.updateComplete;
    await panel.updateComplete;
    expect(composer(panel).placeholder).toBe('Ask Acme anything');
  });

  it('is harmless when the script is loaded twice', async () => {
    // A second copy of the registration module, as a second script tag would run it.
    await import(/* @vite-ignore */ `../../src/element/define.js?again=${Date.now()}`);
    expect(customElements.get('pathors-chat')).toBe(PathorsChat);
  });

  it('reflects theme, mode and position for styling', async () => {
    const chat = await mountChat({ theme: 'dark' });
    expect(chat.getAttribute('theme')).toBe('dark');
    expect(chat.getAttribute('mode')).toBe('bubble');
    expect(chat.getAttribute('position')).toBe('bottom-right');
  });
});

describe('<pathors-chat> as settings change', () => {
  it('Escape during an IME composition does not close the panel', async () => {
    const chat = await mountChat({ open: true });
    const panel = await panelOf(chat);
    composer(panel).dispatchEvent(
      new KeyboardEvent('keydown', { key: 'Escape', isComposing: true, bubbles: true, composed: true }),
    );
    await chat.updateComplete;
    expect(chat.open).toBe(true);
  });

  it('follows a change of lang at run time', async () => {
    const chat = await mountChat({ open: true });
    const panel = await panelOf(chat);
    expect(composer(panel).placeholder).toBe('Type a message…');
    chat.setAttribute('lang', 'zh-TW');
    await expect.poll(() => composer(panel).placeholder).toBe('輸入訊息…');
    expect(launcher(chat).getAttribute('aria-label')).toBe('關閉聊天');
  });

  it("follows a change of the page's own lang (<html lang>), as a site's language switch makes it", async () => {
    const before = document.documentElement.lang;
    try {
      document.documentElement.lang = 'en';
      const chat = await mountChat({ open: true });
      const panel = await panelOf(chat);
      expect(composer(panel).placeholder).toBe('Type a message…');
      document.documentElement.lang = 'zh-TW';
      await expect.poll(() => composer(panel).placeholder).toBe('輸入訊息…');
      expect(launcher(chat).getAttribute('aria-label')).toBe('關閉聊天');
    } finally {
      document.documentElement.lang = before;
    }
  });

  it('switches to the other conversation when storage-key changes (another user signed in)', async () => {
    localStorage.setItem('user-b:transcript', JSON.stringify([{ id: 'b1', role: 'user', content: 'I am user B' }]));
    const chat = await mountChat({ open: true, 'storage-key': 'user-a' });
    const panel = await panelOf(chat);
    await panel.conversation!.send('secret of user A');
    await until(() => !panel.conversation!.busy, 'the reply');
    chat.storageKey = 'user-b';
    await chat.updateComplete;
    await panel.updateComplete;
    expect(panel.conversation!.entries.map((entry) => entry.content)).toEqual(['I am user B']);
    expect(panel.shadowRoot!.textContent).not.toContain('secret of user A');
    localStorage.clear();
  });
});
