import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { page, userEvent } from 'vitest/browser';
import { Conversation, conversationFor } from '../../src/core/conversation.js';
import type { PageTool } from '../../src/core/tools.js';
import { fake, until } from '../support/fake-control.js';
import { $, bubbles, composer, idle, mountChat, panelOf, recordEvents, typeText } from '../support/widget.js';

beforeEach(async () => {
  await page.viewport(1280, 800);
  await fake.reset();
  localStorage.clear();
});
afterEach(() => {
  document.body.replaceChildren();
  localStorage.clear();
});

async function say(panel: Awaited<ReturnType<typeof panelOf>>, text: string) {
  await userEvent.click(composer(panel));
  await typeText(text);
  await userEvent.keyboard('{Enter}');
  await idle(panel);
}

/** Runs `run` in a browser whose storage is full: every write refused, as a quota would. */
async function withStorageFull(run: () => Promise<void>): Promise<void> {
  const setItem = Storage.prototype.setItem;
  Storage.prototype.setItem = function () {
    throw new DOMException('full', 'QuotaExceededError');
  };
  try {
    await run();
  } finally {
    Storage.prototype.setItem = setItem;
  }
}

describe('memory', () => {
  it('saves the session and transcript, and a new page continues the same session', async () => {
    const key = `reload-${Date.now()}`;
    const first = await mountChat({ open: true, 'storage-key': key });
    const panel = await panelOf(first);
    const sessions = recordEvents(first, ['pathors-session']);
    await say(panel, 'My name is Ada');
    const sessionId = (sessions[0]!.detail as { sessionId: string }).sessionId;
    expect(localStorage.getItem(`${key}:session`)).toBe(sessionId);
    expect(JSON.parse(localStorage.getItem(`${key}:transcript`)!)).toHaveLength(2);

    // "Another page": a fresh Conversation read from storage, as after a reload.
    const restored = new Conversation(key, true);
    expect(restored.sessionId).toBe(sessionId);
    expect(restored.entries.map((entry) => entry.content)[0]).toBe('My name is Ada');
    restored.settings = { ...restored.settings, proxyUrl: inject('proxyUrl') };
    restored.send('And my name is?');
    await until(() => !restored.busy, 'the reply');
    const requests = await fake.chatRequests();
    expect(requests.map((request) => request.headers['x-session-id'])).toEqual([sessionId, sessionId]);
    // Only the new turn travels while the session is known.
    expect((requests[1]!.body as { messages: unknown[] }).messages).toEqual([
      { role: 'user', content: 'And my name is?' },
    ]);
    restored.dispose();
  });

  it('sends the whole transcript with history="full"', async () => {
    const chat = await mountChat({ open: true, history: 'full' });
    const panel = await panelOf(chat);
    await say(panel, 'first');
    await say(panel, 'second');
    const requests = await fake.chatRequests();
    const messages = (requests[1]!.body as { messages: Array<{ role: string }> }).messages;
    expect(messages.map((message) => message.role)).toEqual(['user', 'assistant', 'user']);
  });

  it('survives a framework re-mount, even in the middle of a reply', async () => {
    const key = `remount-${Date.now()}`;
    const chat = await mountChat({ open: true, 'storage-key': key });
    const panel = await panelOf(chat);
    await userEvent.click(composer(panel));
    await typeText('tell me about tents [[delay:30]]');
    await userEvent.keyboard('{Enter}');
    await until(() => (bubbles(panel, 'assistant')[0] ?? '').length > 0, 'the first words');
    chat.remove();
    // A framework creates a brand-new element for the same chat.
    const again = await mountChat({ open: true, 'storage-key': key });
    const panel2 = await panelOf(again);
    expect(bubbles(panel2, 'user')).toEqual(['tell me about tents [[delay:30]]']);
    await idle(panel2);
    expect(panel2.conversation!.entries.at(-1)).toMatchObject({ role: 'assistant', status: 'done' });
    expect(bubbles(panel2, 'assistant')[0]!.length).toBeGreaterThan(20);
    expect(await fake.chatRequests()).toHaveLength(1);
  });

  it('keeps unsent text across a re-mount', async () => {
    const key = `draft-${Date.now()}`;
    const chat = await mountChat({ open: true, 'storage-key': key });
    await userEvent.click(composer(await panelOf(chat)));
    await userEvent.keyboard('half a thought');
    chat.remove();
    const again = await mountChat({ open: true, 'storage-key': key });
    expect(composer(await panelOf(again)).value).toBe('half a thought');
  });

  it('shows a reply cut off by a reload as interrupted', async () => {
    const key = `cut-${Date.now()}`;
    localStorage.setItem(`${key}:session`, 'abc.def');
    localStorage.setItem(
      `${key}:transcript`,
      JSON.stringify([
        { id: '1', role: 'user', content: 'hi' },
        { id: '2', role: 'assistant', content: 'Half a rep', status: 'streaming' },
      ]),
    );
    const chat = await mountChat({ open: true, 'storage-key': key });
    const panel = await panelOf(chat);
    expect(bubbles(panel, 'assistant')[0]).toContain('This reply was cut off.');
  });

  it('works in memory and says so when storage is full', async () => {
    await withStorageFull(async () => {
      const chat = await mountChat({ open: true });
      const panel = await panelOf(chat);
      // Its words come in a chunk of their own, fetched only by a browser with a notice to show.
      await expect.poll(() => $(panel, '.note.box')?.textContent).toContain('Storage is full');
      await say(panel, 'still works?');
      expect(bubbles(panel, 'assistant')).toHaveLength(1);
    });
  });

  it("shows the page's own words for a storage notice at once, and none when the page set ''", async () => {
    await withStorageFull(async () => {
      const chat = await mountChat({ open: true });
      chat.strings = { notSavedFull: 'Not kept here.' };
      const panel = await panelOf(chat);
      await chat.updateComplete;
      await panel.updateComplete;
      expect($(panel, '.note.box')!.textContent).toBe('Not kept here.');
      chat.strings = { notSavedFull: '' };
      await chat.updateComplete;
      await panel.updateComplete;
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect($(panel, '.note.box')).toBeNull();
      expect(panel.isUpdatePending).toBe(false);
    });
  });

  it('sets aside a corrupt saved conversation and says so', async () => {
    const key = `corrupt-${Date.now()}`;
    localStorage.setItem(`${key}:transcript`, '{not json');
    const chat = await mountChat({ open: true, 'storage-key': key });
    const panel = await panelOf(chat);
    await expect.poll(() => $(panel, '.note.box')?.textContent).toContain('could not be read, so it starts afresh');
    await say(panel, 'hello');
    expect(bubbles(panel, 'assistant')).toHaveLength(1);
  });

  it('keeps nothing with no-persist', async () => {
    const key = `memory-${Date.now()}`;
    const chat = await mountChat({ open: true, 'storage-key': key, 'no-persist': true });
    await say(await panelOf(chat), 'hello');
    expect(localStorage.getItem(`${key}:transcript`)).toBeNull();
    expect(localStorage.getItem(`${key}:session`)).toBeNull();
  });

  it('follows another tab through the storage event', async () => {
    const key = `tabs-${Date.now()}`;
    const chat = await mountChat({ open: true, 'storage-key': key });
    const panel = await panelOf(chat);
    const transcript = JSON.stringify([
      { id: 'a', role: 'user', content: 'typed in the other tab' },
      { id: 'b', role: 'assistant', content: 'answered **there**', status: 'done' },
    ]);
    localStorage.setItem(`${key}:transcript`, transcript);
    localStorage.setItem(`${key}:session`, 'other.tab');
    // The browser fires `storage` only in the *other* tabs; this is what ours receives.
    window.dispatchEvent(
      new StorageEvent('storage', { key: `${key}:transcript`, newValue: transcript, storageArea: localStorage }),
    );
    await panel.updateComplete;
    expect(bubbles(panel, 'user')).toEqual(['typed in the other tab']);
    expect($(panel, '.message.assistant strong')!.textContent).toBe('there');
    expect(panel.conversation!.sessionId).toBe('other.tab');
  });

  it('fetches the history through the proxy when only the session ID is left', async () => {
    const first = await mountChat({ open: true });
    const key = first.storageKey;
    await say(await panelOf(first), 'remember the blue tent');
    first.remove();
    localStorage.removeItem(`${key}:transcript`);
    // A new page load: no live conversation, only the session ID in storage.
    const restored = new Conversation(key, true);
    restored.settings = { ...restored.settings, proxyUrl: inject('proxyUrl') };
    await restored.recoverHistory();
    expect(restored.entries.map((entry) => entry.role)).toEqual(['user', 'assistant']);
    expect(restored.entries[0]!.content).toBe('remember the blue tent');
    restored.dispose();
  });

  it('new conversation asks the page first, then forgets transcript and session', async () => {
    const chat = await mountChat({ open: true });
    const panel = await panelOf(chat);
    await say(panel, 'hello');
    const newButton = $(panel, 'header button[aria-label="New conversation"]')!;
    const veto = (event: Event) => event.preventDefault();
    chat.addEventListener('pathors-reset', veto);
    await userEvent.click(newButton);
    expect(bubbles(panel)).toHaveLength(2);
    chat.removeEventListener('pathors-reset', veto);
    await userEvent.click(newButton);
    await panel.updateComplete;
    expect(bubbles(panel)).toHaveLength(0);
    expect(panel.conversation!.sessionId).toBeUndefined();
    expect(localStorage.getItem(`${chat.storageKey}:session`)).toBeNull();
  });

  it('reset() clears a visitor on logout, and ends the session at the proxy', async () => {
    const chat = await mountChat({ open: true });
    const panel = await panelOf(chat);
    await say(panel, 'hello');
    const sessionId = panel.conversation!.sessionId!;
    await chat.reset();
    expect(bubbles(panel)).toHaveLength(0);
    await until(async () => {
      const all = (await (await fetch(`${inject('fakeUrl')}/__fake/requests?kind=all`)).json()) as Array<{
        method: string;
        body: unknown;
      }>;
      return all.some((request) => request.method === 'DELETE' && JSON.stringify(request.body).includes(sessionId));
    }, 'the session to end upstream');
  });

  it('send() sends as the visitor would', async () => {
    const chat = await mountChat();
    expect(await chat.send('sent by the page')).toBe(true);
    const panel = await panelOf(chat);
    await idle(panel);
    expect(await fake.chatRequests()).toHaveLength(1);
    expect(panel.conversation!.entries[0]!.content).toBe('sent by the page');
  });
});

