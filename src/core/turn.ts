/**
 * The network side of a conversation: one chat turn (the request, the reply folded into the
 * transcript as it streams, the page tools rounds) and the fetch of a session's history.
 * Code only a visitor who writes needs, so it loads as its own chunk (`loadSender` in
 * conversation.ts) with the transport; the conversation keeps the state and hands a turn the
 * few ways in it may change it (`TurnHost`).
 */
import type { ChatStatus, Conversation, Turn } from './conversation.js';
import { loadTools } from './lazily.js';
import { AbortedError, ChatError } from './errors.js';
import { completedToolCalls, emptyDraft, foldChunk } from './fold.js';
import { postChat, type Transport } from './transport.js';
import { hasUsableId, newId, type AssistantEntry, type Entry } from './transcript.js';
import type { ChatMessage, ChatRequest, ToolCall } from './wire.js';

/** A turn's way into the conversation it runs in (made by `Conversation`, per turn). */
export interface TurnHost {
  readonly conversation: Conversation;
  /** The injected transport; `postChat` when none was. */
  readonly transport: Transport | undefined;
  readonly fetch: typeof fetch | undefined;
  /** The proxy's base URL, without a trailing slash. */
  readonly base: string;
  readonly headers: Record<string, string>;
  readonly signal: AbortSignal;
  /** The reply this turn writes, once its first word (or tool call) came: the conversation's error path marks it. */
  entry: AssistantEntry | undefined;
  /** The entry is this tab's: its version wins when saves are merged with another tab's. */
  own(id: string): void;
  setStatus(status: ChatStatus): void;
  save(): void;
  /** Saves a reply being written at most once a second. */
  saveSometimes(): void;
  /** Tells the view (the conversation's `change` event). */
  changed(): void;
  adoptSession(sessionId: string): void;
  /** The turn is over: nothing to retry, nothing to stop. */
  forget(): void;
  /** What the visitor's Stop aborts from now on (the tools of this round). */
  control(controller: AbortController): void;
  /** Runs the next round of the turn, with the tools' results (a turn of its own, as far as Stop and errors go). */
  next(turn: Turn): Promise<void>;
}

/**
 * Sends one round of a turn and writes the reply into the conversation as it comes. Resolves
 * when the reply (and any tool rounds after it) is done; rejects with what went wrong, for the
 * conversation to show (`host.entry` is the reply as far as it got).
 */
export async function runTurn(host: TurnHost, turn: Turn): Promise<void> {
  const { conversation } = host;
  const { settings } = conversation;
  const draft = emptyDraft();
  const replaced = new Set(turn.replace);
  const body: ChatRequest = {
    messages:
      settings.history === 'full' || !conversation.sessionId
        ? toWire(conversation.entries.filter((kept) => !replaced.has(kept.id)))
        : toWire(turn.entries),
    stream: settings.stream,
  };
  if (settings.tools.length) body.tools = (await loadTools()).toolDefinitions(settings.tools);
  await (host.transport ?? postChat)({
    url: `${host.base}/chat/completions`,
    body,
    sessionId: conversation.sessionId,
    requestId: newId(),
    headers: host.headers,
    fetch: host.fetch,
    signal: host.signal,
    firstByteTimeoutMs: settings.firstByteTimeoutMs,
    onSession: (sessionId) => host.adoptSession(sessionId),
    onChunk: (chunk) => {
      const added = foldChunk(draft, chunk);
      let { entry } = host;
      if (!entry && (added || draft.toolCalls.length)) {
        entry = host.entry = { id: newId(), role: 'assistant', content: added, status: 'streaming' };
        host.own(entry.id);
        for (const id of replaced) host.own(id);
        // One answer per question: the new reply takes the place of the one it replaces.
        conversation.entries = [...conversation.entries.filter((kept) => !replaced.has(kept.id)), entry];
        host.setStatus('streaming');
        // Saved at once, so the other tabs see the reply begin.
        host.save();
        host.changed();
      } else if (entry && added) {
        entry.content += added;
        host.saveSometimes();
      }
      if (entry && added) conversation.dispatchEvent(new CustomEvent('delta', { detail: { entry, text: added } }));
    },
  });
  const { entry } = host;
  const calls = completedToolCalls(draft);
  if (!entry || (!draft.content.trim() && !calls.length)) throw new ChatError('empty', 'The reply was empty');
  entry.status = 'done';
  if (calls.length) entry.toolCalls = calls;
  if (draft.finishReason === 'tool_calls' && calls.length) {
    const unanswerable = calls.find((call) => !isAnswerableCall(call));
    if (unanswerable) {
      // Its result could never be sent back (the proxy refuses such a name): end the turn,
      // with nothing to retry; the next message answers the calls as not run.
      host.forget();
      throw new ChatError(
        'malformed',
        `The agent called a tool that cannot be answered: "${unanswerable.function.name.slice(0, 80)}"`,
      );
    }
    return runTools(host, entry, calls, turn.round);
  }
  host.setStatus('idle');
  host.forget();
  host.save();
  host.changed();
  conversation.dispatchEvent(new CustomEvent('reply', { detail: { entry } }));
}

