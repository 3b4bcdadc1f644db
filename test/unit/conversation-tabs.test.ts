import { beforeEach, describe, expect, it } from 'vitest';
import { ManualClock, SharedStorage, openTab, tick, transcript, type Tab } from './conversation-harness.js';

let storage: SharedStorage;
let clock: ManualClock;
let a: Tab;
let b: Tab;

beforeEach(() => {
  storage = new SharedStorage();
  clock = new ManualClock();
  a = openTab(storage, clock, 'a');
  b = openTab(storage, clock, 'b');
});

const saved = () =>
  (JSON.parse(storage.items.get('chat:transcript') ?? '[]') as Array<{ content: string; status?: string }>).map(
    (entry) => `${entry.status ?? 'user'}:${entry.content}`,
  );

/** A first reply from A, as B sees it, and A's second reply streaming. */
async function answeredThenStreaming() {
  a.conversation.send('first');
  (await a.transport.call(0)).reply('First answer');
  await tick();
  const first = b.conversation.entries.at(-1)!;
  if (first.role !== 'assistant') throw new Error('expected the reply last');
  a.conversation.send('second');
  const call = await a.transport.call(1);
  call.text('Writing');
  await tick();
  return { first, call };
}

describe('two tabs, one conversation', () => {
  it('the other tab sees a turn in flight, follows the reply, and cannot send meanwhile', async () => {
    a.conversation.send('question from A');
    const call = (await a.transport.call(0)).session('s1').text('Part one');
    await tick();
    expect(b.conversation.remoteTurn).toBe(true);
    expect(b.conversation.busy).toBe(true);
    expect(b.conversation.status).toBe('streaming');
    expect(b.conversation.send('question from B')).toBe(false);
    expect(b.conversation.regenerate()).toBe(false);
    expect(b.transport.calls).toHaveLength(0);

    call.text(', part two.', 'stop').end();
    await tick();
    expect(b.conversation.busy).toBe(false);
    expect(b.conversation.status).toBe('idle');
    expect(transcript(b.conversation)).toEqual(['user:question from A', 'assistant(done):Part one, part two.']);
    expect(b.conversation.sessionId).toBe('s1');
    expect(b.conversation.send('now B asks')).toBe(true);
    expect((await b.transport.call(0)).options.sessionId).toBe('s1');
  });

  it('a rating given in one tab is the rating the other tab shows', async () => {
    a.conversation.send('q');
    (await a.transport.call(0)).reply('An answer');
    await tick();
    const reply = a.conversation.entries.at(-1)!;
    if (reply.role !== 'assistant') throw new Error('expected the reply last');
    a.conversation.rate(reply, 'good');
    await tick();
    expect(b.conversation.entries.at(-1)).toMatchObject({ id: reply.id, rating: 'good' });
    expect(openTab(storage, clock, 'c').conversation.entries.at(-1)).toMatchObject({ rating: 'good' });
  });

  it("a rating given in one tab survives the other tab's reply being saved meanwhile", async () => {
    const { first, call } = await answeredThenStreaming();
    b.conversation.rate(first, 'good');
    await tick();
    clock.advance(1000);
    call.text(' on', 'stop').end();
    await tick();
    const rated = (entries: readonly { id: string; rating?: string }[]) =>
      entries.find((entry) => entry.id === first.id)?.rating;
    expect(rated(JSON.parse(storage.items.get('chat:transcript')!))).toBe('good');
    expect(rated(a.conversation.entries)).toBe('good');
    expect(rated(b.conversation.entries)).toBe('good');
  });

  it('a rating given elsewhere to a reply this tab is still writing never cuts the reply short', async () => {
    // B takes A's reply for cut off (A's timers held back in a background tab) and rates it.
    const clockB = new ManualClock();
    const slowB = openTab(storage, clockB, 'slow-b');
    a.conversation.send('q');
    const call = await a.transport.call(0);
    call.text('Writing');
    await tick();
    clockB.advance(16_000);
    await tick();
    const cut = slowB.conversation.entries.at(-1)!;
    if (cut.role !== 'assistant') throw new Error('expected the reply last');
    slowB.conversation.rate(cut, 'good');
    await tick();
    clock.advance(1000);
    call.text(' more text');
    await tick();
    clock.advance(1000);
    call.text(' and the end.', 'stop').end();
    await tick();
    expect(transcript(a.conversation).at(-1)).toBe('assistant(done):Writing more text and the end.');
    expect(a.conversation.busy).toBe(false);
  });

  it("shows a rating given in the other tab while this tab's reply streams", async () => {
    const { first } = await answeredThenStreaming();
    const changes = a.changes();
    b.conversation.rate(first, 'good');
    await tick();
    clock.advance(6000);
    await tick();
    expect(a.conversation.busy).toBe(true);
    expect(a.changes()).toBeGreaterThan(changes);
    expect(a.conversation.entries.find((entry) => entry.id === first.id)).toMatchObject({ rating: 'good' });
  });

  it("a tab opened during another tab's reply shows it streaming, not cut off", async () => {
    a.conversation.send('q');
    (await a.transport.call(0)).text('Writing');
    clock.advance(1000);
    (await a.transport.call(0)).text(' on');
    const c = openTab(storage, clock, 'c');
    expect(transcript(c.conversation)).toEqual(['user:q', 'assistant(streaming):Writing on']);
    expect(c.conversation.busy).toBe(true);
  });

  it('a tab that died mid-turn blocks the others only until its mark goes stale', async () => {
    a.conversation.send('q');
    (await a.transport.call(0)).text('Cut');
    clock.advance(1000);
    (await a.transport.call(0)).text(' here');
    await tick();
    expect(b.conversation.busy).toBe(true);
    a.kill();
    const changes = b.changes();
    clock.advance(14_000);
    expect(b.conversation.busy).toBe(true);
    clock.advance(1000);
    expect(b.conversation.busy).toBe(false);
    expect(b.changes()).toBeGreaterThan(changes);
    expect(transcript(b.conversation)).toEqual(['user:q', 'assistant(interrupted):Cut here']);
    expect(b.conversation.regenerate()).toBe(true);
  });

  it('a live tab keeps its mark fresh through a long silence (slow first byte, slow tools)', async () => {
    a.conversation.send('q');
    await a.transport.call(0);
    await tick();
    clock.advance(60_000);
    await tick();
    expect(b.conversation.busy).toBe(true);
    (await a.transport.call(0)).reply('Late but fine');
    await tick();
    expect(b.conversation.busy).toBe(false);
  });

  it("a reload mid-reply does not take its own turn for another tab's", async () => {
    a.conversation.send('q');
    (await a.transport.call(0)).text('Half');
    await tick();
    a.kill();
    const reloaded = openTab(storage, clock, 'a');
    expect(reloaded.conversation.busy).toBe(false);
    expect(transcript(reloaded.conversation)).toEqual(['user:q', 'assistant(interrupted):Half']);
  });

  it('a page going away (pagehide) releases its turn at once', async () => {
    a.conversation.send('q');
    (await a.transport.call(0)).text('Half');
    await tick();
    expect(b.conversation.busy).toBe(true);
    a.conversation.flush();
    await tick();
    expect(b.conversation.busy).toBe(false);
  });

  it('two turns that started together are both kept, merged by entry id', async () => {
    // Both tabs send before either hears of the other (the storage event is still queued).
    a.conversation.send('from A');
    b.conversation.send('from B');
    const fromA = await a.transport.call(0);
    const fromB = await b.transport.call(0);
    fromA.session('s1').text('Answer to A');
    fromB.text('Answer to B');
    clock.advance(1000);
    fromB.text('!', 'stop').end();
    await tick();
    fromA.text('.', 'stop').end();
    await tick();
    // Neither reply was saved half-finished over the other's save, and nothing was lost.
    expect(saved().sort()).toEqual(['done:Answer to A.', 'done:Answer to B!', 'user:from A', 'user:from B']);
    expect(transcript(a.conversation).sort()).toEqual(transcript(b.conversation).sort());
  });

  it("a finished reply is never overwritten by another tab's stale copy of it", async () => {
    a.conversation.send('q');
    const call = (await a.transport.call(0)).session('s1').text('Start');
    clock.advance(1000);
    call.text(' and the end.', 'stop').end();
    await tick();
    // B, which followed the reply while it streamed, now saves (a draft-free write of its own).
    b.conversation.draft = 'typing';
    b.conversation.reset();
    expect(b.conversation.undoReset()).toBe(true);
    await tick();
    expect(saved()).toEqual(['user:q', 'done:Start and the end.']);
  });

  it('"New conversation" in one tab ends the turn the other tab was running', async () => {
    a.conversation.send('q');
    const call = (await a.transport.call(0)).text('Writing');
    await tick();
    b.conversation.reset();
    await tick();
    expect(call.aborted).toBe(true);
    expect(a.conversation.busy).toBe(false);
    expect(a.conversation.entries).toEqual([]);
    call.text(' more').end();
    await tick();
    expect(storage.items.has('chat:transcript')).toBe(false);
  });

  it('the tab that pressed "New conversation" during the other tab\'s turn can send at once', async () => {
    a.conversation.send('q');
    (await a.transport.call(0)).session('s1').text('Writing');
    await tick();
    expect(b.conversation.busy).toBe(true);
    b.conversation.reset();
    await tick();
    expect(b.conversation.status).toBe('idle');
    expect(b.conversation.busy).toBe(false);
    expect(b.conversation.send('a new question')).toBe(true);
  });

  it('Undo is withdrawn once another tab writes a new conversation, and the old session is ended', async () => {
    a.conversation.send('old');
    (await a.transport.call(0)).session('s-old').reply('Old answer');
    await tick();
    a.conversation.reset();
    await tick();
    expect(a.conversation.canUndoReset).toBe(true);
    b.conversation.send('new, in B');
    await tick();
    expect(a.conversation.canUndoReset).toBe(false);
    expect(a.conversation.undoReset()).toBe(false);
    expect(a.sessions.deletes).toEqual(['https://site.test/pathors/sessions/s-old']);
    expect(transcript(a.conversation)).toEqual(['user:new, in B']);
  });

  it('each tab keeps its own draft', async () => {
    a.conversation.draft = 'typed in A';
    clock.advance(300);
    await tick();
    expect(b.conversation.draft).toBe('');
  });
});
