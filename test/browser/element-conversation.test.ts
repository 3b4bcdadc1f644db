import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { page, userEvent } from 'vitest/browser';
import type { PageTool } from '../../src/index.js';
import { fake, until } from '../support/fake-control.js';
import { $, $$, bubbles, composer, idle, panelOf, recordEvents, typeText, openChat } from '../support/widget.js';

beforeEach(async () => {
  await page.viewport(1280, 800);
  await fake.reset();
});
afterEach(() => document.body.replaceChildren());

async function type(panel: Awaited<ReturnType<typeof panelOf>>, text: string) {
  await userEvent.click(composer(panel));
  await typeText(text);
}

describe('sending and streaming', () => {
  it('shows the message, a typing indicator, then the reply as markdown; events in order', async () => {
    const { chat, panel } = await openChat();
    const events = recordEvents(chat, ['pathors-send', 'pathors-message', 'pathors-session', 'pathors-error']);
    await type(panel, 'show me a table [[fault:slow-first-byte:400]]');
    await userEvent.keyboard('{Enter}');
    expect(bubbles(panel, 'user')).toEqual(['show me a table [[fault:slow-first-byte:400]]']);
    expect(composer(panel).value).toBe('');
    await expect.poll(() => $(panel, '.typing')).not.toBeNull();
    expect($(panel, '.typing')!.getAttribute('aria-label')).toBe('The assistant is typing…');
    await idle(panel);
    expect($(panel, '.typing')).toBeNull();
    expect($$(panel, '.message.assistant .md table').length).toBe(1);
    expect(events.map((event) => event.type)).toEqual([
      'pathors-send',
      'pathors-message',
      'pathors-session',
      'pathors-message',
    ]);
    expect((events[1]!.detail as { message: { role: string } }).message.role).toBe('user');
    expect((events[3]!.detail as { message: { role: string; content: string } }).message).toMatchObject({
      role: 'assistant',
    });
  });

  it('Shift+Enter adds a line and Enter during an IME composition does not send', async () => {
    const { panel } = await openChat();
    await type(panel, 'line one');
    await userEvent.keyboard('{Shift>}{Enter}{/Shift}');
    await userEvent.keyboard('line two');
    expect(composer(panel).value).toBe('line one\nline two');
    composer(panel).dispatchEvent(
      new KeyboardEvent('keydown', { key: 'Enter', isComposing: true, bubbles: true, composed: true }),
    );
    await panel.updateComplete;
    expect(bubbles(panel, 'user')).toEqual([]);
    await userEvent.keyboard('{Enter}');
    await expect.poll(() => bubbles(panel, 'user')).toEqual(['line one\nline two']);
    await idle(panel);
  });

  it('keeps the text when the page cancels pathors-send', async () => {
    const { chat, panel } = await openChat();
    chat.addEventListener('pathors-send', (event) => event.preventDefault());
    await type(panel, 'not yet');
    await userEvent.keyboard('{Enter}');
    expect(composer(panel).value).toBe('not yet');
    expect(bubbles(panel)).toEqual([]);
    expect(await fake.chatRequests()).toHaveLength(0);
  });

  it('sends exactly one POST per message', async () => {
    const { panel } = await openChat();
    await type(panel, 'hello');
    await userEvent.keyboard('{Enter}');
    await userEvent.keyboard('{Enter}');
    await idle(panel);
    expect(await fake.chatRequests()).toHaveLength(1);
  });

  it('stop keeps the partial reply, marked as stopped', async () => {
    const { panel } = await openChat();
    // A slow stream: wait for the first words, then press stop.
    await type(panel, 'tell me a story [[delay:60]]');
    await userEvent.keyboard('{Enter}');
    await until(() => (bubbles(panel, 'assistant')[0] ?? '').length > 0, 'the first words');
    const send = $(panel, '[part="send-button"]')!;
    expect(send.getAttribute('aria-label')).toBe('Stop');
    await userEvent.click(send);
    await idle(panel);
    const reply = panel.conversation!.entries.at(-1)!;
    expect(reply).toMatchObject({ role: 'assistant', status: 'stopped' });
    expect(bubbles(panel, 'assistant')[0]).toContain('Stopped');
  });

  it('stop works before the first byte', async () => {
    const { panel } = await openChat();
    await type(panel, 'hi [[fault:slow-first-byte:3000]]');
    await userEvent.keyboard('{Enter}');
    await expect.poll(() => $(panel, '.typing')).not.toBeNull();
    await userEvent.click($(panel, '[part="send-button"]')!);
    await idle(panel);
    expect($(panel, '.typing')).toBeNull();
    expect(bubbles(panel, 'user')).toHaveLength(1);
    expect(panel.conversation!.status).toBe('idle');
  });
});

