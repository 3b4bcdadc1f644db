/**
 * The browser core in Node, end to end: a Conversation (its turns, retries, storage) on the
 * Node test transport (fetch and an event-stream reader, no DOM) talking to the fake upstream
 * over a real loopback socket. The browser transport itself is tested in Chromium.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Conversation } from '../../src/core/conversation.js';
import { WebConversationStore } from '../../src/core/storage.js';
import { startFakeUpstream, type FakeUpstream } from '../../src/testing/index.js';
import { sseTransport } from '../support/sse-transport.js';

let fake: FakeUpstream;

beforeAll(async () => {
  fake = await startFakeUpstream();
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

function open(): Conversation {
  const conversation = new Conversation({
    store: new WebConversationStore('node', undefined, undefined, 'off'),
    transport: sseTransport,
  });
  conversation.settings = {
    ...conversation.settings,
    // The fake's newer layout ends in /chat/completions, as the proxy's does.
    proxyUrl: `${fake.url}/v1/projects/${fake.projectId}`,
    requestHeaders: { Authorization: `Bearer ${fake.apiKey}` },
  };
  return conversation;
}

function settled(conversation: Conversation): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (conversation.busy) return;
      conversation.removeEventListener('change', check);
      resolve();
    };
    conversation.addEventListener('change', check);
  });
}

describe('a Conversation in Node against the fake upstream', () => {
  it('streams a reply and keeps the session', async () => {
    const conversation = open();
    const deltas: string[] = [];
    conversation.addEventListener('delta', (event) =>
      deltas.push((event as CustomEvent<{ text: string }>).detail.text),
    );
    conversation.send('show me a table');
    await settled(conversation);
    expect(conversation.status).toBe('idle');
    const reply = conversation.entries.at(-1)!;
    expect(reply).toMatchObject({ role: 'assistant', status: 'done' });
    expect(reply.content).toContain('|');
    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.join('')).toBe(reply.content);
    expect(conversation.sessionId).toMatch(/^session-/);
  });

  it('a dropped stream is retried once, and the full reply replaces the cut one', async () => {
    const conversation = open();
    conversation.send('tell me a long story [[fault:drop-mid-stream]]');
    await settled(conversation);
    expect(conversation.error?.code).toBe('interrupted');
    expect(conversation.entries.at(-1)).toMatchObject({ status: 'interrupted' });
    conversation.retry();
    await settled(conversation);
    expect(conversation.entries.map((entry) => (entry.role === 'assistant' ? entry.status : entry.role))).toEqual([
      'user',
      'done',
    ]);
    expect(fake.requests.filter((request) => request.kind === 'chat')).toHaveLength(2);
  });

  it('a malformed chunk ends the turn as malformed, keeping what came before', async () => {
    const conversation = open();
    conversation.send('hello [[fault:malformed-chunk]]');
    await settled(conversation);
    expect(conversation.error?.code).toBe('malformed');
    expect(conversation.entries.at(-1)!.content.length).toBeGreaterThan(0);
  });

  it('stop ends the request at once, and the fake sees the client go', async () => {
    const conversation = open();
    conversation.send('hi [[fault:slow-first-byte:60000]]');
    await fake.waitFor((request) => request.fault === 'slow-first-byte');
    conversation.stop();
    await settled(conversation);
    expect(conversation.status).toBe('idle');
    expect(conversation.error).toBeUndefined();
    expect((await fake.waitForAbort()).aborted).toBe(true);
  });
});
