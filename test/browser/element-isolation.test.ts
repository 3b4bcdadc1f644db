// Issue 10 §1: every message renders in isolation. A reply the renderer cannot handle shows as
// plain text; the rest of the panel, the composer and "New conversation" keep working, and a
// corrupt or hostile saved transcript never leaves the panel empty.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { page, userEvent } from 'vitest/browser';
import { MarkdownStream } from '../../src/render/index.js';
import { fake } from '../support/fake-control.js';
import { $, $$, bubbles, composer, idle, mountChat, panelOf, typeText } from '../support/widget.js';

const POISON = 'this reply breaks the renderer';

beforeEach(async () => {
  await page.viewport(1280, 800);
  await fake.reset();
  // A renderer bug (or a hostile reply past its limits): any text holding POISON throws.
  const push = MarkdownStream.prototype.push;
  vi.spyOn(MarkdownStream.prototype, 'push').mockImplementation(function (this: MarkdownStream, chunk: string) {
    push.call(this, chunk);
    if (this.text.includes(POISON)) throw new RangeError('Maximum call stack size exceeded');
  });
  vi.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(() => {
  vi.restoreAllMocks();
  document.body.replaceChildren();
});

describe('one message cannot break the panel', () => {
  it('a saved transcript with a reply that throws and garbage entries: the rest renders, the composer works', async () => {
    const key = `hostile-${Date.now()}`;
    localStorage.setItem(
      `${key}:transcript`,
      JSON.stringify([
        { id: 'u1', role: 'user', content: 'first question' },
        { id: 'a1', role: 'assistant', content: `**Bold** start, then ${POISON}\n\n- and a list`, status: 'done' },
        null,
        42,
        'text',
        { role: 'assistant' },
        { id: 7, role: 'user', content: {} },
        { id: 'x', role: 'system', content: 'hi' },
        { id: 'u2', role: 'user', content: 'second question' },
        { id: 'a2', role: 'assistant', content: 'A *fine* answer.', status: 'done' },
      ]),
    );
    const chat = await mountChat({ open: true, 'storage-key': key });
    const panel = await panelOf(chat);
    expect(bubbles(panel, 'user')).toEqual(['first question', 'second question']);
    const [broken, fine] = $$(panel, '.message.assistant pathors-reply');
    // The broken one as plain text, the markdown as written; the next one rendered.
    expect(broken!.textContent).toBe(`**Bold** start, then ${POISON}\n\n- and a list`);
    expect(broken!.querySelector('strong')).toBeNull();
    expect(fine!.querySelector('em')!.textContent).toBe('fine');
    // The composer still sends, and the reply renders.
    await userEvent.click(composer(panel));
    await typeText('are you still there?');
    await userEvent.keyboard('{Enter}');
    await idle(panel);
    expect(bubbles(panel, 'user').at(-1)).toBe('are you still there?');
    expect($$(panel, '.message.assistant pathors-reply').at(-1)!.querySelector('blockquote')).not.toBeNull();
    // And "New conversation" clears it.
    await userEvent.click($(panel, '.new-chat')!);
    await panel.updateComplete;
    expect(bubbles(panel)).toEqual([]);
  });

  it('a reply that throws while streaming shows as plain text, and the next one renders', async () => {
    const chat = await mountChat({ open: true });
    const panel = await panelOf(chat);
    chat.fetch = undefined;
    // The fake echoes the visitor's words in its reply.
    await chat.send(`please say: ${POISON}`);
    await idle(panel);
    const [first] = $$(panel, '.message.assistant pathors-reply');
    expect(first!.textContent).toContain(POISON);
    expect(first!.dataset.plain).toBe('');
    await chat.send('and now a table');
    await idle(panel);
    const second = $$(panel, '.message.assistant pathors-reply').at(-1)!;
    expect(second.querySelector('table')).not.toBeNull();
    expect(composer(panel).disabled).toBe(false);
  });
});
