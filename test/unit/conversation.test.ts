import { beforeEach, describe, expect, it } from 'vitest';
import type { ConversationEventMap } from '../../src/core/conversation.js';
import { ChatError } from '../../src/core/errors.js';
import type { PageTool } from '../../src/core/tools.js';
import type { ChatMessage } from '../../src/core/wire.js';
import { ManualClock, SharedStorage, openTab, tick, transcript, type Tab } from './conversation-harness.js';

let storage: SharedStorage;
let clock: ManualClock;
let tab: Tab;

beforeEach(() => {
  storage = new SharedStorage();
  clock = new ManualClock();
  tab = openTab(storage, clock, 'a');
});

/** The same tab, reloaded: the page that was there dies at once, and a new one reads storage. */
function reload(settings = {}): Tab {
  tab.kill();
  tab = openTab(storage, clock, 'a', settings);
  return tab;
}
const roles = (messages: ChatMessage[]) => messages.map((message) => `${message.role}:${message.content ?? ''}`);

describe('a turn', () => {
  it('sends, streams and finishes, saving the message before the request leaves', async () => {
    const { conversation, transport } = tab;
    const events: string[] = [];
    for (const type of ['delta', 'reply', 'session', 'error']) {
      conversation.addEventListener(type, () => events.push(type));
    }
    expect(conversation.send('  Hello  ')).toBe(true);
    expect(conversation.status).toBe('sending');
    expect(JSON.parse(storage.items.get('chat:transcript')!)).toMatchObject([{ role: 'user', content: 'Hello' }]);
    const call = await transport.call(0);
    expect(call.body.messages).toEqual([{ role: 'user', content: 'Hello' }]);
    call.session('s1').text('Hi ');
    expect(conversation.status).toBe('streaming');
    call.text('there', 'stop').end();
    await tick();
    expect(conversation.status).toBe('idle');
    expect(transcript(conversation)).toEqual(['user:Hello', 'assistant(done):Hi there']);
    expect(events).toEqual(['session', 'delta', 'delta', 'reply']);
    expect(storage.items.get('chat:session')).toBe('s1');
    expect(storage.items.get('chat:turn')).toBeUndefined();
  });

  it('refuses an empty message and a second message while one is in flight', async () => {
    const { conversation, transport } = tab;
    expect(conversation.send('   ')).toBe(false);
    expect(conversation.send('one')).toBe(true);
    expect(conversation.send('two')).toBe(false);
    await transport.call(0);
    expect(transport.calls).toHaveLength(1);
  });

  it('sends only the new turn once a session is known, and everything with history "full"', async () => {
    const { conversation, transport } = tab;
    conversation.send('first');
    (await transport.call(0)).session('s1').reply('One');
    await tick();
    conversation.send('second');
    expect(roles((await transport.call(1)).body.messages)).toEqual(['user:second']);
    (await transport.call(1)).reply('Two');
    await tick();
    conversation.settings = { ...conversation.settings, history: 'full' };
    conversation.send('third');
    expect(roles((await transport.call(2)).body.messages)).toEqual([
      'user:first',
      'assistant:One',
      'user:second',
      'assistant:Two',
      'user:third',
    ]);
  });

  it('says config when there is no proxy URL, and sends nothing', async () => {
    const { conversation, transport } = tab;
    conversation.settings = { ...conversation.settings, proxyUrl: '' };
    conversation.send('hi');
    await tick();
    expect(conversation.error?.code).toBe('config');
    expect(transport.calls).toHaveLength(0);
  });

  it('treats a reply with no words as empty', async () => {
    const { conversation, transport } = tab;
    conversation.send('hi');
    (await transport.call(0)).text('', 'stop').end();
    await tick();
    expect(conversation.error?.code).toBe('empty');
  });
});

describe('a chunk that cannot be read', () => {
  it.each([
    ['a choice with no delta', '{"choices":[{}]}'],
    ['not JSON', '{not json'],
    ['no choices', '{"id":"x"}'],
    ['content that is not text', '{"choices":[{"index":0,"delta":{"content":{"x":1}}}]}'],
    ['a tool call index out of range', '{"choices":[{"index":0,"delta":{"tool_calls":[{"index":1e9}]}}]}'],
  ])('%s ends the turn as malformed, keeping what came before', async (_, data) => {
    const { conversation, transport } = tab;
    conversation.send('hi');
    (await transport.call(0)).text('Half').data(data);
    await tick();
    expect(conversation.error?.code).toBe('malformed');
    expect(conversation.status).toBe('error');
    expect(transcript(conversation)).toEqual(['user:hi', 'assistant(interrupted):Half']);
  });

  it("an error body in the stream is the server's error", async () => {
    const { conversation, transport } = tab;
    conversation.send('hi');
    (await transport.call(0)).data('{"error":{"message":"overloaded"}}');
    await tick();
    expect(conversation.error).toMatchObject({ code: 'http', detail: 'overloaded' });
  });
});

