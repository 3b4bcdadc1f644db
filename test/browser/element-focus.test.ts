// A control that removes or disables itself must not drop the keyboard focus to the page's body,
// where a keyboard or screen-reader user is lost: it goes to the composer (in the full-screen panel
// of a phone, to the panel itself), or to the launcher when the panel closes. Focus elsewhere on
// the page is never taken.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { page, userEvent } from 'vitest/browser';
import type { Entry } from '../../src/core/transcript.js';
import { fake, until } from '../support/fake-control.js';
import { $, bubbles, composer, idle, launcher, mountChat, panelOf, openChat, send } from '../support/widget.js';

beforeEach(async () => {
  await page.viewport(1280, 800);
  await fake.reset();
});
afterEach(() => {
  document.body.replaceChildren();
  localStorage.clear();
});

/** The focused element, through shadow roots. */
function focused(): Element | null {
  let active = document.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  return active;
}

describe('focus after a control removes or disables itself', () => {
  it('a starter chip, gone as its message sends: the composer', async () => {
    const chat = await mountChat({ open: true });
    chat.starters = ['What tents do you have?'];
    const panel = await panelOf(chat);
    await userEvent.click($(panel, '.starter')!);
    await panel.updateComplete;
    expect($(panel, '.starter')).toBeNull();
    expect(focused()).toBe(composer(panel));
    await idle(panel);
  });

  it('in the full-screen panel of a phone, the panel itself: the composer would raise the keyboard', async () => {
    await page.viewport(390, 844);
    const chat = await mountChat({ open: true });
    chat.starters = ['What tents do you have?'];
    const panel = await panelOf(chat);
    await panel.updateComplete;
    expect(panel.getAttribute('aria-modal')).toBe('true');
    await userEvent.click($(panel, '.starter')!);
    await panel.updateComplete;
    expect($(panel, '.starter')).toBeNull();
    expect(focused()).toBe(panel);
    await idle(panel);
  });

  it('Regenerate: the composer', async () => {
    const { panel } = await openChat();
    await send(panel, 'hello');
    await idle(panel);
    await userEvent.click($(panel, '.action.regenerate')!);
    await panel.updateComplete;
    expect(focused()).toBe(composer(panel));
    await idle(panel);
  });

  it("the error card's Retry: the composer", async () => {
    const { panel } = await openChat();
    await send(panel, 'hi [[fault:http-500]]');
    await idle(panel);
    await userEvent.click($(panel, '.error-action.retry')!);
    await panel.updateComplete;
    expect($(panel, '.error-card')).toBeNull();
    expect(focused()).toBe(composer(panel));
    await idle(panel);
  });

  it('Undo: the composer', async () => {
    const { panel } = await openChat();
    await send(panel, 'hello');
    await idle(panel);
    await userEvent.click($(panel, '.new-chat')!);
    await panel.updateComplete;
    await userEvent.click($(panel, '.toast .undo')!);
    await panel.updateComplete;
    expect(bubbles(panel, 'user')).toEqual(['hello']);
    expect(focused()).toBe(composer(panel));
  });

  it('"earlier messages": the composer', async () => {
    const key = `focus-${Math.random().toString(36).slice(2)}`;
    const entries: Entry[] = Array.from({ length: 30 }, (_, index) =>
      index % 2
        ? { id: `a${index}`, role: 'assistant', status: 'done', content: `Answer ${index}` }
        : { id: `u${index}`, role: 'user', content: `Question ${index}?` },
    );
    localStorage.setItem(`${key}:transcript`, JSON.stringify(entries));
    const { panel } = await openChat({ 'storage-key': key });
    await userEvent.click($(panel, '.earlier')!);
    await panel.updateComplete;
    expect($(panel, '.earlier')).toBeNull();
    expect(focused()).toBe(composer(panel));
  });

  it('Stop, which turns into a disabled Send when pressed: the composer', async () => {
    const { panel } = await openChat();
    await send(panel, 'tell me a story [[delay:60]]');
    await until(() => (bubbles(panel, 'assistant')[0] ?? '').length > 0, 'the first words');
    await userEvent.click($(panel, '[part="send-button"]')!);
    await idle(panel);
    expect(($(panel, '[part="send-button"]') as HTMLButtonElement).disabled).toBe(true);
    expect(focused()).toBe(composer(panel));
  });

  it('Stop, reached with Tab, when the reply ends by itself: the composer', async () => {
    const { panel } = await openChat();
    await send(panel, 'hello [[delay:30]]');
    await userEvent.tab();
    expect(focused()).toBe($(panel, '[part="send-button"]'));
    await idle(panel);
    expect(focused()).toBe(composer(panel));
  });

  it('a reply ending while the focus is on the page leaves it there', async () => {
    const { panel } = await openChat();
    const input = document.createElement('input');
    input.setAttribute('aria-label', 'search');
    document.body.prepend(input);
    await send(panel, 'hello [[delay:30]]');
    await userEvent.click(input);
    await idle(panel);
    expect(focused()).toBe(input);
  });
});

describe('focus when the page closes the panel', () => {
  it('hide() with the focus in the panel: the launcher', async () => {
    const { chat, panel } = await openChat();
    await userEvent.click(composer(panel));
    chat.hide();
    await chat.updateComplete;
    expect(chat.open).toBe(false);
    expect(focused()).toBe(launcher(chat));
  });

  it('toggle() with the focus in the panel: the launcher', async () => {
    const { chat, panel } = await openChat();
    await userEvent.click($(panel, '[part="messages"]')!);
    chat.toggle();
    await chat.updateComplete;
    expect(chat.open).toBe(false);
    expect(focused()).toBe(launcher(chat));
  });

  it("Escape with the focus on the page's link in the footer slot: the launcher", async () => {
    const { chat } = await openChat();
    const link = document.createElement('a');
    link.href = '#privacy';
    link.slot = 'footer';
    link.textContent = 'Privacy';
    chat.append(link);
    await userEvent.click(link);
    await userEvent.keyboard('{Escape}');
    await chat.updateComplete;
    expect(chat.open).toBe(false);
    expect(focused()).toBe(launcher(chat));
  });

  it('hide() with the focus on the page leaves it there', async () => {
    const { chat } = await openChat();
    const input = document.createElement('input');
    input.setAttribute('aria-label', 'search');
    document.body.prepend(input);
    await userEvent.click(input);
    chat.hide();
    await chat.updateComplete;
    expect(focused()).toBe(input);
  });
});