/** Runs the page tools a reply called, one after the other, then sends their results as the next round. */
async function runTools(host: TurnHost, entry: AssistantEntry, calls: ToolCall[], round: number): Promise<void> {
  const { conversation } = host;
  const { settings } = conversation;
  const limit = settings.maxToolRounds;
  if (round + 1 > limit) {
    // Nothing to retry: the same turn would loop again. The calls stay unanswered until the next message.
    host.forget();
    throw new ChatError('tool_limit', `Stopped after ${limit} tool rounds in one turn`);
  }
  host.setStatus('tools');
  const controller = new AbortController();
  host.control(controller);
  // Stop must not wait for a page that is still asking the visitor, or a slow handler.
  const stopped = new Promise<never>((_, reject) =>
    controller.signal.addEventListener('abort', () => reject(new AbortedError('stopped during tools')), {
      once: true,
    }),
  );
  stopped.catch(() => {});
  const answers: Entry[] = [];
  for (const call of calls) {
    conversation.activeTool = call.function.name;
    host.changed();
    const result = await Promise.race([
      stopped,
      (await loadTools()).runToolCall(call, settings.tools, {
        signal: controller.signal,
        ...(settings.approveTool ? { approve: settings.approveTool } : {}),
      }),
    ]);
    const answer: Entry = {
      id: newId(),
      role: 'tool',
      toolCallId: call.id,
      name: call.function.name,
      content: result.content,
    };
    host.own(answer.id);
    conversation.entries = [...conversation.entries, answer];
    answers.push(answer);
  }
  conversation.activeTool = undefined;
  await host.next({
    entries: [entry, ...answers],
    round: round + 1,
    user: undefined,
    replace: [],
  });
}

/**
 * Entries as the chat messages that carry them: the whole transcript (`history: "full"`, or no
 * session yet), or a round's own (the session holds the rest). Left out: cut-off replies,
 * messages that were never sent, the welcome (the agent did not write it), and tool calls
 * the proxy would refuse to carry, with their results.
 */
export function toWire(entries: readonly Entry[]): ChatMessage[] {
  const messages: ChatMessage[] = [];
  const dropped = new Set<string>();
  for (const entry of entries) {
    if (entry.role === 'user') {
      if (!entry.failed) messages.push({ role: 'user', content: entry.content });
    } else if (entry.role === 'tool') {
      if (!dropped.has(entry.toolCallId)) {
        messages.push({ role: 'tool', tool_call_id: entry.toolCallId, content: entry.content });
      }
    } else if (entry.status !== 'interrupted' && entry.status !== 'streaming' && !entry.welcome) {
      const calls = entry.toolCalls?.filter((call) => {
        if (isAnswerableCall(call)) return true;
        dropped.add(call.id);
        return false;
      });
      messages.push(
        calls?.length
          ? { role: 'assistant', content: entry.content || null, tool_calls: calls }
          : { role: 'assistant', content: entry.content },
      );
    }
  }
  return messages;
}

/** Tool names the proxy (and OpenAI-style APIs) accept; a call named otherwise can never be answered. */
const TOOL_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** Whether a tool call can be run and its result sent back: an id and a name the proxy accepts. */
export function isAnswerableCall(call: ToolCall): boolean {
  return TOOL_NAME.test(call.function.name) && hasUsableId(call);
}

/**
 * A session's history from the proxy, as entries (its user and assistant messages);
 * `gone` when the proxy no longer knows the session, or it is not this visitor's.
 */
export async function fetchHistory(
  url: string,
  headers: Record<string, string>,
  fetcher: typeof fetch,
): Promise<Entry[] | 'gone'> {
  const response = await fetcher(url, { headers });
  if (!response.ok) {
    const body: unknown = await response.json().catch(() => undefined);
    const code = (body as { error?: { code?: unknown } } | undefined)?.error?.code;
    if (response.status === 404 || code === 'invalid_session') return 'gone';
    throw new ChatError('http', `HTTP ${response.status}`, { status: response.status });
  }
  const messages: unknown = ((await response.json()) as { messages?: unknown } | null)?.messages;
  return (Array.isArray(messages) ? messages : []).flatMap(
    (message: { role?: unknown; content?: unknown } | null): Entry[] => {
      const content = message?.content;
      if (typeof content !== 'string' || !content) return [];
      return message?.role === 'user'
        ? [{ id: newId(), role: 'user', content }]
        : message?.role === 'assistant'
          ? [{ id: newId(), role: 'assistant', content, status: 'done' }]
          : [];
    },
  );
}
