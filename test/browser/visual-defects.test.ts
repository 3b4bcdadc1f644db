import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { page, userEvent } from 'vitest/browser';
import bootstrapCss from 'bootstrap/dist/css/bootstrap.min.css?raw';
import type { PathorsChatPanel } from '../../src/element/chat-panel.js';
import { fake, until } from '../support/fake-control.js';
import { $, $$, composer, idle, mountChat, panelOf, typeText } from '../support/widget.js';
import { contrast } from '../support/contrast.js';

// Issue 9 §3: what a visitor saw broken, each measured as they would see it (geometry, computed style).

beforeEach(async () => {
  await page.viewport(1280, 800);
  await fake.reset();
});
afterEach(() => {
  document.body.replaceChildren();
  document.querySelectorAll('style[data-test]').forEach((style) => style.remove());
});

async function ask(panel: PathorsChatPanel, text: string): Promise<HTMLElement> {
  await userEvent.click(composer(panel));
  await typeText(text);
  await userEvent.keyboard('{Enter}');
  await idle(panel, 15_000);
  return $$(panel, '.message.assistant').at(-1)!;
}

type Box = { left: number; right: number; top: number; bottom: number };
const overlaps = (a: Box, b: Box) =>
  a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
const inside = (inner: Box, outer: Box) =>
  inner.left >= outer.left - 0.5 &&
  inner.right <= outer.right + 0.5 &&
  inner.top >= outer.top - 0.5 &&
  inner.bottom <= outer.bottom + 0.5;
/** Where an element's text is painted (its glyphs, not its box). */
function textBox(element: Element): DOMRect {
  const range = document.createRange();
  range.selectNodeContents(element);
  return range.getBoundingClientRect();
}

describe('code blocks', () => {
  it.each([
    ['en', 'Copy'],
    ['zh-TW', '複製'],
  ])('%s: the Copy button fits its label, in the frame above the code', async (lang, label) => {
    const chat = await mountChat({ open: true, lang });
    const panel = await panelOf(chat);
    const reply = await ask(panel, 'write some code');
    const blocks = [...reply.querySelectorAll<HTMLElement>('.code')];
    expect(blocks.length).toBe(2);
    for (const block of blocks) {
      const button = block.querySelector<HTMLButtonElement>('button.copy')!;
      expect(button.textContent!.trim()).toBe(label);
      // Every label the button shows, in both languages.
      for (const text of [label, 'Copied', '已複製']) {
        button.textContent = text;
        const box = button.getBoundingClientRect();
        expect(inside(textBox(button), box), `"${text}" inside its button`).toBe(true);
        expect(inside(box, block.getBoundingClientRect()), 'the button inside the frame').toBe(true);
        expect(box.bottom, 'the button above the code, not over it').toBeLessThanOrEqual(
          block.querySelector('pre')!.getBoundingClientRect().top + 0.5,
        );
      }
    }
  });

  it('the Copy buttons of replies already shown follow a change of lang, also after a copy', async () => {
    const chat = await mountChat({ open: true });
    const panel = await panelOf(chat);
    const reply = await ask(panel, 'write some code');
    const labels = () => [...reply.querySelectorAll('.code button.copy')].map((button) => button.textContent);
    expect(labels()).toEqual(['Copy', 'Copy']);
    chat.setAttribute('lang', 'zh-TW');
    await expect.poll(labels).toEqual(['複製', '複製']);
    const writeText = vi.fn((_: string) => Promise.resolve());
    const clipboard = vi.spyOn(navigator, 'clipboard', 'get').mockReturnValue({ writeText } as unknown as Clipboard);
    const button = reply.querySelector<HTMLButtonElement>('.code button.copy')!;
    button.click();
    await expect.poll(() => button.textContent).toBe('已複製');
    await expect.poll(() => button.textContent, { timeout: 3000 }).toBe('複製');
    clipboard.mockRestore();
  });

  it('a long line scrolls inside its block; the reply and the column do not widen', async () => {
    const chat = await mountChat({ open: true });
    const panel = await panelOf(chat);
    const reply = await ask(panel, 'write some code');
    const pre = [...reply.querySelectorAll('pre')].at(-1)!;
    expect(pre.scrollWidth).toBeGreaterThan(pre.clientWidth);
    expect(getComputedStyle(pre).overflowX).toBe('auto');
    const list = $(panel, '[part="messages"]')!;
    expect(list.scrollWidth).toBeLessThanOrEqual(list.clientWidth);
    expect(reply.scrollWidth).toBeLessThanOrEqual(reply.clientWidth);
  });
});

