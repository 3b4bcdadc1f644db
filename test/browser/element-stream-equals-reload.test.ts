// Issue 9 §2: what streams is what stays. A reply's DOM once it finished streaming into
// <pathors-chat> equals its DOM after a reload, for every CommonMark example and for long
// replies, whether the turn finished, was stopped or was cut off.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { page } from 'vitest/browser';
import specText from 'commonmark-spec/spec.txt?raw';
import type { PathorsChat } from '../../src/index.js';
import type { PathorsChatPanel } from '../../src/element/chat-panel.js';
import { fake } from '../support/fake-control.js';
import { $, $$, idle, mountChat, panelOf } from '../support/widget.js';

beforeEach(async () => {
  await page.viewport(1280, 800);
  await fake.reset();
});
afterEach(() => document.body.replaceChildren());

/** The spec's examples (the extraction of commonmark-spec's index.js, which needs node:fs). */
function examples(spec: string): string[] {
  const out: string[] = [];
  const body = spec.replace(/\r\n?/g, '\n').replace(/^<!-- END TESTS -->(.|[\n])*/m, '');
  body.replace(/^`{32} example\n([\s\S]*?)^\.\n[\s\S]*?^`{32}$/gm, (_, md: string) => {
    out.push(md.replace(/→/g, '\t'));
    return '';
  });
  return out;
}

/** A seeded split into pieces of 1 to 7 characters, as tokens arrive. */
function pieces(text: string, seed: number): string[] {
  const out: string[] = [];
  let state = seed;
  for (let at = 0; at < text.length;) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const size = 1 + (state % 7);
    out.push(text.slice(at, at + size));
    at += size;
  }
  return out;
}

/**
 * A `fetch` for the element that answers each chat turn with the next reply, streamed as
 * chat-completion chunks, one server write per chunk, by the scripted loopback server.
 */
function scriptedFetch(replies: string[]): typeof fetch {
  let turn = 0;
  return (input, init) => {
    const reply = replies[turn++] ?? 'no more replies';
    const events = pieces(reply, turn).map(
      (piece) => `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: piece } }] })}\n\n`,
    );
    events.push('data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n', 'data: [DONE]\n\n');
    const url = `${inject('scriptedUrl')}/reply?type=text/event-stream&chunks=${encodeURIComponent(JSON.stringify(events))}`;
    void input;
    return fetch(url, init);
  };
}

/**
 * Each reply's rendered DOM, in order, once the highlighter (a lazy chunk, run when a code block
 * is complete) has coloured every block it was handed.
 */
async function replies(panel: PathorsChatPanel): Promise<string[]> {
  await import('../../src/render/highlight/index.js');
  await new Promise((done) => setTimeout(done, 0));
  return $$(panel, '.message.assistant:not(.welcome) pathors-reply').map((reply) => reply.innerHTML);
}

/** Mounts a second element on a copy of `chat`'s saved conversation: what a reload shows. */
async function reload(chat: PathorsChat): Promise<PathorsChatPanel> {
  const key = `${chat.storageKey}-reloaded`;
  for (const item of ['transcript', 'session']) {
    const value = localStorage.getItem(`${chat.storageKey}:${item}`);
    if (value !== null) localStorage.setItem(`${key}:${item}`, value);
  }
  const again = await mountChat({ open: true, 'storage-key': key });
  const panel = await panelOf(again);
  // A long conversation shows its latest messages first: ask for the rest.
  const earlier = $(panel, '.earlier');
  if (earlier) {
    earlier.click();
    await panel.updateComplete;
  }
  return panel;
}

describe('a finished reply equals the same reply after a reload', () => {
  const all = examples(specText).filter((markdown) => markdown.trim());
  const GROUP = 60;
  // Each turn waits on a few frames, not on work: six conversations side by side, each with its
  // own element and storage, take the time of one.
  const LANES = 6;

  /** Streams `replies` into a conversation of their own, one turn each, then reloads it: both DOMs. */
  async function streamAndReload(markdowns: string[], firstNumber: number): Promise<[string[], string[]]> {
    const chat = await mountChat({ open: true });
    chat.fetch = scriptedFetch(markdowns);
    const panel = await panelOf(chat);
    for (const [index] of markdowns.entries()) {
      expect(await chat.send(`example ${firstNumber + index}`)).toBe(true);
      await idle(panel);
    }
    return [await replies(panel), await replies(await reload(chat))];
  }

  for (let start = 0; start < all.length; start += GROUP) {
    const group = all.slice(start, start + GROUP);
    it(`CommonMark examples ${start + 1}-${start + group.length}, streamed in 1-7 character tokens`, async () => {
      const size = Math.ceil(group.length / LANES);
      const lanes = await Promise.all(
        Array.from({ length: LANES }, (_, lane) =>
          streamAndReload(group.slice(lane * size, (lane + 1) * size), start + lane * size + 1),
        ),
      );
      const live = lanes.flatMap(([streamed]) => streamed);
      const reloaded = lanes.flatMap(([, again]) => again);
      expect(live).toHaveLength(group.length);
      for (const [index, html] of live.entries()) {
        expect(html, `example ${start + index + 1}:\n${group[index]}`).toBe(reloaded[index]);
      }
    }, 120_000);
  }

  it('a reference link defined after its use is a link as soon as the reply finishes', async () => {
    const chat = await mountChat({ open: true });
    chat.fetch = scriptedFetch(['See [docs] for more.\n\n[docs]: https://example.com/docs']);
    const panel = await panelOf(chat);
    await chat.send('where are the docs?');
    await idle(panel);
    const link = $(panel, '.message.assistant pathors-reply a');
    expect(link?.getAttribute('href')).toBe('https://example.com/docs');
    expect(link?.textContent).toBe('docs');
  });

  it('long replies from the fake upstream, through the proxy', async () => {
    const chat = await mountChat({ open: true });
    const panel = await panelOf(chat);
    for (const ask of ['the markdown tour', 'show me a table', 'some code please', 'a long story', 'list the steps']) {
      await chat.send(ask);
      await idle(panel);
    }
    const live = await replies(panel);
    expect(live).toHaveLength(5);
    expect(live.join('')).toContain('<table');
    expect(await replies(await reload(chat))).toEqual(live);
  });

  it('a stopped reply and a cut-off reply', async () => {
    const chat = await mountChat({ open: true });
    const panel = await panelOf(chat);
    // Stopped with a reference still undefined, then cut off by the upstream mid-stream.
    await chat.send('tell me a long story [[delay:30]]');
    await new Promise<void>((resolve) => {
      const check = () =>
        (panel.conversation?.entries.at(-1)?.content.length ?? 0) > 80 ? resolve() : setTimeout(check, 10);
      check();
    });
    chat.stop();
    await idle(panel);
    await chat.send('tell me about tents [[fault:drop-mid-stream]]');
    await idle(panel);
    const statuses = panel
      .conversation!.entries.filter((entry) => entry.role === 'assistant')
      .map((entry) => entry.role === 'assistant' && entry.status);
    expect(statuses[0]).toBe('stopped');
    const live = await replies(panel);
    expect(live.every((html) => html.length > 0)).toBe(true);
    expect(await replies(await reload(chat))).toEqual(live);
  });
});