describe('retry', () => {
  it('marks a message whose turn failed as not sent, also after a reload, and retry sends it once more', async () => {
    const { conversation, transport } = tab;
    conversation.send('hello');
    (await transport.call(0)).fail(new ChatError('http', 'HTTP 502', { status: 502 }));
    await tick();
    expect(transcript(conversation)).toEqual(['user(failed):hello']);
    expect(conversation.canRetry).toBe(true);

    const after = reload();
    expect(transcript(after.conversation)).toEqual(['user(failed):hello']);
    expect(after.conversation.status).toBe('idle');
    expect(after.conversation.canRetry).toBe(true);
    expect(after.conversation.retry()).toBe(true);
    const again = await after.transport.call(0);
    expect(roles(again.body.messages)).toEqual(['user:hello']);
    expect(transcript(after.conversation)).toEqual(['user:hello']);
    again.reply('Hi!');
    await tick();
    expect(transcript(after.conversation)).toEqual(['user:hello', 'assistant(done):Hi!']);
    expect(after.conversation.canRetry).toBe(false);
  });

  it('replaces the reply a dropped stream cut off: one answer per question', async () => {
    const { conversation, transport } = tab;
    conversation.send('tell me');
    (await transport.call(0)).session('s1').text('Once upon').drop();
    await tick();
    expect(conversation.error?.code).toBe('interrupted');
    expect(transcript(conversation)).toEqual(['user:tell me', 'assistant(interrupted):Once upon']);
    expect(conversation.retry()).toBe(true);
    const second = await transport.call(1);
    expect(roles(second.body.messages)).toEqual(['user:tell me']);
    // Until the new reply starts, the cut one stays in view.
    expect(transcript(conversation)).toHaveLength(2);
    second.reply('Once upon a time.');
    await tick();
    expect(transcript(conversation)).toEqual(['user:tell me', 'assistant(done):Once upon a time.']);
    expect(transcript(reload().conversation)).toEqual(['user:tell me', 'assistant(done):Once upon a time.']);
  });

  it('does not offer to repeat a request the proxy refused (400)', async () => {
    const { conversation, transport } = tab;
    conversation.send('x'.repeat(10));
    (await transport.call(0)).fail(new ChatError('http', 'HTTP 400', { status: 400, serverCode: 'invalid_request' }));
    await tick();
    expect(conversation.status).toBe('error');
    expect(conversation.canRetry).toBe(false);
    expect(conversation.retry()).toBe(false);
    expect(conversation.send('something else')).toBe(true);
  });

  it('starts a new session on retry when the proxy no longer accepts the old one', async () => {
    const { conversation, transport } = tab;
    conversation.send('one');
    (await transport.call(0)).session('old').reply('Yes');
    await tick();
    conversation.send('two');
    (await transport.call(1)).fail(new ChatError('http', 'HTTP 403', { status: 403, serverCode: 'invalid_session' }));
    await tick();
    expect(conversation.sessionId).toBeUndefined();
    conversation.retry();
    const third = await transport.call(2);
    expect(third.options.sessionId).toBeUndefined();
    expect(roles(third.body.messages)).toEqual(['user:one', 'assistant:Yes', 'user:two']);
  });
});

