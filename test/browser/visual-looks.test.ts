import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { page, userEvent } from 'vitest/browser';
import type { PathorsChatPanel } from '../../src/element/chat-panel.js';
import { fake } from '../support/fake-control.js';
import { $, $$, composer, idle, mountChat, panelOf, typeText } from '../support/widget.js';
import { contrast } from '../support/contrast.js';

// Issue 9 §4 and VISUAL.md: the type scale, the reply's parts, and contrast in both themes.

beforeEach(async () => {
  await page.viewport(1280, 800);
  await fake.reset();
});
afterEach(() => document.body.replaceChildren());

async function ask(panel: PathorsChatPanel, text: string): Promise<HTMLElement> {
  await userEvent.click(composer(panel));
  await typeText(text);
  await userEvent.keyboard('{Enter}');
  await idle(panel, 15_000);
  return $$(panel, '.message.assistant').at(-1)!;
}

const px = (value: string) => parseFloat(value);

/** The colour painted behind an element: its own background or the nearest ancestor's (across shadow roots). */
function backdrop(element: Element): string {
  for (
    let node: Element | null = element;
    node;
    node = node.parentElement ?? (node.getRootNode() as ShadowRoot).host ?? null
  ) {
    const color = getComputedStyle(node).backgroundColor;
    if (!/rgba\(.*, 0\)$/.test(color) && color !== 'transparent') return color;
  }
  return 'rgb(255, 255, 255)';
}

describe('type and spacing', () => {
  it('body 15px/1.55, code 13px/1.5, composer at least 16px, headings 1.25 / 1.125 / 1em semibold', async () => {
    const chat = await mountChat({ open: true });
    const panel = await panelOf(chat);
    const reply = await ask(panel, 'markdown tour');
    const paragraph = getComputedStyle(reply.querySelector('p')!);
    expect(paragraph.fontSize).toBe('15px');
    expect(px(paragraph.lineHeight)).toBeCloseTo(15 * 1.55, 1);
    const code = getComputedStyle(reply.querySelector('pre code')!);
    expect(code.fontSize).toBe('13px');
    expect(px(code.lineHeight)).toBeCloseTo(13 * 1.5, 1);
    expect(px(getComputedStyle(composer(panel)).fontSize)).toBeGreaterThanOrEqual(16);
    const heading = (tag: string) => getComputedStyle(reply.querySelector(tag)!);
    expect([heading('h1').fontSize, heading('h2').fontSize]).toEqual([`${15 * 1.25}px`, `${15 * 1.125}px`]);
    for (const tag of ['h1', 'h2']) expect(heading(tag).fontWeight).toBe('600');
    // Smaller than the panel's title; the first one carries no top margin.
    expect(px(heading('h1').fontSize)).toBeLessThan(px(getComputedStyle($(panel, '#title')!).fontSize));
    expect(heading('h1').marginTop).toBe('0px');
    const list = getComputedStyle($(panel, '[part="messages"]')!);
    expect([list.paddingLeft, list.paddingRight]).toEqual(['16px', '16px']);
  });

  it('long conversations: messages off screen skip rendering, with a remembered size', async () => {
    const chat = await mountChat({ open: true });
    const panel = await panelOf(chat);
    const first = await ask(panel, 'hello');
    for (const text of ['a table', 'a quote', 'a list', 'some links']) await ask(panel, text);
    expect(getComputedStyle(first).contentVisibility).toBe('auto');
    expect(getComputedStyle(first).containIntrinsicHeight).toMatch(/^auto \d+px$/);
    // The latest messages are always laid out: their size is right the moment they are added.
    const latest = $$(panel, '.message').slice(-3);
    for (const message of latest) expect(getComputedStyle(message).contentVisibility).toBe('visible');
  });
});

