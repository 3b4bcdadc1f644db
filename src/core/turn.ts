/**
 * The network side of a conversation: one chat turn (the request, the reply folded into the
 * transcript as it streams, the page tools rounds) and the fetch of a session's history.
 * Code only a visitor who writes needs, so it loads as its own chunk (`loadSender` in
 * conversation.ts) with the transport. The conversation keeps the state and starts a turn
 * (`start_`); what a turn changes, it changes through the conversation's members whose names
 * end in `_`.
 */
import type { Conversation, Turn } from './conversation.js';
import { loadTools } from './lazily.js';
import type { ToolCallRequest } from './tools.js';
import { AbortedError } from './aborted.js';
import { ChatError } from './errors.js';
import { completedToolCalls, emptyDraft, foldChunk } from './fold.js';
import { postChat } from './transport.js';
import { hasUsableId, newId, type AssistantEntry, type Entry } from './transcript.js';
import type { ChatMessage, ChatRequest, ToolCall } from './wire.js';

/** Status codes that refuse the request itself: sending the same again gets the same answer. */
const REFUSED = new Set([400, 413, 415, 422]);

/** How often a reply being written is saved, so a reload loses at most this much of it. */
const SAVE_INTERVAL_MS = 1000;

/**
 * Sends one round of a turn (started by `Conversation.start_`, which made `controller` for it),
 * writes the reply into the conversation as it comes, then runs the tools it called (the next
 * round is a turn of its own, as far as Stop and errors go). How it ended (done, stopped,
 * failed) is the conversation's to show; unless a newer turn (or a reset) came since, and then
 * only the reply it wrote, kept for Undo, says where it stopped.
 */
export async function runTurn(
  conversation: Conversation,
  turn: Turn,
  controller: AbortController,
  generation: number,
): Promise<void> {
  const { settings, clock_: clock } = conversation;
  const draft = emptyDraft();
  const replaced = new Set(turn.replace);
  /** The reply, once its first word (or tool call) came. */
  let entry: AssistantEntry | undefined;
  let saved = 0;
  try {
    const body: ChatRequest = {
      messages:
        settings.history === 'full' || !conversation.sessionId
          ? toWire(conversation.entries.filter((kept) => !replaced.has(kept.id)))
          : toWire(turn.entries),
      stream: settings.stream,
    };
    if (settings.tools.length) body.tools = (await loadTools()).toolDefinitions(settings.tools);
    await (conversation.transport_ ?? postChat)({
      url: `${proxyBase(conversation)}/chat/completions`,
      body,
      sessionId: conversation.sessionId,
      requestId: newId(),
      headers: headersFor(conversation),
      fetch: fetcherFor(conversation),
      signal: controller.signal,
      firstByteTimeoutMs: settings.firstByteTimeoutMs,
      onSession: (sessionId) => {
        if (sessionId === conversation.sessionId) return;
        conversation.sessionId = sessionId;
        conversation.save_();
        conversation.dispatchEvent(new CustomEvent('session', { detail: { sessionId } }));
      },
      onChunk: (chunk) => {
        const added = foldChunk(draft, chunk);
        if (!entry && (added || draft.toolCalls.length)) {
          entry = { id: newId(), role: 'assistant', content: added, status: 'streaming' };
          conversation.owned_.add(entry.id);
          for (const id of replaced) conversation.owned_.add(id);
          // One answer per question: the new reply takes the place of the one it replaces.
          conversation.entries = [...conversation.entries.filter((kept) => !replaced.has(kept.id)), entry];
          conversation.setStatus_('streaming');
          // Saved at once, so the other tabs see the reply begin.
          conversation.save_();
          saved = clock.now();
          conversation.emitChange_();
        } else if (entry && added) {
          entry.content += added;
          // Saved at most once a second: a reload loses at most that much of it.
          if (clock.now() - saved >= SAVE_INTERVAL_MS) {
            conversation.save_();
            saved = clock.now();
          }
        }
        if (entry && added) conversation.dispatchEvent(new CustomEvent('delta', { detail: { entry, text: added } }));
      },
    });
    const calls = completedToolCalls(draft);
    if (!entry || (!draft.content.trim() && !calls.length)) throw new ChatError('empty', 'The reply was empty');
    entry.status = 'done';
    if (calls.length) entry.toolCalls = calls;
    if (draft.finishReason === 'tool_calls' && calls.length) {
      const unanswerable = calls.find((call) => !isAnswerableCall(call));
      if (unanswerable) {
        // Its result could never be sent back (the proxy refuses such a name): end the turn,
        // with nothing to retry; the next message answers the calls as not run.
        forget(conversation);
        throw new ChatError(
          'malformed',
          `The agent called a tool that cannot be answered: "${unanswerable.function.name.slice(0, 80)}"`,
        );
      }
      return await runTools(conversation, entry, calls, turn.round);
    }
    conversation.setStatus_('idle');
    forget(conversation);
    conversation.save_();
    conversation.emitChange_();
    conversation.dispatchEvent(new CustomEvent('reply', { detail: { entry } }));
  } catch (error) {
    endTurn(conversation, controller, generation, entry, error);
  }
}