describe('regenerate', () => {
  it('asks the latest message again and replaces the latest reply, tool rounds included', async () => {
    const { conversation, transport } = tab;
    conversation.settings = { ...conversation.settings, history: 'full' };
    conversation.send('first');
    (await transport.call(0)).session('s1').reply('A');
    await tick();
    conversation.send('second');
    (await transport.call(1)).reply('B');
    await tick();
    expect(conversation.regenerate()).toBe(true);
    const again = await transport.call(2);
    // The old answer is not part of the question asked again.
    expect(roles(again.body.messages)).toEqual(['user:first', 'assistant:A', 'user:second']);
    again.reply('B, better');
    await tick();
    expect(transcript(conversation)).toEqual([
      'user:first',
      'assistant(done):A',
      'user:second',
      'assistant(done):B, better',
    ]);
  });

  it('keeps the old reply when the new one fails before it starts', async () => {
    const { conversation, transport } = tab;
    conversation.send('q');
    (await transport.call(0)).reply('Answer');
    await tick();
    conversation.regenerate();
    (await transport.call(1)).fail(new ChatError('network', 'unreachable'));
    await tick();
    expect(transcript(conversation)).toEqual(['user:q', 'assistant(done):Answer']);
    expect(conversation.canRetry).toBe(true);
  });

  it('is refused while busy or with nothing asked', async () => {
    expect(tab.conversation.regenerate()).toBe(false);
    tab.conversation.send('q');
    expect(tab.conversation.regenerate()).toBe(false);
  });
});

describe('tools', () => {
  const lookup = (handler: PageTool['handler']): PageTool => ({ name: 'lookup', handler });

  it('runs the calls and sends the results in the follow-up', async () => {
    const { conversation, transport } = tab;
    conversation.settings = { ...conversation.settings, tools: [lookup(() => ({ found: 3 }))] };
    conversation.send('find');
    (await transport.call(0))
      .session('s1')
      .tools([{ id: 'c1', name: 'lookup' }])
      .end();
    const follow = await transport.call(1);
    expect(follow.body.messages.map((message) => message.role)).toEqual(['assistant', 'tool']);
    expect(follow.body.messages[1]).toEqual({ role: 'tool', tool_call_id: 'c1', content: '{"found":3}' });
    follow.reply('3 found');
    await tick();
    expect(transcript(conversation)).toEqual([
      'user:find',
      'assistant(done):',
      'tool:lookup',
      'assistant(done):3 found',
    ]);
  });

  it('asks its listeners first (tool-call): one that cancels declines the call, waitUntil holds it', async () => {
    const { conversation, transport } = tab;
    let runs = 0;
    conversation.settings = { ...conversation.settings, tools: [lookup(() => ++runs)] };
    const asked: string[] = [];
    let answer: (run: boolean) => void = () => {};
    conversation.addEventListener('tool-call', (event) => {
      const { detail } = event as ConversationEventMap['tool-call'];
      asked.push(`${detail.name}:${detail.call.id}:${JSON.stringify(detail.arguments)}`);
      if (detail.call.id === 'c1') event.preventDefault();
      else detail.waitUntil(new Promise((resolve) => (answer = resolve)));
    });
    conversation.send('find');
    (await transport.call(0))
      .session('s1')
      .tools([{ id: 'c1', name: 'lookup', arguments: '{"q":1}' }])
      .end();
    const declined = await transport.call(1);
    expect(declined.body.messages[1]!.content).toContain('declined');
    declined.tools([{ id: 'c2', name: 'lookup' }]).end();
    for (let i = 0; i < 20 && asked.length < 2; i++) await tick(1);
    // Held until the page answers: nothing ran, nothing went out.
    expect(runs).toBe(0);
    expect(transport.calls).toHaveLength(2);
    answer(true);
    (await transport.call(2)).reply('done');
    await tick();
    expect(runs).toBe(1);
    expect(asked).toEqual(['lookup:c1:{"q":1}', 'lookup:c2:{}']);
  });

  /** Sends 'find', whose reply calls `lookup` (c1), a tool that never finishes: the turn is in its tools. */
  async function inTools(): Promise<void> {
    const { conversation, transport } = tab;
    conversation.settings = { ...conversation.settings, tools: [lookup(() => new Promise(() => {}))] };
    conversation.send('find');
    (await transport.call(0))
      .session('s1')
      .tools([{ id: 'c1', name: 'lookup' }])
      .end();
    for (let i = 0; i < 20 && conversation.status !== 'tools'; i++) await tick(1);
  }

  it('stops during tools at once, and answers the unrun calls with the next message', async () => {
    const { conversation, transport } = tab;
    await inTools();
    expect(conversation.status).toBe('tools');
    expect(conversation.activeTool).toBe('lookup');
    conversation.stop();
    await tick();
    expect(conversation.status).toBe('idle');
    expect(conversation.error).toBeUndefined();
    conversation.send('never mind');
    const next = await transport.call(1);
    expect(next.body.messages).toEqual([
      { role: 'tool', tool_call_id: 'c1', content: '{"error":"The tool was not run: the reply was stopped."}' },
      { role: 'user', content: 'never mind' },
    ]);
  });

  it('answers the unrun calls with the next message even when the one that carried them was never sent', async () => {
    const { conversation, transport } = tab;
    await inTools();
    conversation.stop();
    await tick();
    conversation.send('never mind');
    (await transport.call(1)).fail(new ChatError('network', 'unreachable'));
    await tick();
    expect(transcript(conversation)).toEqual([
      'user:find',
      'assistant(done):',
      'tool:lookup',
      'user(failed):never mind',
    ]);
    // The visitor writes something else instead of pressing Retry: the results still go first.
    conversation.send('something else');
    const next = await transport.call(2);
    expect(next.body.messages.map((message) => message.role)).toEqual(['tool', 'user']);
    expect(next.body.messages[0]).toMatchObject({ role: 'tool', tool_call_id: 'c1' });
  });

  it('stops the loop after maxToolRounds, with nothing to retry', async () => {
    const { conversation, transport } = tab;
    conversation.settings = { ...conversation.settings, maxToolRounds: 2, tools: [lookup(() => 'ok')] };
    conversation.send('loop');
    for (let round = 0; round <= 2; round++) {
      (await transport.call(round)).tools([{ id: `c${round}`, name: 'lookup' }]).end();
    }
    await tick();
    expect(transport.calls).toHaveLength(3);
    expect(conversation.error?.code).toBe('tool_limit');
    expect(conversation.canRetry).toBe(false);
    expect(conversation.send('next')).toBe(true);
  });

  it.each([
    ['a space', 'get weather'],
    ['a dot', 'weather.get'],
    ['an empty name', ''],
    ['too long', 'x'.repeat(65)],
  ])('a tool call with %s never wedges the conversation', async (_, name) => {
    const { conversation, transport } = tab;
    conversation.settings = { ...conversation.settings, tools: [lookup(() => 'ok')] };
    conversation.send('go');
    (await transport.call(0))
      .session('s1')
      .text('Let me check.')
      .tools([{ id: 'bad1', name }])
      .end();
    await tick();
    // Nothing was run, nothing follows up: the turn ended with a clear error and no retry.
    expect(transport.calls).toHaveLength(1);
    expect(conversation.status).toBe('error');
    expect(conversation.canRetry).toBe(false);
    expect(conversation.retry()).toBe(false);
    // The visitor can always write again; the call is answered, and never sent back.
    expect(conversation.send('hello?')).toBe(true);
    const next = await transport.call(1);
    expect(JSON.stringify(next.body)).not.toContain(`"name":"${name}"`);
    expect(next.body.messages.at(-1)).toEqual({ role: 'user', content: 'hello?' });
    next.reply('Hi');
    await tick();
    expect(conversation.status).toBe('idle');
    // Sending the whole transcript leaves the unanswerable call out too.
    conversation.settings = { ...conversation.settings, history: 'full' };
    conversation.send('again');
    const full = await transport.call(2);
    expect(JSON.stringify(full.body)).not.toContain('bad1');
  });
});