describe('a session the proxy no longer accepts', () => {
  it('says so, and the retry starts a new session carrying the transcript', async () => {
    const key = `stale-${Date.now()}`;
    localStorage.setItem(`${key}:session`, 'forged.session');
    localStorage.setItem(
      `${key}:transcript`,
      JSON.stringify([
        { id: '1', role: 'user', content: 'earlier question' },
        { id: '2', role: 'assistant', content: 'earlier answer', status: 'done' },
      ]),
    );
    const chat = await mountChat({ open: true, 'storage-key': key });
    const panel = await panelOf(chat);
    await say(panel, 'new question');
    expect($(panel, '[role="alert"]')!.innerText).toContain('no longer valid');
    expect(await fake.chatRequests()).toHaveLength(0);
    await userEvent.click($(panel, '.retry')!);
    await idle(panel);
    const [request] = await fake.chatRequests();
    expect((request!.body as { messages: unknown[] }).messages).toHaveLength(3);
    expect(panel.conversation!.sessionId).not.toBe('forged.session');
    expect(bubbles(panel, 'user')).toEqual(['earlier question', 'new question']);
  });
});

describe('two tabs', () => {
  it('shows a reply the other tab is still writing as in progress, not as cut off', async () => {
    const key = `live-${Date.now()}`;
    const chat = await mountChat({ open: true, 'storage-key': key });
    const panel = await panelOf(chat);
    const transcript = JSON.stringify([
      { id: 'a', role: 'user', content: 'asked in the other tab' },
      { id: 'b', role: 'assistant', content: 'Half of the ans', status: 'streaming' },
    ]);
    // The other tab marks its turn in flight, with a sign of life.
    localStorage.setItem(`${key}:turn`, JSON.stringify({ tab: 'other', status: 'streaming', at: Date.now() }));
    localStorage.setItem(`${key}:transcript`, transcript);
    window.dispatchEvent(
      new StorageEvent('storage', { key: `${key}:transcript`, newValue: transcript, storageArea: localStorage }),
    );
    await panel.updateComplete;
    expect(bubbles(panel, 'assistant')).toEqual(['Half of the ans']);
  });
});

