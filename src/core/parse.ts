import { ChatError } from './errors.js';
import { isRecord } from '../shared/record.js';
import type { ChunkChoices } from './wire.js';

/** A chunk as read off the wire, with the deprecated `session_id` some hosts put in the body. */
export type ReadChunk = ChunkChoices & { session_id?: string };

/**
 * One reply as it is read, for postChat and any other transport: each chunk goes to `onChunk`,
 * a session ID a chunk carries to `onSession` (unless the response's header already gave one),
 * and `[DONE]` ends it.
 */
export class ReplyReader {
  /** The response's header named the session: a chunk's deprecated `session_id` is ignored. */
  sessionFromHeader = false;
  #done = false;
  #finished = false;

  constructor(
    readonly onSession: (sessionId: string) => void,
    readonly onChunk: (chunk: ChunkChoices) => void,
  ) {}

  /**
   * One event's data: a chunk, or `[DONE]`. A keep-alive comment arrives with none. `cut`: the
   * body ended inside this event's last line, so what does not parse is half a chunk.
   */
  event(data: string, cut = false): void {
    if (!data || this.#done) return;
    if (data === '[DONE]') this.#done = true;
    else if (!cut || parses(data)) this.chunk(data);
    // Half a `[DONE]` after the finish reason: the reply was whole.
    else if (!this.#finished) throw new ChatError('interrupted', 'The stream ended in the middle of a chunk');
  }

  /** One chunk; `whole`, a whole non-streamed completion. */
  chunk(text: string, whole?: boolean): void {
    const chunk = readChunk(text, whole);
    if (chunk.session_id && !this.sessionFromHeader) this.onSession(chunk.session_id);
    this.onChunk(chunk);
    this.#finished ||= Boolean(chunk.choices[0]?.finish_reason);
  }

  /** The stream ended: a cut unless `[DONE]` or a finish reason came first. */
  end(): void {
    if (!this.#done && !this.#finished) throw new ChatError('interrupted', 'The stream ended before the reply did');
  }
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Reads one `data:` payload of the stream, or (`whole`) a whole non-streamed completion,
 * which comes back as one chunk. The shape is checked here, once: everything past this
 * point (folding, the conversation) may trust it. What is not a chat completion is
 * `malformed`; an `error` body, in either shape, is the server's error.
 */
export function readChunk(text: string, whole = false): ReadChunk {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Reported below, with what it was meant to be.
  }
  const detail = errorMessageOf(value);
  if (detail !== undefined) throw new ChatError('http', `The server reported an error: ${detail}`, { detail });
  const chunk = whole && isRecord(value) ? asChunk(value) : value;
  if (
    !isRecord(chunk) ||
    !Array.isArray(chunk.choices) ||
    !optional(chunk.session_id) ||
    (chunk.choices.length > 0 && !isChoice(chunk.choices[0]))
  ) {
    throw new ChatError(
      'malformed',
      `${whole ? 'The reply' : 'A chunk of the stream'} is not part of a chat completion`,
    );
  }
  return chunk as ReadChunk;
}

/** A whole completion as the one chunk that would have streamed it. */
function asChunk({ session_id, choices }: Record<string, unknown>): unknown {
  if (!Array.isArray(choices)) return undefined;
  const choice: unknown = choices[0];
  if (!isRecord(choice)) return { session_id, choices };
  const { message, finish_reason = 'stop' } = choice;
  const calls = isRecord(message) && message.tool_calls;
  return {
    session_id,
    choices: [
      {
        delta: isRecord(message) && {
          content: message.content ?? '',
          tool_calls: Array.isArray(calls)
            ? calls.map((call: unknown, index) => ({ ...(call as object), index }))
            : calls || undefined,
        },
        finish_reason,
      },
    ],
  };
}

function isChoice(choice: unknown): boolean {
  if (!isRecord(choice) || !isRecord(choice.delta) || !optional(choice.finish_reason)) return false;
  const { content, tool_calls: calls } = choice.delta;
  // The index joins pieces into calls; a huge one would make a huge sparse array.
  return (
    optional(content) &&
    (calls === undefined ||
      (Array.isArray(calls) &&
        calls.every((call) => {
          const fn = (call as Record<string, unknown> | null)?.function as Record<string, unknown> | undefined;
          return (
            isRecord(call) &&
            Number.isInteger(call.index) &&
            (call.index as number) >= 0 &&
            (call.index as number) < 128 &&
            optional(call.id) &&
            optional(fn?.name) &&
            optional(fn?.arguments)
          );
        })))
  );
}

/** Absent, null, or a string. */
const optional = (value: unknown) => value == null || typeof value === 'string';

/** Reads `{"error": "..."}` and `{"error": {"message": "..."}}`, the two shapes Pathors sends. */
export function errorMessageOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || !('error' in body)) return undefined;
  const { error } = body;
  if (typeof error === 'string') return error;
  if (typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string')
    return error.message;
  return undefined;
}

/** Turns a non-2xx response into a ChatError, with the server's message when it sent one. */
export async function errorFromResponse(response: Response): Promise<ChatError> {
  const text = await response.text().catch(() => '');
  let detail: string | undefined;
  let serverCode: string | undefined;
  try {
    const body: unknown = JSON.parse(text);
    detail = errorMessageOf(body);
    const code = (body as { error?: { code?: unknown } }).error?.code;
    if (typeof code === 'string') serverCode = code;
  } catch {
    // An HTML error page from a gateway: its text is no use to a visitor.
  }
  const { status } = response;
  if (status === 429) {
    const seconds = Number(response.headers.get('Retry-After'));
    return new ChatError('rate_limited', `Rate limited (429)${detail ? `: ${detail}` : ''}`, {
      status,
      detail,
      serverCode,
      retryAfter: Number.isFinite(seconds) && seconds > 0 ? seconds : undefined,
    });
  }
  return new ChatError('http', `HTTP ${status}${detail ? `: ${detail}` : ''}`, { status, detail, serverCode });
}