/** How a turn that went out ended: stopped, or failed (the error, and what Retry will send). */
function endTurn(
  conversation: Conversation,
  controller: AbortController,
  generation: number,
  entry: AssistantEntry | undefined,
  error: unknown,
): void {
  const stopped = error instanceof AbortedError || controller.signal.aborted;
  if (generation !== conversation.generation_) {
    // A reset (and perhaps a new message) came first: this turn's ending is old news, but its
    // reply, kept for Undo, says where it stopped.
    if (entry?.status === 'streaming') entry.status = 'stopped';
    return;
  }
  if (entry?.status === 'streaming') {
    entry.status = stopped ? 'stopped' : 'interrupted';
    // It is a reply all the same, as far as it got: the page hears of it like any other.
    if (entry.content) conversation.dispatchEvent(new CustomEvent('reply', { detail: { entry } }));
  }
  const turn = conversation.turn_;
  if (stopped) return conversation.endTurn_(controller, undefined, turn, Boolean(entry));
  const failure =
    error instanceof ChatError
      ? error
      : new ChatError('network', error instanceof Error ? error.message : String(error), { cause: error });
  // The proxy no longer accepts this session (its secret changed, or it was ended): the
  // retry starts a new one, carrying the transcript.
  if (failure.serverCode === 'invalid_session') conversation.sessionId = undefined;
  // Sending the same again would get the same answer: nothing to retry.
  if (failure.status !== undefined && REFUSED.has(failure.status)) conversation.turn_ = undefined;
  // A retry replaces what this attempt cut off.
  else if (turn && entry?.status === 'interrupted') turn.replace = [...turn.replace, entry.id];
  conversation.endTurn_(controller, failure, turn, Boolean(entry));
}

/** The turn is over: nothing to retry, nothing to stop. */
function forget(conversation: Conversation): void {
  conversation.turn_ = undefined;
  conversation.controller_ = undefined;
}

/** Runs the page tools a reply called, one after the other, then sends their results as the next round. */
async function runTools(
  conversation: Conversation,
  entry: AssistantEntry,
  calls: ToolCall[],
  round: number,
): Promise<void> {
  const { settings } = conversation;
  const limit = settings.maxToolRounds;
  if (round + 1 > limit) {
    // Nothing to retry: the same turn would loop again. The calls stay unanswered until the next message.
    forget(conversation);
    throw new ChatError('tool_limit', `Stopped after ${limit} tool rounds in one turn`);
  }
  conversation.setStatus_('tools');
  // What the visitor's Stop aborts from now on.
  const controller = new AbortController();
  conversation.controller_ = controller;
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
    conversation.emitChange_();
    const result = await Promise.race([
      stopped,
      (await loadTools()).runToolCall(call, settings.tools, {
        signal: controller.signal,
        // The page is asked first (through the element, `pathors-tool-call`).
        approve: (called, args, signal) => {
          // No element listens (it went, or came back closed): a call nobody can ask about is declined.
          if (conversation.views_ === 0) return false;
          let decision: Promise<boolean> | undefined;
          const request: ToolCallRequest = {
            name: called.function.name,
            arguments: args,
            call: called,
            signal,
            waitUntil(promise) {
              decision = promise;
            },
          };
          if (!conversation.dispatchEvent(new CustomEvent('tool-call', { cancelable: true, detail: request })))
            return false;
          return decision ? decision.catch(() => false) : true;
        },
      }),
    ]);
    const answer: Entry = {
      id: newId(),
      role: 'tool',
      toolCallId: call.id,
      name: call.function.name,
      content: result.content,
    };
    conversation.owned_.add(answer.id);
    conversation.entries = [...conversation.entries, answer];
    answers.push(answer);
  }
  conversation.activeTool = undefined;
  conversation.start_({ entries: [entry, ...answers], round: round + 1, user: undefined, replace: [] });
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
 * Fetches the session's history from the proxy, where the transcript is gone but the session
 * (`sessionId`) is known, or where a reload cut off the last reply (`cutId`): if the agent finished it, the
 * finished reply takes its place.
 */