describe('reset during a reply', () => {
  it('lets a message sent right after reset() run as the only turn', async () => {
    const chat = await mountChat({ open: true });
    const panel = await panelOf(chat);
    await userEvent.click(composer(panel));
    await typeText('tell me a long story [[delay:30]]');
    await userEvent.keyboard('{Enter}');
    await until(() => (bubbles(panel, 'assistant')[0] ?? '').length > 0, 'the first words');
    // Synchronously, as a page's logout handler might: the aborted turn has not ended yet.
    const conversation = panel.conversation!;
    conversation.reset();
    // Every status the conversation passes through from here: the aborted turn's ending must not
    // mark the new one idle before its reply has streamed.
    const statuses: string[] = [];
    conversation.addEventListener('change', () => {
      if (statuses.at(-1) !== conversation.status) statuses.push(conversation.status);
    });
    expect(conversation.send('a fresh start [[fault:slow-first-byte:500]]')).toBe(true);
    await idle(panel);
    expect(statuses.slice(statuses.indexOf('sending'))).toEqual(['sending', 'streaming', 'idle']);
    expect(bubbles(panel, 'user')).toEqual(['a fresh start [[fault:slow-first-byte:500]]']);
    expect(panel.conversation!.entries.at(-1)).toMatchObject({ role: 'assistant', status: 'done' });
  });
});