describe('replies are a document, not a capped bubble', () => {
  it("the reply takes the column's full width and the plans table shows its Price column whole", async () => {
    const chat = await mountChat({ open: true });
    const panel = await panelOf(chat);
    const reply = await ask(panel, 'show me a table');
    const list = $(panel, '[part="messages"]')!;
    const style = getComputedStyle(list);
    const column = list.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    expect(reply.getBoundingClientRect().width).toBeGreaterThanOrEqual(column - 1);
    expect(getComputedStyle(reply).backgroundColor).toBe('rgba(0, 0, 0, 0)');
    const price = [...reply.querySelectorAll('th')].at(-1)!;
    expect(price.textContent).toBe('Price');
    // Whole and visible, without scrolling: inside the reply and inside every box that clips it.
    let clip: Element | null = price.parentElement;
    while (clip && clip !== list) {
      if (getComputedStyle(clip).overflowX !== 'visible')
        expect(inside(textBox(price), clip.getBoundingClientRect())).toBe(true);
      clip = clip.parentElement;
    }
    expect(inside(textBox(price), list.getBoundingClientRect())).toBe(true);
  });

  it('a table wider than the column scrolls sideways inside .table, with an edge shadow on the hidden side', async () => {
    const chat = await mountChat({ open: true });
    chat.style.setProperty('--pathors-chat-width', '300px');
    const panel = await panelOf(chat);
    const reply = await ask(panel, 'show me a table');
    const table = reply.querySelector('table')!;
    const wrapper = table.parentElement!;
    expect(wrapper.matches('.table')).toBe(true);
    expect(wrapper.scrollWidth).toBeGreaterThan(wrapper.clientWidth);
    const list = $(panel, '[part="messages"]')!;
    expect(list.scrollWidth).toBeLessThanOrEqual(list.clientWidth);
    // The cue: shadows fixed at the edges (scroll) under covers that move with the content (local).
    const background = getComputedStyle(wrapper);
    expect(background.backgroundImage).toMatch(/radial-gradient/);
    expect(background.backgroundAttachment.split(', ')).toEqual(expect.arrayContaining(['local', 'scroll']));
    // Scrolled to its end, the last column is whole inside the wrapper.
    wrapper.scrollLeft = wrapper.scrollWidth;
    const price = [...table.querySelectorAll('th')].at(-1)!;
    expect(inside(textBox(price), wrapper.getBoundingClientRect())).toBe(true);
  });

  it("the visitor's message is an accent bubble on the right, at most 80% of the column", async () => {
    const chat = await mountChat({ open: true });
    const panel = await panelOf(chat);
    await ask(
      panel,
      'Please tell me a long story about a mountain, a tent, a stove and a very long night under the stars',
    );
    const user = $(panel, '.message.user')!;
    const list = $(panel, '[part="messages"]')!.getBoundingClientRect();
    const box = user.getBoundingClientRect();
    expect(box.width).toBeLessThanOrEqual(0.8 * (list.width - 32) + 1);
    expect(Math.round(list.right - 16 - box.right)).toBe(0);
    expect(getComputedStyle(user).backgroundColor).toBe(getComputedStyle(launcherOf(chat)).backgroundColor);
  });
});

function launcherOf(chat: HTMLElement): HTMLElement {
  return chat.shadowRoot!.querySelector('[part="launcher"]')!;
}

describe('"Jump to latest"', () => {
  it('sits above the composer and never covers it or the footer (inline page with a footer)', async () => {
    const box = document.createElement('div');
    box.style.height = '560px';
    document.body.append(box);
    const chat = await mountChat({ mode: 'inline' }, box);
    const note = document.createElement('span');
    note.slot = 'footer';
    note.textContent = 'Answers are written by an AI and may be wrong. ';
    const link = document.createElement('a');
    link.slot = 'footer';
    link.href = '#';
    link.textContent = 'Contact a person';
    chat.append(note, link);
    const panel = await panelOf(chat);
    await ask(panel, 'tell me a long story');
    const list = $(panel, '[part="messages"]')!;
    expect(list.scrollHeight).toBeGreaterThan(list.clientHeight);
    await expect
      .poll(() => list.scrollHeight - list.scrollTop - list.clientHeight, {
        message: 'followed the reply to its end',
        timeout: 3000,
      })
      .toBeLessThan(41);
    // The reader scrolls up, as many times as it takes for the follower to have seen its own
    // scroll to the bottom first (its scroll events come a frame later, later still on a busy machine).
    const jump = $(panel, '.jump')!;
    const frames = () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    for (let attempt = 0; attempt < 10 && jump.hidden; attempt++) {
      await frames();
      list.scrollTop = 0;
      list.dispatchEvent(new Event('scroll'));
      await panel.updateComplete;
      if (!jump.hidden) break;
      list.scrollTop = list.scrollHeight;
      list.dispatchEvent(new Event('scroll'));
    }
    await until(() => !jump.hidden, '"Jump to latest" to show');
    const rect = jump.getBoundingClientRect();
    expect(rect.height).toBeGreaterThan(0);
    expect(overlaps(rect, $(panel, 'form')!.getBoundingClientRect()), 'covers the composer').toBe(false);
    expect(overlaps(rect, $(panel, 'footer')!.getBoundingClientRect()), 'covers the footer').toBe(false);
    expect(inside(rect, list.getBoundingClientRect()), 'inside the message area').toBe(true);
    // Just above the composer: in the lower part of the message area.
    expect(list.getBoundingClientRect().bottom - rect.bottom).toBeLessThanOrEqual(24);
  });
});

