import type { ChatMessage } from '../core/wire.js';

/**
 * Folds a request's messages into what the session already remembers, so that both history
 * modes work: a client that sends only the new turn (a user message, or its tool calls and
 * their results) and one that sends the whole transcript every time.
 *
 * - The stored conversation is a prefix of the request: the request is the full transcript.
 * - More than one non-system message, starting with a user message: also a full transcript,
 *   which replaces what is stored (the client is the authority on its own history).
 * - Otherwise the request is a continuation. A tool round re-sends the assistant message that
 *   made the calls, which the server already holds, so the overlap is dropped, not duplicated.
 */
export function mergeHistory(stored: readonly ChatMessage[], incoming: readonly ChatMessage[]): ChatMessage[] {
  if (stored.length === 0 || startsWith(incoming, stored)) return [...incoming];
  const turn = incoming.filter((message) => message.role !== 'system');
  if (turn.length > 1 && turn[0]?.role === 'user') return [...incoming];

  const overlap = longestOverlap(stored, incoming);
  return [...stored, ...incoming.slice(overlap)];
}

/** The largest k such that the last k stored messages equal the first k incoming ones. */
function longestOverlap(stored: readonly ChatMessage[], incoming: readonly ChatMessage[]): number {
  for (let k = Math.min(stored.length, incoming.length); k > 0; k--) {
    const tail = stored.slice(stored.length - k);
    if (tail.every((message, i) => sameMessage(message, incoming[i]))) return k;
  }
  return 0;
}

function startsWith(messages: readonly ChatMessage[], prefix: readonly ChatMessage[]): boolean {
  return prefix.length <= messages.length && prefix.every((message, i) => sameMessage(message, messages[i]));
}

/**
 * Equality as a client would re-send it. Tool calls are identified by their ids, which are unique,
 * so an assistant message that made calls matches on those alone: clients differ in whether they
 * re-send the text that came with the calls (or send `null` or `''` for none).
 */
export function sameMessage(a: ChatMessage, b: ChatMessage | undefined): boolean {
  if (b === undefined || a.role !== b.role) return false;
  if (a.role === 'assistant' && b.role === 'assistant') {
    const idsA = (a.tool_calls ?? []).map((call) => call.id).join('\n');
    const idsB = (b.tool_calls ?? []).map((call) => call.id).join('\n');
    if (idsA !== '' || idsB !== '') return idsA === idsB;
  }
  if ((a.content ?? '') !== (b.content ?? '')) return false;
  return a.role !== 'tool' || b.role !== 'tool' || a.tool_call_id === b.tool_call_id;
}

/**
 * The id of a tool call that has no `tool` result before the conversation moves on (or ends),
 * as chat APIs check: a client must answer every call, even with an error, before the next turn.
 */
export function unansweredToolCall(messages: readonly ChatMessage[]): string | undefined {
  let open = new Set<string>();
  for (const message of messages) {
    if (message.role === 'tool') {
      open.delete(message.tool_call_id);
      continue;
    }
    const [unanswered] = open;
    if (unanswered !== undefined) return unanswered;
    open = new Set(message.role === 'assistant' ? (message.tool_calls ?? []).map((call) => call.id) : []);
  }
  return [...open][0];
}
