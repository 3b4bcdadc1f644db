// Issue 12 §2, in the element: a token costs the same however long the conversation is, a
// stream of any size arrives whole and in order (its long tasks: element-stream-long-tasks.test.ts),
// and a long saved conversation paints about as soon as a short one. No wall-clock limits: ratios within one run, and counts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { page } from 'vitest/browser';
import type { AssistantEntry, Entry } from '../../src/core/transcript.js';
import { whenRendered } from '../../src/element/reply-view.js';
import { fake } from '../support/fake-control.js';
import { $, $$, idle, mountChat, panelOf } from '../support/widget.js';
import { burstFetch } from '../support/burst-fetch.js';

beforeEach(async () => {
  await page.viewport(1280, 800);
  await fake.reset();
});
afterEach(() => {
  document.body.replaceChildren();
  localStorage.clear();
});

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** A saved conversation of `count` messages, alternating question and markdown answer. */
function transcript(count: number): Entry[] {
  return Array.from({ length: count }, (_, index): Entry =>
    index % 2
      ? {
          id: `a${index}`,
          role: 'assistant',
          status: 'done',
          content: `Answer **${index}**, with a [link](https://example.com/${index}) and a list:\n\n- one\n- two`,
        }
      : { id: `u${index}`, role: 'user', content: `Question ${index}?` },
  );
}

function seed(count: number): string {
  const key = `perf-${count}-${Math.random().toString(36).slice(2)}`;
  localStorage.setItem(`${key}:transcript`, JSON.stringify(transcript(count)));
  return key;
}

const frame = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)));

/** A reply of about `size` characters: headings, paragraphs, lists and code, like an agent's. */
function longReply(size: number): string {
  const parts: string[] = [];
  for (let index = 0; parts.join('').length < size; index++) {
    parts.push(
      `## Part ${index}\n\nThis is paragraph ${index} of the reply, written *word by word* with a ` +
        `[link](https://example.com/${index}).\nIt goes on for a second line.\n\n- item ${index}a\n- item ${index}b\n\n` +
        (index % 5 === 0 ? '```js\nconst x = ' + index + ';\n```\n\n' : ''),
    );
  }
  return parts.join('');
}

describe('slow paths', () => {
  it('a streamed token costs the same with 1,000 messages on screen as with 10', async () => {
    async function costPerToken(count: number): Promise<number> {
      const chat = await mountChat({ open: true, 'storage-key': seed(count) });
      const panel = await panelOf(chat);
      $(panel, '.earlier')?.click();
      await panel.updateComplete;
      expect($$(panel, '.message').length).toBe(count);
      const conversation = panel.conversation!;
      // The reply being written, as the conversation holds it, and the deltas it announces.
      const entry: AssistantEntry = { id: `live-${count}`, role: 'assistant', content: '', status: 'streaming' };
      conversation.entries = [...conversation.entries, entry];
      conversation.dispatchEvent(new Event('change'));
      await panel.updateComplete;
      const times: number[] = [];
      for (let round = 0; round < 3; round++) {
        const start = performance.now();
        for (let token = 0; token < 20_000; token++) {
          // Short paragraphs: what is measured here is finding the view, not the renderer.
          const text = token % 8 === 7 ? 'word\n\n' : 'word ';
          entry.content += text;
          conversation.dispatchEvent(new CustomEvent('delta', { detail: { entry, text } }));
        }
        times.push(performance.now() - start);
        await whenRendered();
      }
      chat.remove();
      return median(times) / 20_000;
    }
    const small = [];
    const large = [];
    // Three runs of each, so that one run slowed by the machine (a collection, another process)
    // is not the median: with two, the median was their mean, and one slow run failed the suite.
    for (let run = 0; run < 3; run++) {
      small.push(await costPerToken(10));
      large.push(await costPerToken(1000));
    }
    // Looking every view up per token (the old way) made this 10-100 times more.
    expect(median(large) / median(small)).toBeLessThan(3);
  }, 60_000);

  it(
    '20,000 events, one to a hundred per read: the text on screen in order and complete',
    { timeout: 120_000 },
    async () => {
      const text = longReply(80_000);
      const chat = await mountChat({ open: true });
      chat.fetch = burstFetch(text, 4, [1, 10, 100]);
      const panel = await panelOf(chat);
      expect(await chat.send('write me something long')).toBe(true);
      await idle(panel, 120_000);
      await frame();
      const reply = panel.conversation!.entries.at(-1)!;
      expect(reply.content).toBe(text);
      expect(text.length / 4).toBeGreaterThan(20_000);
      // All of it on screen, in order: the rendered text equals that of the same reply rendered whole.
      const rendered = $(panel, '.message.assistant pathors-reply')!;
      const whole = document.createElement('div');
      const { renderMarkdown } = await import('../../src/render/index.js');
      renderMarkdown(text, whole, { copyLabel: 'Copy', copiedLabel: 'Copied' });
      expect(rendered.textContent).toBe(whole.textContent);
      // Long tasks are the business of element-stream-long-tasks.test.ts, which times the reply
      // view's own frames against a control running beside them: a count of long tasks here swung
      // with the machine's load (26 on a loaded run, none on a quiet one) and proved nothing more.
    },
  );

  it('1,000 saved messages reach the first paint in well under the time it took to render them all', async () => {
    async function firstPaint(count: number): Promise<number> {
      const key = seed(count);
      const start = performance.now();
      const chat = await mountChat({ open: true, 'storage-key': key });
      const panel = await panelOf(chat);
      await frame();
      const time = performance.now() - start;
      // Every message shown is in the DOM, where find-in-page and screen readers reach it.
      expect($$(panel, '.message').length).toBeLessThanOrEqual(count);
      chat.remove();
      return time;
    }
    // Warm up: the panel's module loads once.
    await firstPaint(10);
    const small: number[] = [];
    const large: number[] = [];
    for (let run = 0; run < 5; run++) {
      small.push(await firstPaint(10));
      large.push(await firstPaint(1000));
    }
    // The target is 2x (npm run bench measures it: row 5). Rendering every saved message, as
    // before, took 4.3x; on a busy machine an honest run reaches 2.1x, so the test's bound is 3.
    expect(median(large) / median(small)).toBeLessThan(3);
  }, 60_000);

  it('a long saved conversation shows its latest messages, and the rest on request', async () => {
    const chat = await mountChat({ open: true, 'storage-key': seed(1000) });
    const panel = await panelOf(chat);
    const shown = $$(panel, '.message');
    expect(shown.length).toBeLessThan(100);
    expect(shown.at(-1)!.textContent).toContain('Answer 999');
    const earlier = $(panel, '.earlier')!;
    expect(earlier.textContent).toContain(`${1000 - shown.length} earlier messages`);
    earlier.click();
    await panel.updateComplete;
    expect($$(panel, '.message').length).toBe(1000);
    expect($$(panel, '.message')[0]!.textContent).toContain('Question 0?');
    expect($(panel, '.earlier')).toBeNull();
  });
});