describe('errors and retry', () => {
  it('shows the specific message and a retry that does not duplicate the message', async () => {
    const { chat, panel } = await openChat();
    const errors = recordEvents(chat, ['pathors-error']);
    await fake.fault('http-500');
    await type(panel, 'What are your opening hours?');
    await userEvent.keyboard('{Enter}');
    await idle(panel);
    const alert = $(panel, '[role="alert"]')!;
    expect(alert.innerText).toContain('The chat service had a problem (502)');
    expect(errors[0]!.detail).toMatchObject({ code: 'http', status: 502 });
    await userEvent.click($(panel, '.retry')!);
    await idle(panel);
    expect($(panel, '[role="alert"]')).toBeNull();
    expect(bubbles(panel, 'user')).toEqual(['What are your opening hours?']);
    expect(bubbles(panel, 'assistant')).toHaveLength(1);
    const requests = await fake.chatRequests();
    expect(requests).toHaveLength(2);
    expect(JSON.stringify(requests[1]!.body)).toContain('What are your opening hours?');
  });

  it('keeps the partial reply of a dropped stream, marked as cut off', async () => {
    const { panel } = await openChat();
    // The chunks before the break come 20 ms apart: on a busy machine a page that had not read
    // them yet when the connection broke loses them with it (an errored stream drops its queue),
    // and there is then no partial reply to keep.
    await type(panel, 'tell me about tents [[delay:20]] [[fault:drop-mid-stream]]');
    await userEvent.keyboard('{Enter}');
    await idle(panel);
    expect($(panel, '[role="alert"]')!.innerText).toContain('The connection dropped before the reply was finished.');
    expect((bubbles(panel, 'assistant')[0] ?? '').length).toBeGreaterThan(0);
  });

  it('tells the visitor how long to wait when rate limited', async () => {
    const { panel } = await openChat();
    await type(panel, 'hi [[fault:http-429]]');
    await userEvent.keyboard('{Enter}');
    await idle(panel);
    expect($(panel, '[role="alert"]')!.innerText).toMatch(/wait \d+ seconds/);
  });

  it('reports a dead network without losing the message', async () => {
    const { panel } = await openChat({ 'proxy-url': 'http://127.0.0.1:9' });
    await type(panel, 'anyone there?');
    await userEvent.keyboard('{Enter}');
    await idle(panel);
    expect($(panel, '[role="alert"]')!.innerText).toContain('cannot be reached');
    expect(bubbles(panel, 'user')).toEqual(['anyone there?']);
  });

  it('treats an empty reply as an error, not a blank bubble', async () => {
    const { panel } = await openChat();
    await type(panel, 'hi [[fault:empty-reply]]');
    await userEvent.keyboard('{Enter}');
    await idle(panel);
    expect($(panel, '[role="alert"]')!.innerText).toContain('empty reply');
    expect(bubbles(panel, 'assistant')).toEqual([]);
  });
});

describe('composer limits', () => {
  it('shows a counter near the limit and refuses to send over it, keeping the text', async () => {
    const { panel } = await openChat({ 'max-length': '20' });
    await type(panel, 'a'.repeat(17));
    expect($(panel, '.counter')!.hidden).toBeFalsy();
    expect($(panel, '.counter')!.textContent).toContain('17 of 20');
    await userEvent.keyboard('b'.repeat(8));
    expect(($(panel, '[part="send-button"]') as HTMLButtonElement).disabled).toBe(true);
    await userEvent.keyboard('{Enter}');
    expect(composer(panel).value).toHaveLength(25);
    expect(bubbles(panel)).toEqual([]);
  });

  it('grows with its text up to a limit', async () => {
    const { panel } = await openChat();
    const before = composer(panel).getBoundingClientRect().height;
    await type(panel, 'one');
    for (let line = 0; line < 3; line++) await userEvent.keyboard('{Shift>}{Enter}{/Shift}more');
    const grown = composer(panel).getBoundingClientRect().height;
    expect(grown).toBeGreaterThan(before);
    for (let line = 0; line < 20; line++) await userEvent.keyboard('{Shift>}{Enter}{/Shift}more');
    expect(composer(panel).getBoundingClientRect().height).toBeLessThanOrEqual(161);
  });
});