describe('reset and undo', () => {
  async function talk(): Promise<void> {
    tab.conversation.send('hello');
    (await tab.transport.call(0)).session('s1').reply('Hi');
    await tick();
  }

  it('clears at once, keeps the old state for undoMs, then ends the session', async () => {
    await talk();
    const { conversation, sessions } = tab;
    conversation.reset();
    expect(conversation.entries).toEqual([]);
    expect(conversation.sessionId).toBeUndefined();
    expect(storage.items.has('chat:transcript')).toBe(false);
    expect(conversation.canUndoReset).toBe(true);
    clock.advance(5999);
    await tick();
    expect(sessions.deletes).toEqual([]);
    clock.advance(1);
    await tick();
    expect(conversation.canUndoReset).toBe(false);
    expect(conversation.undoReset()).toBe(false);
    expect(sessions.deletes).toEqual(['https://site.test/pathors/sessions/s1']);
  });

  it('undo brings the conversation back, saved, and the session is never ended', async () => {
    await talk();
    const { conversation, sessions } = tab;
    const changes = tab.changes();
    conversation.reset();
    expect(conversation.undoReset()).toBe(true);
    expect(tab.changes()).toBeGreaterThan(changes + 1);
    expect(transcript(conversation)).toEqual(['user:hello', 'assistant(done):Hi']);
    expect(conversation.sessionId).toBe('s1');
    expect(transcript(reload().conversation)).toEqual(['user:hello', 'assistant(done):Hi']);
    clock.advance(60_000);
    await tick();
    expect(sessions.deletes).toEqual([]);
  });

  it('a new message or the page going away makes the reset final', async () => {
    await talk();
    tab.conversation.reset();
    tab.conversation.send('fresh start');
    expect(tab.conversation.canUndoReset).toBe(false);
    await tick();
    expect(tab.sessions.deletes).toHaveLength(1);
    expect((await tab.transport.call(1)).options.sessionId).toBeUndefined();

    const other = openTab(new SharedStorage(), clock, 'b');
    other.conversation.send('x');
    (await other.transport.call(0)).session('s2').reply('y');
    await tick();
    other.conversation.reset();
    other.conversation.flush();
    // The page is going away: the request must be out within the microtasks after pagehide
    // (the send chunk, which holds it, was fetched ahead at the reset).
    await Promise.resolve();
    expect(other.sessions.deletes).toEqual(['https://site.test/pathors/sessions/s2']);
  });

  it('a reset during a turn abandons it: its late chunks change nothing', async () => {
    const { conversation, transport } = tab;
    conversation.send('long story');
    const call = (await transport.call(0)).session('s1').text('Once');
    conversation.reset();
    expect(call.aborted).toBe(true);
    call.text(' upon a time', 'stop').end();
    await tick();
    expect(conversation.entries).toEqual([]);
    expect(conversation.status).toBe('idle');
    expect(conversation.error).toBeUndefined();
    expect(conversation.undoReset()).toBe(true);
    expect(transcript(conversation)).toEqual(['user:long story', 'assistant(stopped):Once']);
  });
});

