// Issue 9 §6: on a phone the full-screen panel is a real modal: focus into the panel itself,
// the page behind inert (so Tab and screen readers stay in the chat), focus back on close.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { page, userEvent } from 'vitest/browser';
import { $, launcher, mountChat, panelOf } from '../support/widget.js';

beforeEach(() => {
  document.body.innerHTML =
    '<header><a href="#top">Home</a></header><main><p><a href="#a">A link behind the chat</a></p>' +
    '<div id="host"></div></main>';
});
afterEach(async () => {
  document.body.replaceChildren();
  await page.viewport(1280, 800);
});

describe('the full-screen panel on a phone', () => {
  it('takes the focus itself, makes the page behind inert, and gives both back on close', async () => {
    await page.viewport(390, 844);
    const chat = await mountChat({}, document.getElementById('host')!);
    await userEvent.click(launcher(chat));
    const panel = await panelOf(chat);
    await chat.updateComplete;
    await panel.updateComplete;
    // Focus is in the dialog itself (so the keyboard does not rise over the chat).
    expect(chat.shadowRoot!.activeElement).toBe(panel);
    expect(panel.getAttribute('role')).toBe('dialog');
    expect(panel.getAttribute('aria-modal')).toBe('true');
    const behind = document.querySelector('a[href="#a"]')!;
    expect(behind.closest('[inert]')).not.toBeNull();
    expect(document.querySelector('header')!.inert).toBe(true);
    expect(chat.closest('[inert]')).toBeNull();
    // Tab walks the panel's controls, never the page's links.
    for (let step = 0; step < 12; step++) {
      await userEvent.keyboard('{Tab}');
      expect(document.activeElement === document.body || document.activeElement === chat).toBe(true);
    }
    await userEvent.click($(panel, '.close')!);
    await chat.updateComplete;
    expect(behind.closest('[inert]')).toBeNull();
    expect(panel.hasAttribute('aria-modal')).toBe(false);
    expect(chat.shadowRoot!.activeElement).toBe(launcher(chat));
  });

  it('turns modal off when the open panel is rotated to landscape, past the breakpoint', async () => {
    await page.viewport(390, 844);
    const chat = await mountChat({}, document.getElementById('host')!);
    await userEvent.click(launcher(chat));
    const panel = await panelOf(chat);
    await panel.updateComplete;
    const behind = document.querySelector('a[href="#a"]')!;
    expect(panel.getAttribute('aria-modal')).toBe('true');
    expect(panel.offsetWidth).toBe(document.documentElement.clientWidth);
    await page.viewport(844, 390);
    // A floating panel, and the page beside it live again.
    await expect.poll(() => panel.offsetWidth).toBeLessThan(document.documentElement.clientWidth);
    await expect.poll(() => behind.closest('[inert]')).toBeNull();
    expect(panel.hasAttribute('aria-modal')).toBe(false);
  });

  it('turns modal on when the open panel is narrowed past the breakpoint, and not once closed', async () => {
    await page.viewport(844, 390);
    const chat = await mountChat({}, document.getElementById('host')!);
    await userEvent.click(launcher(chat));
    const panel = await panelOf(chat);
    await panel.updateComplete;
    const behind = document.querySelector('a[href="#a"]')!;
    expect(panel.hasAttribute('aria-modal')).toBe(false);
    await expect.poll(() => panel.shadowRoot!.activeElement).toBe($(panel, 'textarea'));
    await page.viewport(390, 844);
    // Full screen, over an inert page; the visitor's place in the panel is kept.
    await expect.poll(() => panel.offsetWidth).toBe(document.documentElement.clientWidth);
    await expect.poll(() => behind.closest('[inert]')).not.toBeNull();
    expect(panel.getAttribute('aria-modal')).toBe('true');
    expect(chat.closest('[inert]')).toBeNull();
    expect(panel.shadowRoot!.activeElement).toBe($(panel, 'textarea'));
    // Closed, a rotation changes nothing.
    await userEvent.click($(panel, '.close')!);
    await chat.updateComplete;
    expect(document.querySelector('[inert]')).toBeNull();
    await page.viewport(844, 390);
    await page.viewport(390, 844);
    await chat.updateComplete;
    expect(document.querySelector('[inert]')).toBeNull();
    expect(panel.hasAttribute('aria-modal')).toBe(false);
  });

  it('is not modal on a desktop', async () => {
    await page.viewport(1280, 800);
    const chat = await mountChat({}, document.getElementById('host')!);
    await userEvent.click(launcher(chat));
    const panel = await panelOf(chat);
    await panel.updateComplete;
    expect(document.querySelector('[inert]')).toBeNull();
    expect(panel.hasAttribute('aria-modal')).toBe(false);
  });
});
