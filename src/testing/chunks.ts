import { randomBytes } from 'node:crypto';
import type { ChatCompletion, ChatCompletionChunk, FinishReason } from '../core/wire.js';
import type { PlannedReply } from './script.js';
import { cut, splitIntoTokens } from './tokenize.js';

export const MODEL = 'pathway-default';

type Delta = ChatCompletionChunk['choices'][number]['delta'];

/** Tool-call arguments stream in pieces this long, so a client must join several per call. */
const ARGUMENT_PIECE = 6;

/** The identity every chunk of one completion shares. */
export interface CompletionIdentity {
  id: string;
  created: number;
  sessionId: string;
}

export function newIdentity(sessionId: string): CompletionIdentity {
  return {
    id: `chatcmpl-${randomBytes(12).toString('base64url')}`,
    created: Math.floor(Date.now() / 1000),
    sessionId,
  };
}

export function finishReasonOf(reply: PlannedReply): FinishReason {
  return reply.toolCalls.length > 0 ? 'tool_calls' : 'stop';
}

/**
 * The deltas of a streamed reply, in order: content pieces, then for each tool call a piece
 * with its id and name (and empty arguments) followed by its arguments in several pieces. The
 * first delta carries `role`.
 */
export function planDeltas(reply: PlannedReply): Delta[] {
  const deltas: Delta[] = splitIntoTokens(reply.content).map((content) => ({ content }));
  reply.toolCalls.forEach((call, index) => {
    deltas.push({
      tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }],
    });
    for (const piece of cut(call.function.arguments, ARGUMENT_PIECE)) {
      deltas.push({ tool_calls: [{ index, function: { arguments: piece } }] });
    }
  });
  const [first = { content: '' }, ...rest] = deltas;
  return [{ role: 'assistant', ...first }, ...rest];
}

export function chunk(
  identity: CompletionIdentity,
  delta: Delta,
  finishReason: FinishReason = null,
): ChatCompletionChunk {
  return {
    id: identity.id,
    object: 'chat.completion.chunk',
    created: identity.created,
    model: MODEL,
    choices: [{ index: 0, delta, finish_reason: finishReason }],
    session_id: identity.sessionId,
  };
}

export function sseEvent(data: unknown): string {
  return `data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
}

export function completion(identity: CompletionIdentity, reply: PlannedReply): ChatCompletion {
  const hasCalls = reply.toolCalls.length > 0;
  const message: ChatCompletion['choices'][number]['message'] = {
    role: 'assistant',
    content: hasCalls && reply.content === '' ? null : reply.content,
  };
  if (hasCalls) message.tool_calls = reply.toolCalls;
  return {
    id: identity.id,
    object: 'chat.completion',
    created: identity.created,
    model: MODEL,
    choices: [{ index: 0, message, finish_reason: finishReasonOf(reply) }],
    // The reference documents -1 for every count: Pathors does not report token usage.
    usage: { prompt_tokens: -1, completion_tokens: -1, total_tokens: -1 },
    session_id: identity.sessionId,
  };
}