describe('welcome, draft and storage', () => {
  it('stores the welcome as the first message once the visitor writes, and never sends it', async () => {
    const { conversation, transport } = tab;
    conversation.settings = { ...conversation.settings, welcome: 'Hi! Ask me anything.', history: 'full' };
    expect(conversation.entries).toEqual([]);
    conversation.send('hello');
    expect(transcript(conversation)).toEqual(['assistant(done,welcome):Hi! Ask me anything.', 'user:hello']);
    expect(roles((await transport.call(0)).body.messages)).toEqual(['user:hello']);
    (await transport.call(0)).reply('Hello!');
    await tick();
    conversation.send('more');
    expect(roles((await transport.call(1)).body.messages)).toEqual(['user:hello', 'assistant:Hello!', 'user:more']);
    expect(transcript(reload().conversation)[0]).toBe('assistant(done,welcome):Hi! Ask me anything.');
  });

  it('keeps the session ID when storage is full, so a reload can fetch the history back', async () => {
    const session = 'session-0123456789abcdef0123456789abcdef';
    const { conversation, transport } = tab;
    conversation.send('q'.repeat(1000));
    expect(storage.items.has('chat:transcript')).toBe(true);
    // Storage is full from here on: the session ID no longer fits beside the transcript.
    storage.quota = [...storage.items].reduce((used, [key, value]) => used + key.length + value.length, 20);
    (await transport.call(0)).session(session);
    await tick();
    expect(storage.items.has('chat:transcript')).toBe(false);
    // The tab dies before the first word, with no chance to save again.
    const again = reload();
    expect(again.conversation.sessionId).toBe(session);
    again.sessions.history = [
      { role: 'user', content: 'q'.repeat(1000) },
      { role: 'assistant', content: 'Hello' },
    ];
    await again.conversation.recoverHistory();
    expect(transcript(again.conversation)).toEqual([`user:${'q'.repeat(1000)}`, 'assistant(done):Hello']);
  });

  it('keeps the draft in storage, saved once typing pauses', () => {
    const { conversation } = tab;
    conversation.draft = 'half a';
    conversation.draft = 'half a thought';
    expect(storage.items.has('chat:draft')).toBe(false);
    clock.advance(300);
    expect(storage.items.get('chat:draft')).toBe('half a thought');
    expect(reload().conversation.draft).toBe('half a thought');
    tab.conversation.draft = '';
    clock.advance(300);
    expect(storage.items.has('chat:draft')).toBe(false);
  });

  it('loads what is valid of a corrupt transcript, and never throws', () => {
    storage.items.set(
      'chat:transcript',
      JSON.stringify([
        { id: 'a', role: 'user', content: 'kept' },
        { id: 'b', role: 'assistant', content: 'bad status', status: 'weird' },
        { id: 'c', role: 'user', content: 'bad flag', failed: 'yes' },
        { id: 'd', role: 'assistant', content: 'bad calls', status: 'done', toolCalls: [{ id: 1 }] },
        null,
        { id: 'e', role: 'assistant', content: 'kept too', status: 'done', welcome: true },
      ]),
    );
    storage.items.set('chat:turn', '{not json');
    const loaded = reload().conversation;
    expect(transcript(loaded)).toEqual(['user:kept', 'assistant(done,welcome):kept too']);
    expect(loaded.storageProblem).toBe('corrupt');
    storage.items.set('chat:transcript', '{"not":"a list"}');
    expect(reload().conversation.entries).toEqual([]);
  });

  it("shows a reply a reload cut off as finished when the proxy's history has it", async () => {
    const { conversation, transport } = tab;
    conversation.send('tell me');
    (await transport.call(0)).session('s1').text('The first half');
    clock.advance(1000);
    (await transport.call(0)).text(' and');
    // The page reloads here; the agent kept writing upstream.
    clock.advance(60_000);
    const after = reload();
    expect(transcript(after.conversation)).toEqual(['user:tell me', 'assistant(interrupted):The first half and']);
    after.sessions.history = [
      { role: 'user', content: 'tell me' },
      { role: 'assistant', content: 'The first half and the rest.' },
    ];
    await after.conversation.recoverHistory();
    expect(transcript(after.conversation)).toEqual(['user:tell me', 'assistant(done):The first half and the rest.']);
  });

  it('leaves a cut-off reply interrupted when the history does not have it finished', async () => {
    const { conversation, transport } = tab;
    conversation.send('tell me');
    (await transport.call(0)).session('s1').text('Partial');
    clock.advance(60_000);
    const after = reload();
    after.sessions.history = [
      { role: 'user', content: 'something else' },
      { role: 'assistant', content: 'Other' },
    ];
    await after.conversation.recoverHistory();
    expect(transcript(after.conversation)).toEqual(['user:tell me', 'assistant(interrupted):Partial']);
    expect(after.conversation.regenerate()).toBe(true);
  });

  it('shows a message still waiting for its first word when the page went as not sent, or answered', async () => {
    const { conversation, transport } = tab;
    conversation.send('one');
    (await transport.call(0)).session('s1').reply('First');
    await tick();
    conversation.send('two');
    await transport.call(1);
    // The agent is still thinking when the visitor goes to another page.
    conversation.flush();
    const after = reload();
    expect(transcript(after.conversation)).toEqual(['user:one', 'assistant(done):First', 'user(failed):two']);
    expect(after.conversation.canRetry).toBe(true);
    // The agent answered it meanwhile: the answer takes its place, and there is nothing to retry.
    after.sessions.history = [
      { role: 'user', content: 'one' },
      { role: 'assistant', content: 'First' },
      { role: 'user', content: 'two' },
      { role: 'assistant', content: 'Second' },
    ];
    await after.conversation.recoverHistory();
    expect(transcript(after.conversation)).toEqual([
      'user:one',
      'assistant(done):First',
      'user:two',
      'assistant(done):Second',
    ]);
    expect(after.conversation.canRetry).toBe(false);
    expect(transcript(reload().conversation)).toHaveLength(4);
  });

  it('a page that died mid-send leaves the message to retry, once, when the history has no answer', async () => {
    const { conversation, transport } = tab;
    conversation.send('one');
    (await transport.call(0)).session('s1');
    await tick();
    // No pagehide: the tab crashed. Its own mark says the message was on its way.
    const after = reload();
    expect(transcript(after.conversation)).toEqual(['user(failed):one']);
    // The proxy has no answer to it.
    after.sessions.history = [];
    await after.conversation.recoverHistory();
    expect(transcript(after.conversation)).toEqual(['user(failed):one']);
    expect(after.conversation.retry()).toBe(true);
    const again = await after.transport.call(0);
    expect(roles(again.body.messages)).toEqual(['user:one']);
  });

  it('a message stopped before its first word stays as it was after a reload', async () => {
    const { conversation, transport } = tab;
    conversation.send('one');
    await transport.call(0);
    conversation.stop();
    await tick();
    conversation.flush();
    expect(transcript(reload().conversation)).toEqual(['user:one']);
  });
});