describe('the footer', () => {
  it("a slotted link takes the theme's link colour (readable on the dark panel)", async () => {
    const box = document.createElement('div');
    box.style.height = '480px';
    document.body.append(box);
    const chat = await mountChat({ mode: 'inline', theme: 'dark' }, box);
    const link = document.createElement('a');
    link.slot = 'footer';
    link.href = '#';
    link.textContent = 'Contact a person';
    chat.append(link);
    const panel = await panelOf(chat);
    await until(() => link.getBoundingClientRect().height > 0, 'the footer to show');
    const background = getComputedStyle($(panel, '[part="panel"]')!).backgroundColor;
    expect(contrast(getComputedStyle(link).color, background)).toBeGreaterThanOrEqual(4.5);
    chat.style.setProperty('--pathors-chat-link', 'rgb(200, 0, 100)');
    expect(getComputedStyle(link).color).toBe('rgb(200, 0, 100)');
  });
});

describe("a host page's inherited text styles stay out", () => {
  const hostile = `html, body { letter-spacing: 4px; word-spacing: 12px; text-align: right; text-transform: uppercase;
    white-space: pre; line-height: 3; font-style: italic; font-variant: small-caps; font-weight: 900; text-indent: 48px;
    text-shadow: 0 0 2px red; cursor: wait; list-style: square inside; word-break: break-all; font-size: 22px;
    font-family: serif; color: red; tab-size: 16; hyphens: auto; font-kerning: none; }`;

  it.each(['bubble', 'inline'])(
    '%s mode, on a page with Bootstrap and aggressive rules on html and body',
    async (mode) => {
      const style = document.createElement('style');
      style.dataset.test = '';
      style.textContent = bootstrapCss + hostile;
      document.head.append(style);
      const box = document.createElement('div');
      box.style.height = '640px';
      document.body.append(box);
      const chat = await mountChat(mode === 'inline' ? { mode } : { open: true }, box);
      const panel = await panelOf(chat);
      const reply = await ask(panel, 'tell me a long story');
      // The last long paragraph: on screen (the list followed the reply down), so it is laid out.
      const paragraph = [...reply.querySelectorAll('p')].filter((p) => p.textContent!.length > 200).at(-1)!;
      const seen = getComputedStyle(paragraph);
      expect({
        letterSpacing: seen.letterSpacing,
        wordSpacing: seen.wordSpacing,
        textAlign: seen.textAlign,
        textTransform: seen.textTransform,
        whiteSpace: seen.whiteSpace,
        fontStyle: seen.fontStyle,
        fontVariant: seen.fontVariant,
        fontWeight: seen.fontWeight,
        textIndent: seen.textIndent,
        textShadow: seen.textShadow,
        cursor: seen.cursor,
        wordBreak: seen.wordBreak,
        fontSize: seen.fontSize,
        hyphens: seen.hyphens,
        fontKerning: seen.fontKerning,
        tabSize: seen.tabSize,
      }).toEqual({
        letterSpacing: 'normal',
        wordSpacing: '0px',
        textAlign: 'start',
        textTransform: 'none',
        whiteSpace: 'normal',
        fontStyle: 'normal',
        fontVariant: 'normal',
        fontWeight: '400',
        textIndent: '0px',
        textShadow: 'none',
        cursor: 'auto',
        wordBreak: 'normal',
        fontSize: '15px',
        hyphens: 'manual',
        fontKerning: 'auto',
        tabSize: '8',
      });
      expect(parseFloat(seen.lineHeight)).toBeCloseTo(15 * 1.55, 0);
      expect(seen.fontFamily).not.toBe('serif');
      // As the visitor sees it: wrapped to the column, starting at the left edge, in the case it was written in.
      expect(paragraph.scrollWidth).toBeLessThanOrEqual(paragraph.clientWidth);
      expect(paragraph.getClientRects()[0]!.height).toBeGreaterThan(1.5 * parseFloat(seen.lineHeight));
      expect(Math.abs(textBox(paragraph).left - paragraph.getBoundingClientRect().left)).toBeLessThan(1);
      expect(paragraph.innerText).toBe(paragraph.textContent);
      // The page's own text does keep the page's styles.
      expect(getComputedStyle(document.body).textTransform).toBe('uppercase');
    },
  );
});