describe('copy', () => {
  it('copies a reply', async () => {
    const copied: string[] = [];
    Object.defineProperty(navigator, 'clipboard', {
      configurable: true,
      value: {
        writeText: async (text: string) => {
          copied.push(text);
        },
      },
    });
    const { chat, panel } = await openChat();
    await type(panel, 'hello');
    await userEvent.keyboard('{Enter}');
    await idle(panel);
    await userEvent.click($(panel, '.message.assistant .actions .copy')!);
    expect(copied).toEqual([panel.conversation!.entries.at(-1)!.content]);
    await expect.poll(() => $(panel, '.message.assistant .actions .copy')!.getAttribute('aria-label')).toBe('Copied');
    // Out of the page for a moment while it said so (a keep-alive cache, a portal): the label goes
    // back, as it would have after a moment, and the reply's view is the one it was.
    const view = $(panel, 'pathors-reply');
    chat.remove();
    await new Promise((resolve) => setTimeout(resolve, 50));
    document.body.append(chat);
    expect($(panel, 'pathors-reply')).toBe(view);
    await expect
      .poll(() => $(panel, '.message.assistant .actions .copy')!.getAttribute('aria-label'), { timeout: 3000 })
      .toBe('Copy message');
  });
});

describe('out of the page for a moment', () => {
  it('a chat taken out as its reply lands comes back with the same reply on screen', async () => {
    const { chat, panel } = await openChat();
    let view: HTMLElement | undefined;
    chat.addEventListener('pathors-message', (event) => {
      if ((event as CustomEvent<{ message: { role: string } }>).detail.message.role !== 'assistant') return;
      // A page that moves the chat as the reply lands (a keep-alive cache, a portal).
      view = $$(panel, 'pathors-reply').at(-1);
      chat.remove();
    });
    await chat.send('hello');
    await until(() => !chat.isConnected, 'the page to take the chat out');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect($$(panel, 'pathors-reply').at(-1)).toBe(view);
    document.body.append(chat);
    await panel.updateComplete;
    expect(view).toBeDefined();
    expect($$(panel, 'pathors-reply').at(-1)).toBe(view);
    expect(bubbles(panel, 'assistant')).toHaveLength(1);
  });
});

describe('the page tools', () => {
  function weatherTool(calls: unknown[], delayMs = 0): PageTool {
    return {
      name: 'get_weather',
      description: 'Current weather in a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      handler: async (args) => {
        calls.push(args);
        if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
        return { city: args.city, forecast: 'sunny-and-21C' };
      },
    };
  }

  it('runs the handler the agent calls, sends the result back and continues the reply', async () => {
    const { chat, panel } = await openChat();
    const calls: unknown[] = [];
    chat.tools = [weatherTool(calls, 300)];
    const toolEvents = recordEvents(chat, ['pathors-tool-call']);
    await type(panel, 'Please use get_weather');
    await userEvent.keyboard('{Enter}');
    await expect.poll(() => $(panel, '.chip.running')?.textContent).toContain('Running get_weather');
    await idle(panel);
    expect(calls).toHaveLength(1);
    expect(toolEvents[0]!.detail).toMatchObject({ name: 'get_weather' });
    expect(bubbles(panel, 'assistant').join('\n')).toContain('sunny-and-21C');
    expect($(panel, '.chip')!.textContent).toContain('Used get_weather');
    const requests = await fake.chatRequests();
    expect(requests).toHaveLength(2);
    expect(JSON.stringify(requests[1]!.body)).toContain('sunny-and-21C');
  });

  it('lets the page decline a call with preventDefault, and the agent hears it', async () => {
    const { chat, panel } = await openChat();
    const calls: unknown[] = [];
    chat.tools = [weatherTool(calls)];
    chat.addEventListener('pathors-tool-call', (event) => event.preventDefault());
    await type(panel, 'Please use get_weather');
    await userEvent.keyboard('{Enter}');
    await idle(panel);
    expect(calls).toHaveLength(0);
    const requests = await fake.chatRequests();
    expect(JSON.stringify(requests[1]!.body)).toContain('declined');
  });

  it('lets the page ask first with waitUntil', async () => {
    const { chat, panel } = await openChat();
    const calls: unknown[] = [];
    chat.tools = [weatherTool(calls)];
    let approve: (value: boolean) => void = () => {};
    chat.addEventListener('pathors-tool-call', (event) => {
      event.detail.waitUntil(
        new Promise((resolve) => {
          approve = resolve;
        }),
      );
    });
    await type(panel, 'Please use get_weather');
    await userEvent.keyboard('{Enter}');
    await until(() => panel.conversation!.status === 'tools', 'the tool call');
    expect(calls).toHaveLength(0);
    approve(true);
    await idle(panel);
    expect(calls).toHaveLength(1);
  });
});