export async function recoverHistory(
  conversation: Conversation,
  sessionId: string,
  cutId: string | undefined,
): Promise<void> {
  try {
    const history = await fetchHistory(
      `${proxyBase(conversation)}/sessions/${encodeURIComponent(sessionId)}`,
      headersFor(conversation),
      fetcherFor(conversation),
    );
    const { entries } = conversation;
    if (history === 'gone') {
      // Forget the session only when the proxy says it is gone or not ours.
      if (!entries.length) {
        conversation.sessionId = undefined;
        conversation.save_();
      }
      return;
    }
    if (conversation.sessionId !== sessionId || conversation.busy) return;
    const cut = cutId === conversation.cutByReload_ ? entries.find((entry) => entry.id === cutId) : undefined;
    const last = history.at(-1);
    if (!entries.length) {
      conversation.entries = history;
      for (const entry of history) conversation.owned_.add(entry.id);
    } else if (
      cut?.role === 'assistant' &&
      last?.role === 'assistant' &&
      cut.content.trim() &&
      last.content.length > cut.content.length &&
      last.content.startsWith(cut.content)
    ) {
      // The agent finished the reply the reload cut off (it starts with what was shown).
      conversation.replaceEntry_(cut, { ...cut, content: last.content, status: 'done' });
    } else if (cut?.role === 'user' && last?.role === 'assistant' && answers(history, entries, cut)) {
      // The message went out before the page did, and the agent answered it.
      conversation.replaceEntry_(cut, { id: cut.id, role: 'user', content: cut.content });
      const reply: AssistantEntry = { id: newId(), role: 'assistant', content: last.content, status: 'done' };
      conversation.owned_.add(reply.id);
      conversation.entries = [...conversation.entries, reply];
    } else return;
    conversation.cutByReload_ = undefined;
    conversation.save_();
    conversation.emitChange_();
  } catch {
    // The history stays unknown; the session itself still works.
  }
}

/**
 * Whether the history ends with the answer to `message`, the transcript's last entry: the history's
 * last question is that message, and it holds as many questions as went out with it.
 */
function answers(history: Entry[], entries: Entry[], message: Entry): boolean {
  const asked = (list: Entry[]) =>
    list.filter((entry) => entry.role === 'user' && (!entry.failed || entry === message));
  const question = history.at(-2);
  return (
    question?.role === 'user' && question.content === message.content && asked(history).length === asked(entries).length
  );
}

/**
 * A session's history from the proxy, as entries (its user and assistant messages);
 * `gone` when the proxy no longer knows the session, or it is not this visitor's.
 */
async function fetchHistory(
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

/** Ends a session at the proxy (a reset made final). A courtesy: nothing waits on it. */
export function endSession(conversation: Conversation, sessionId: string): void {
  void fetcherFor(conversation)(`${proxyBase(conversation)}/sessions/${encodeURIComponent(sessionId)}`, {
    method: 'DELETE',
    headers: headersFor(conversation),
    keepalive: true,
  }).catch(() => {});
}

function proxyBase({ settings }: Conversation): string {
  return settings.proxyUrl.replace(/\/+$/, '');
}

function headersFor({ settings: { requestHeaders } }: Conversation): Record<string, string> {
  return typeof requestHeaders === 'function' ? requestHeaders() : { ...requestHeaders };
}

function fetcherFor(conversation: Conversation): typeof fetch {
  return conversation.settings.fetch ?? conversation.fetch_ ?? ((input, init) => fetch(input, init));
}
