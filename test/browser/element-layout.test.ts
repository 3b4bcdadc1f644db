import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { page, userEvent } from 'vitest/browser';
import { fake, until } from '../support/fake-control.js';
import { $, bubbles, composer, idle, launcher, mountChat, panelOf, typeText } from '../support/widget.js';
import { contrast } from '../support/contrast.js';

beforeEach(async () => {
  await page.viewport(1280, 800);
  await fake.reset();
});
afterEach(() => document.body.replaceChildren());

/** Waits for the open motion (a scale from 0.96) to end, so that boxes are measured at full size. */
async function settled(element: Element): Promise<void> {
  await Promise.all(element.getAnimations().map((animation) => animation.finished.catch(() => undefined)));
}

describe('layout and theming', () => {
  it.each(['light', 'dark'])('%s theme: text contrast is at least 4.5:1', async (theme) => {
    const chat = await mountChat({ open: true, theme });
    const panel = await panelOf(chat);
    const surface = getComputedStyle($(panel, '[part="panel"]')!);
    expect(contrast(surface.color, surface.backgroundColor)).toBeGreaterThanOrEqual(4.5);
    const placeholder = getComputedStyle(composer(panel), '::placeholder');
    expect(contrast(placeholder.color, getComputedStyle(composer(panel)).backgroundColor)).toBeGreaterThanOrEqual(4.5);
    const send = getComputedStyle($(panel, '[part="send-button"]')!);
    expect(contrast(send.color, send.backgroundColor)).toBeGreaterThanOrEqual(4.5);
  });

  it('takes its colours from --pathors-chat-* set on :root', async () => {
    document.documentElement.style.setProperty('--pathors-chat-accent', 'rgb(200, 0, 100)');
    try {
      const chat = await mountChat();
      expect(getComputedStyle(launcher(chat)).backgroundColor).toBe('rgb(200, 0, 100)');
    } finally {
      document.documentElement.style.removeProperty('--pathors-chat-accent');
    }
  });

  it('fills the screen on a phone, above the launcher, with a 16px composer font', async () => {
    await page.viewport(375, 667);
    const chat = await mountChat({ open: true });
    const panel = await panelOf(chat);
    await settled(panel);
    const rect = panel.getBoundingClientRect();
    expect(Math.round(rect.width)).toBe(375);
    expect(Math.round(rect.top)).toBe(0);
    expect(Math.round(rect.height)).toBe(667);
    expect(getComputedStyle(launcher(chat)).display).toBe('none');
    expect(parseFloat(getComputedStyle(composer(panel)).fontSize)).toBeGreaterThanOrEqual(16);
  });

  it('floats above the launcher on a desktop, and the page does not scroll when it opens', async () => {
    const filler = document.createElement('div');
    filler.style.height = '3000px';
    document.body.append(filler);
    window.scrollTo(0, 500);
    const chat = await mountChat();
    await userEvent.click(launcher(chat));
    const panel = await panelOf(chat);
    await settled(panel);
    const panelRect = panel.getBoundingClientRect();
    const launcherRect = launcher(chat).getBoundingClientRect();
    expect(panelRect.bottom).toBeLessThan(launcherRect.top);
    expect(Math.round(panelRect.width)).toBe(400);
    expect(window.scrollY).toBe(500);
    window.scrollTo(0, 0);
  });

  it('lets the page set the z-index', async () => {
    const chat = await mountChat();
    chat.style.setProperty('--pathors-chat-z-index', '42');
    expect(getComputedStyle(launcher(chat)).zIndex).toBe('42');
  });

  it('shows slotted header, empty state and footer content; hides the footer when empty', async () => {
    const chat = await mountChat({ open: true });
    const panel = await panelOf(chat);
    expect(($(panel, 'footer') as HTMLElement).hidden).toBe(true);
    const footer = document.createElement('small');
    footer.slot = 'footer';
    footer.textContent = 'AI answers may be wrong.';
    const empty = document.createElement('p');
    empty.slot = 'empty';
    empty.textContent = 'Ask us anything';
    chat.append(footer, empty);
    await until(() => !($(panel, 'footer') as HTMLElement).hidden, 'the footer to show');
    expect(footer.getBoundingClientRect().height).toBeGreaterThan(0);
    expect(empty.getBoundingClientRect().height).toBeGreaterThan(0);
  });
});

describe('scrolling', () => {
  it('follows the stream, but not a reader who scrolled up; "jump to latest" brings them back', async () => {
    const chat = await mountChat({ open: true });
    const panel = await panelOf(chat);
    const list = $(panel, '[part="messages"]')!;
    await userEvent.click(composer(panel));
    await userEvent.keyboard('tell me a long story');
    await userEvent.keyboard('{Enter}');
    await idle(panel);
    expect(list.scrollHeight).toBeGreaterThan(list.clientHeight);
    await expect
      .poll(() => list.scrollHeight - list.scrollTop - list.clientHeight, {
        message: 'followed the first reply to its end',
        timeout: 3000,
      })
      .toBeLessThan(41);

    await typeText('tell me a long story [[delay:15]]');
    await userEvent.keyboard('{Enter}');
    await until(() => (bubbles(panel, 'assistant')[1] ?? '').length > 0, 'the second reply to start');
    list.scrollTop = 0;
    list.dispatchEvent(new Event('scroll'));
    await expect.poll(() => ($(panel, '.jump') as HTMLElement).hidden).toBe(false);
    await idle(panel, 15_000);
    expect(list.scrollTop).toBe(0);
    await userEvent.click($(panel, '.jump')!);
    await expect
      .poll(() => list.scrollHeight - list.scrollTop - list.clientHeight, {
        message: 'jumped to the latest',
        timeout: 3000,
      })
      .toBeLessThan(41);
    expect(($(panel, '.jump') as HTMLElement).hidden).toBe(true);
  });

  it('keeps the bottom in view while a long reply is still streaming, not only at its end', async () => {
    const chat = await mountChat({ open: true });
    const panel = await panelOf(chat);
    const list = $(panel, '[part="messages"]')!;
    await chat.send('tell me a long story [[delay:20]]');
    await until(() => list.scrollHeight > list.clientHeight + 300, 'the reply to overflow by 300px', 15_000);
    const gaps: number[] = [];
    for (let sample = 0; sample < 10 && panel.conversation?.busy; sample++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      gaps.push(list.scrollHeight - list.scrollTop - list.clientHeight);
    }
    expect(gaps.length, 'samples taken while the reply streamed').toBeGreaterThan(3);
    expect(Math.max(...gaps)).toBeLessThan(41);
  });
});

describe('lifecycle', () => {
  it('leaves no listener behind when removed', async () => {
    const added = new Map<string, number>();
    const original = { add: window.addEventListener, remove: window.removeEventListener };
    const track = (delta: number) =>
      function (this: Window, type: string, ...rest: unknown[]) {
        added.set(type, (added.get(type) ?? 0) + delta);
        return (delta > 0 ? original.add : original.remove).call(this, type, ...(rest as [EventListener]));
      };
    window.addEventListener = track(1) as typeof window.addEventListener;
    window.removeEventListener = track(-1) as typeof window.removeEventListener;
    try {
      const chat = await mountChat({ open: true, 'no-persist': true });
      await panelOf(chat);
      const visual = window.visualViewport!;
      expect(visual).toBeTruthy();
      chat.remove();
      await new Promise((resolve) => setTimeout(resolve, 0));
      for (const [type, count] of added) expect([type, count]).toEqual([type, 0]);
    } finally {
      window.addEventListener = original.add;
      window.removeEventListener = original.remove;
    }
  });
});