describe('the parts of a reply', () => {
  it('a code block is a frame with a header bar: the language muted at 12px on the left, Copy on the right', async () => {
    const chat = await mountChat({ open: true });
    const panel = await panelOf(chat);
    const reply = await ask(panel, 'write some code');
    const block = reply.querySelector('.code')!;
    const header = block.querySelector('.code-header')!;
    const lang = block.querySelector<HTMLElement>('.code-lang')!;
    const copy = block.querySelector<HTMLElement>('.code-header button.copy')!;
    expect(lang.textContent).toBe('html');
    expect(getComputedStyle(lang).fontSize).toBe('12px');
    expect(getComputedStyle(lang).color, 'muted').not.toBe(getComputedStyle(reply.querySelector('p')!).color);
    const frame = block.getBoundingClientRect();
    expect(lang.getBoundingClientRect().left - frame.left).toBeLessThanOrEqual(16);
    expect(frame.right - copy.getBoundingClientRect().right).toBeLessThanOrEqual(8);
    expect(header.getBoundingClientRect().bottom).toBeLessThanOrEqual(
      block.querySelector('pre')!.getBoundingClientRect().top + 0.5,
    );
    expect(getComputedStyle(block).borderTopWidth).toBe('1px');
  });

  it("tables: shaded semibold header row, 6px 10px cells, the markdown's alignment kept", async () => {
    const chat = await mountChat({ open: true });
    const panel = await panelOf(chat);
    const reply = await ask(panel, 'show me a table');
    const th = reply.querySelector('th')!;
    const td = reply.querySelector('td')!;
    expect(getComputedStyle(th).fontWeight).toBe('600');
    expect(backdrop(th)).not.toBe(backdrop(td));
    expect(getComputedStyle(td).padding).toBe('6px 10px');
    const right = reply.querySelector('td[align="right"]')!;
    const center = reply.querySelector('td[align="center"]')!;
    // The browser applies a cell's align attribute itself (as -webkit-right, -webkit-center).
    expect(getComputedStyle(right).textAlign).toMatch(/right$/);
    expect(getComputedStyle(center).textAlign).toMatch(/center$/);
  });

  it('actions: 32px icon buttons, always on the latest reply, on hover or focus on older ones', async () => {
    const chat = await mountChat({ open: true });
    const panel = await panelOf(chat);
    const older = await ask(panel, 'hello');
    const latest = await ask(panel, 'hello again');
    const buttons = [...latest.querySelectorAll<HTMLElement>('.actions button.action')];
    expect(buttons.length).toBeGreaterThanOrEqual(3);
    for (const button of buttons) {
      const box = button.getBoundingClientRect();
      expect([box.width, box.height]).toEqual([32, 32]);
      expect(button.getAttribute('aria-label')).toBeTruthy();
    }
    const opacity = (message: HTMLElement) => getComputedStyle(message.querySelector('.actions')!).opacity;
    await userEvent.hover(composer(panel));
    expect(opacity(latest)).toBe('1');
    // Not pointed at: quiet (the transition may still run, so wait for it).
    await expect.poll(() => opacity(older)).toBe('0');
    await userEvent.hover(older);
    await expect.poll(() => opacity(older)).toBe('1');
    await userEvent.hover(composer(panel));
    older.querySelector<HTMLElement>('.actions button')!.focus();
    await expect.poll(() => opacity(older)).toBe('1');
  });
});

describe('waiting for the first token', () => {
  it("the typing indicator stands where the reply's first line comes: nothing moves when it arrives", async () => {
    const chat = await mountChat({ open: true });
    const panel = await panelOf(chat);
    await userEvent.click(composer(panel));
    await typeText('[[fault:slow-first-byte:1500]] a quote please');
    await userEvent.keyboard('{Enter}');
    await expect.poll(() => $(panel, '.typing')).not.toBeNull();
    const typing = $(panel, '.typing')!.getBoundingClientRect();
    await idle(panel, 15_000);
    const line = $$(panel, '.message.assistant').at(-1)!.querySelector('p')!.getClientRects()[0]!;
    expect(Math.abs(line.top - typing.top)).toBeLessThanOrEqual(1);
    expect(Math.abs(line.height - typing.height)).toBeLessThanOrEqual(1);
  });
});

describe('a right-to-left page', () => {
  it('the direction reaches in (only it and the language do) and the layout mirrors', async () => {
    const box = document.createElement('div');
    box.dir = 'rtl';
    box.style.cssText = 'height: 600px; letter-spacing: 3px';
    document.body.append(box);
    const chat = await mountChat({ mode: 'inline' }, box);
    const panel = await panelOf(chat);
    const reply = await ask(panel, 'quote');
    const list = $(panel, '[part="messages"]')!.getBoundingClientRect();
    const user = $(panel, '.message.user')!.getBoundingClientRect();
    expect(Math.round(user.left - list.left)).toBe(16);
    const quote = getComputedStyle(reply.querySelector('blockquote')!);
    expect(quote.direction).toBe('rtl');
    expect([quote.borderRightWidth, quote.borderLeftWidth]).toEqual(['3px', '0px']);
    expect(quote.letterSpacing).toBe('normal');
  });
});

describe.each(['light', 'dark'])('%s theme', (theme) => {
  it('every text on screen keeps 4.5:1 against what is behind it', async () => {
    const chat = await mountChat({ open: true, theme, 'status-text': 'Replies in a minute' });
    const panel = await panelOf(chat);
    await ask(panel, 'markdown tour');
    await ask(panel, 'show me a table');
    await fake.fault('http-500');
    await ask(panel, 'and shipping?');
    const texts = $$(
      panel,
      [
        '#title',
        '.status-line',
        '.md p',
        '.md a',
        '.md li',
        '.md th',
        '.md td',
        '.md blockquote',
        '.code-lang',
        '.code .copy',
        'pre code',
        '.md :not(pre) > code',
        '.message.user',
        '.not-sent-note',
        '.error-text',
        '.error-action',
        '.chip',
        'textarea',
        '.action',
      ].join(', '),
    ).filter((element) => element.getClientRects().length);
    expect(texts.length).toBeGreaterThan(20);
    const failing = texts
      .map((element) => {
        const ratio = contrast(getComputedStyle(element).color, backdrop(element));
        return { what: `${element.localName}.${element.className}`, ratio: Math.round(ratio * 100) / 100 };
      })
      .filter(({ ratio }) => ratio < 4.5);
    expect(failing).toEqual([]);
  });
});