describe('page tools when the element went away mid-turn', () => {
  const cancelOrder = (runs: unknown[]): PageTool[] => [
    {
      name: 'cancel_order',
      description: 'Cancels an order',
      parameters: { type: 'object', properties: { orderId: { type: 'string' } } },
      handler: (args: unknown) => {
        runs.push(args);
        return 'cancelled';
      },
    },
  ];

  /** A chat whose page asks the visitor before any tool runs (here: always no), sent a message that calls one. */
  async function askedAndRemoved(storageKey: string, runs: unknown[], asked: Event[]) {
    const chat = await mountChat({ 'storage-key': storageKey, open: true });
    chat.tools = cancelOrder(runs);
    chat.addEventListener('pathors-tool-call', (event) => {
      asked.push(event);
      event.preventDefault();
    });
    await panelOf(chat);
    await chat.send('Please use cancel_order [[delay:150]]');
    chat.hide();
    chat.remove();
  }

  it('declines the call, rather than run it unasked, when no element is listening', async () => {
    const storageKey = `tools-${Date.now()}`;
    const runs: unknown[] = [];
    await askedAndRemoved(storageKey, runs, []);
    const conversation = conversationFor(storageKey, true);
    await until(() => !conversation.busy, 'the turn to end', 20_000);
    expect(runs).toEqual([]);
    expect(conversation.entries.some((entry) => entry.role === 'tool' && entry.name === 'cancel_order')).toBe(true);
  });

  it('asks the page through the element that came back, closed, in the middle of the turn', async () => {
    const storageKey = `tools-back-${Date.now()}`;
    const runs: unknown[] = [];
    await askedAndRemoved(storageKey, runs, []);
    // A framework re-renders the page: a new element, the same props, the chat closed.
    const again = await mountChat({ 'storage-key': storageKey });
    again.tools = cancelOrder(runs);
    const asked: Event[] = [];
    again.addEventListener('pathors-tool-call', (event) => {
      asked.push(event);
      event.preventDefault();
    });
    const conversation = conversationFor(storageKey, true);
    await until(() => !conversation.busy, 'the turn to end', 20_000);
    expect(again.open).toBe(false);
    expect(asked).toHaveLength(1);
    expect(runs).toEqual([]);
  });
});
