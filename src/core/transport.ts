import { fetchEventSource } from '@microsoft/fetch-event-source';
import { AbortedError } from './aborted.js';
import { ChatError } from './errors.js';
import { ReplyReader, errorFromResponse } from './parse.js';
import type { ChatRequest, ChunkChoices } from './wire.js';
import { REQUEST_ID_HEADER, SESSION_HEADER } from '../shared/http.js';

/** The type given to a last event the body ended inside of. */
const CUT = 'pathors-cut';

export interface PostChatOptions {
  /** The proxy's chat endpoint, e.g. `https://example.com/pathors/chat/completions`. */
  url: string;
  body: ChatRequest;
  sessionId?: string | undefined;
  /** Idempotency key: one per user action, so the proxy can refuse a replay. */
  requestId: string;
  /** Extra headers from the page (a CSRF token, a login). */
  headers?: Record<string, string> | undefined;
  fetch?: typeof fetch | undefined;
  /** Aborts the request: the user pressed stop, or the element went away. */
  signal: AbortSignal;
  /** How long to wait for the first byte of the answer. */
  firstByteTimeoutMs: number;
  onSession(sessionId: string): void;
  onChunk(chunk: ChunkChoices): void;
}

/** Sends one chat turn: `postChat` by default; tests and other hosts may pass their own. */
export type Transport = (options: PostChatOptions) => Promise<void>;

/**
 * POSTs one chat turn and feeds the reply to `onChunk`, streamed (SSE, read by
 * fetch-event-source) or not: a JSON completion is read as one chunk, also where a stream was
 * asked for (a buffering gateway). Resolves when the reply is complete; rejects with a
 * ChatError, or an AbortedError after `signal` fired. Never sends the POST twice.
 */
export async function postChat(options: PostChatOptions): Promise<void> {
  const { signal: callerSignal } = options;
  if (callerSignal.aborted) throw new AbortedError('aborted before sending');
  // The request's own controller: aborted by the caller's stop or when no byte comes in time.
  const controller = new AbortController();
  const abort = () => controller.abort();
  let timedOut = false;
  /** The server answered (headers arrived): a failure after this is a cut, not "unreachable". */
  let responded = false;
  const timer = setTimeout(() => {
    timedOut = true;
    abort();
  }, options.firstByteTimeoutMs);
  callerSignal.addEventListener('abort', abort);
  /** Why the request was cut by us rather than failing: no byte in time, or the caller's stop. */
  const stopped = () =>
    timedOut
      ? new ChatError('timeout', 'No answer in time')
      : callerSignal.aborted
        ? new AbortedError('aborted')
        : undefined;
  const reply = new ReplyReader(options.onSession, options.onChunk);
  // A plain object: fetch-event-source silently drops a Headers instance (its #37).
  const headers: Record<string, string> = {
    ...options.headers,
    accept: options.body.stream === false ? 'application/json' : 'text/event-stream',
    'Content-Type': 'application/json',
    [REQUEST_ID_HEADER]: options.requestId,
  };
  if (options.sessionId) headers[SESSION_HEADER] = options.sessionId;
  try {
    await fetchEventSource(options.url, {
      method: 'POST',
      headers,
      body: JSON.stringify(options.body),
      signal: controller.signal,
      credentials: 'same-origin',
      // Its default closes the request when the tab is hidden and re-sends the POST when shown.
      openWhenHidden: true,
      // Sees the first byte, and ends the body with a blank line: fetch-event-source drops a
      // last event that lacks one, which the spec allows. A body cut inside a line also names
      // that event, so its half a chunk reads as a cut, not as a server writing nonsense.
      async fetch(input, init) {
        const response = await (options.fetch ?? fetch)(input, init);
        responded = true;
        // A whole JSON completion, or an error's body, is read as text: it gets no event marker.
        const events = response.ok && /event-stream/i.test(response.headers.get('Content-Type') ?? '');
        let last = 10;
        return new Response(
          response.body?.pipeThrough(
            new TransformStream<Uint8Array, Uint8Array>({
              transform(chunk, stream) {
                clearTimeout(timer);
                last = chunk.at(-1) ?? last;
                stream.enqueue(chunk);
              },
              flush: (stream) =>
                stream.enqueue(new TextEncoder().encode(last === 10 || !events ? '\n\n' : `\nevent:${CUT}\n\n`)),
            }),
          ),
          response,
        );
      },
      // Its default reads a 500 sent as an event stream as messages: the status comes first.
      async onopen(response) {
        const id = response.headers.get(SESSION_HEADER);
        if (id) options.onSession(id);
        reply.sessionFromHeader = Boolean(id);
        if (!response.ok) throw await errorFromResponse(response);
        const type = (response.headers.get('Content-Type') ?? '').toLowerCase();
        if (type.startsWith('text/event-stream')) return;
        if (!type.startsWith('application/json')) {
          throw new ChatError('malformed', `Expected a chat stream, got ${type || 'no content type'}`, {
            status: response.status,
          });
        }
        reply.chunk(await response.text(), true);
        // Ends fetch-event-source before it reads the (consumed) body as a stream.
        throw controller;
      },
      onmessage({ data, event }) {
        reply.event(data, event === CUT);
      },
      onclose() {
        reply.end();
      },
      onerror(error) {
        // Rethrowing is the only way to stop fetch-event-source retrying (re-POSTing) forever.
        throw error;
      },
    });
  } catch (error) {
    if (error !== controller) {
      throw (
        stopped() ??
        (error instanceof ChatError
          ? error
          : responded
            ? new ChatError('interrupted', 'The connection dropped during the reply', { cause: error })
            : typeof navigator !== 'undefined' && navigator.onLine === false
              ? new ChatError('offline', 'The browser is offline', { cause: error })
              : new ChatError('network', 'The chat server could not be reached', { cause: error }))
      );
    }
  } finally {
    clearTimeout(timer);
    callerSignal.removeEventListener('abort', abort);
  }
  // fetch-event-source resolves quietly on abort (it calls neither onclose nor onerror).
  const stop = stopped();
  if (stop) throw stop;
}