describe('stopping during tools', () => {
  const slowTool = (calls: string[], run: () => Promise<unknown>): PageTool => ({
    name: 'get_weather',
    parameters: { type: 'object', properties: { city: { type: 'string' } } },
    handler: async () => {
      calls.push('ran');
      return run();
    },
  });

  it('a tool the page is still asking about never runs once the visitor stops', async () => {
    const { chat, panel } = await openChat();
    const calls: string[] = [];
    chat.tools = [slowTool(calls, async () => 'sunny')];
    let approve: (value: boolean) => void = () => {};
    let signal: AbortSignal | undefined;
    chat.addEventListener('pathors-tool-call', (event) => {
      signal = event.detail.signal;
      event.detail.waitUntil(
        new Promise((resolve) => {
          approve = resolve;
        }),
      );
    });
    await type(panel, 'Please use get_weather');
    await userEvent.keyboard('{Enter}');
    await until(() => panel.conversation!.status === 'tools', 'the tool call');
    await userEvent.click($(panel, '[part="send-button"]')!);
    await idle(panel, 2000);
    expect(signal?.aborted).toBe(true);
    approve(true);
    // A whole next turn runs after the late approval: had it started the tool, the call shows by then.
    await type(panel, 'never mind');
    await userEvent.keyboard('{Enter}');
    await idle(panel);
    expect(calls).toEqual([]);
    expect(await fake.chatRequests()).toHaveLength(2);
  });

  it('stop ends a slow handler at once, and the next message answers the call it left open', async () => {
    const { chat, panel } = await openChat();
    const calls: string[] = [];
    chat.tools = [slowTool(calls, () => new Promise(() => {}))];
    await type(panel, 'Please use get_weather');
    await userEvent.keyboard('{Enter}');
    await until(() => calls.length === 1, 'the handler to start');
    await userEvent.click($(panel, '[part="send-button"]')!);
    await idle(panel, 2000);
    await type(panel, 'never mind');
    await userEvent.keyboard('{Enter}');
    await idle(panel);
    const requests = await fake.chatRequests();
    const messages = (requests[1]!.body as { messages: Array<{ role: string; tool_call_id?: string }> }).messages;
    expect(messages.map((message) => message.role)).toEqual(['tool', 'user']);
    expect(messages[0]!.tool_call_id).toBeTruthy();
  });

  it('at the round limit there is no retry to loop again; the next message answers the open call', async () => {
    const { chat, panel } = await openChat({ 'max-tool-rounds': '0' });
    chat.tools = [slowTool([], async () => 'sunny')];
    await type(panel, 'Please use get_weather');
    await userEvent.keyboard('{Enter}');
    await idle(panel);
    expect($(panel, '[role="alert"]')!.innerText).toContain('kept calling page tools');
    expect($(panel, '.retry')).toBeNull();
    await type(panel, 'thanks');
    await userEvent.keyboard('{Enter}');
    await idle(panel);
    const messages = ((await fake.chatRequests())[1]!.body as { messages: Array<{ role: string }> }).messages;
    expect(messages.map((message) => message.role)).toEqual(['tool', 'user']);
  });
});

describe('a reply cut short', () => {
  it('is marked as cut off, and a successful retry replaces it: one answer per question', async () => {
    const { panel } = await openChat();
    // 20 ms apart, as above: the partial reply is read before the break.
    await type(panel, 'tell me about tents [[delay:20]] [[fault:drop-mid-stream]]');
    await userEvent.keyboard('{Enter}');
    await idle(panel);
    expect($$(panel, '.message.assistant.cut')).toHaveLength(1);
    await userEvent.click($(panel, '.retry')!);
    await idle(panel);
    const replies = bubbles(panel, 'assistant');
    expect(replies).toHaveLength(1);
    expect(replies[0]).not.toContain('This reply was cut off.');
    expect($$(panel, '.message.assistant.cut')).toHaveLength(0);
  });

  it('is told to the page like any reply, with its status', async () => {
    const { chat, panel } = await openChat();
    const events = recordEvents(chat, ['pathors-message']);
    await type(panel, 'tell me a long story [[delay:40]]');
    await userEvent.keyboard('{Enter}');
    await until(() => (bubbles(panel, 'assistant')[0] ?? '').length > 0, 'the first words');
    await userEvent.click($(panel, '[part="send-button"]')!);
    await idle(panel);
    expect(
      events.map((event) => (event.detail as { message: { role: string; status?: string } }).message),
    ).toMatchObject([{ role: 'user' }, { role: 'assistant', status: 'stopped' }]);
  });
});
