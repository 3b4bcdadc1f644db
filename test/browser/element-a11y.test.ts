import axe from 'axe-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cdp, page, userEvent } from 'vitest/browser';
import { fake, until } from '../support/fake-control.js';
import { $, bubbles, idle, launcher, mountChat, panelOf, send } from '../support/widget.js';

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa'];

async function violations(): Promise<string[]> {
  const result = await axe.run(document, { runOnly: { type: 'tag', values: TAGS } });
  return result.violations.map(
    (violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`,
  );
}

beforeEach(async () => {
  await page.viewport(1280, 800);
  await fake.reset();
  document.documentElement.lang = 'en';
  document.title = 'a11y test';
});
afterEach(() => document.body.replaceChildren());

describe('accessibility (axe: wcag2a, wcag2aa, wcag21aa, wcag22aa)', () => {
  it('closed', async () => {
    await mountChat();
    expect(await violations()).toEqual([]);
  });

  it('open, with a welcome, starters and a finished reply', async () => {
    const chat = await mountChat({ open: true });
    chat.welcome = 'Hi! Ask me **anything**.';
    chat.starters = ['What tents do you have?'];
    const panel = await panelOf(chat);
    expect(await violations()).toEqual([]);
    await send(panel, 'show me a table');
    await idle(panel);
    expect(await violations()).toEqual([]);
  });

  it('streaming', async () => {
    const chat = await mountChat({ open: true });
    const panel = await panelOf(chat);
    await send(panel, 'tell me about tents [[delay:40]]');
    await until(() => (bubbles(panel, 'assistant')[0] ?? '').length > 0, 'the first words');
    expect(await violations()).toEqual([]);
    await idle(panel);
  });

  it('showing an error', async () => {
    const chat = await mountChat({ open: true });
    const panel = await panelOf(chat);
    await send(panel, 'hi [[fault:http-500]]');
    await idle(panel);
    expect($(panel, '[role="alert"]')).not.toBeNull();
    expect(await violations()).toEqual([]);
  });

  it('dark theme, with a reply', async () => {
    const chat = await mountChat({ open: true, theme: 'dark' });
    const panel = await panelOf(chat);
    await send(panel, 'show me some code');
    await idle(panel);
    expect(await violations()).toEqual([]);
  });

  it('on a phone-sized viewport', async () => {
    await page.viewport(375, 667);
    const chat = await mountChat({ open: true });
    const panel = await panelOf(chat);
    await send(panel, 'hello');
    await idle(panel);
    expect(await violations()).toEqual([]);
  });

  it('announces each finished reply once, not every token', async () => {
    const chat = await mountChat({ open: true });
    const panel = await panelOf(chat);
    const live = $(panel, '.sr-only[aria-live="polite"]')!;
    const log = $(panel, '[role="log"]')!;
    expect(log.getAttribute('aria-live')).toBe('off');
    const announced: string[] = [];
    new MutationObserver(() => {
      if (live.textContent) announced.push(live.textContent);
    }).observe(live, { childList: true, subtree: true, characterData: true });
    await send(panel, 'tell me about tents [[delay:5]]');
    await idle(panel);
    // A second reply: a token announced late, or the first reply announced twice, would show between them.
    await send(panel, 'and about stoves [[delay:5]]');
    await idle(panel);
    await panel.updateComplete;
    expect(announced).toHaveLength(2);
    for (const text of announced) expect(text).toMatch(/^Reply from the assistant: /);
    expect(announced[0]).not.toBe(announced[1]);
  });

  it('honours prefers-reduced-motion', async () => {
    const chat = await mountChat({ open: true });
    const panel = await panelOf(chat);
    await send(panel, 'hi [[fault:slow-first-byte:1500]]');
    await until(() => Boolean($(panel, '.typing i')), 'the typing indicator');
    const dot = $(panel, '.typing i')!;
    expect(getComputedStyle(dot).animationName).toBe('blink');
    const session = cdp();
    await session.send('Emulation.setEmulatedMedia', {
      features: [{ name: 'prefers-reduced-motion', value: 'reduce' }],
    });
    try {
      expect(matchMedia('(prefers-reduced-motion: reduce)').matches).toBe(true);
      expect(getComputedStyle(dot).animationName).toBe('none');
      expect(getComputedStyle(launcher(chat)).transitionDuration).toBe('0s');
    } finally {
      await session.send('Emulation.setEmulatedMedia', { features: [] });
    }
    await idle(panel);
  });

  it('has visible focus on the launcher', async () => {
    const chat = await mountChat();
    await userEvent.tab();
    let tries = 0;
    while (chat.shadowRoot!.activeElement !== launcher(chat) && tries++ < 5) await userEvent.tab();
    expect(getComputedStyle(launcher(chat)).outlineStyle).toBe('solid');
  });
});
