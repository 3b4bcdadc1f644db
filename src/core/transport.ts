import { ChatError, errorFromResponse } from './errors.js';
import { readChunk, type ReadChunk } from './parse.js';
import { readEvents } from './sse.js';
import type { ChatRequest, ChunkChoices } from './wire.js';
import { SESSION_HEADER } from './wire.js';

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

/** Thrown when the request was aborted by its caller; not an error to show. */
export class AbortedError extends Error {
  override readonly name = 'AbortError';
}

/** Sends one chat turn: `postChat` by default; tests and other hosts may pass their own. */
export type Transport = (options: PostChatOptions) => Promise<void>;

/**
 * POSTs one chat turn and feeds the reply to `onChunk`, streamed (SSE) or not: a JSON
 * completion is read as one chunk, also where a stream was asked for (a buffering gateway).
 * Resolves when the reply is complete; rejects with a ChatError, or an AbortedError after
 * `signal` fired. Never sends the POST twice: there is no retry here, nor anywhere below.
 * Needs only `fetch` and streams, so it runs in Node as in the browser.
 */
export async function postChat(options: PostChatOptions): Promise<void> {
  if (options.signal.aborted) throw new AbortedError('aborted before sending');
  const watch = new FirstByteWatch(options.signal, options.firstByteTimeoutMs);
  try {
    const response = await (options.fetch ?? fetch)(options.url, requestInit(options, watch.signal));
    watch.responded();
    const fromHeader = noteSession(response, options);
    if (!response.ok) throw await errorFromResponse(response);
    const type = (response.headers.get('Content-Type') ?? '').toLowerCase();
    if (type.startsWith('application/json')) {
      const text = await response.text();
      watch.firstByte();
      deliver(readChunk(text, true), options, fromHeader);
    } else if (type.startsWith('text/event-stream') && response.body) {
      let done = false;
      let finished = false;
      await readEvents(response.body, (data) => {
        if (done) return;
        if (data === '[DONE]') {
          done = true;
          return;
        }
        const chunk = readChunk(data);
        deliver(chunk, options, fromHeader);
        if (chunk.choices[0]?.finish_reason) finished = true;
      }, () => watch.firstByte());
      if (!done && !finished) throw new ChatError('interrupted', 'The stream ended before the reply did');
    } else {
      throw new ChatError('malformed', `Expected a chat stream, got ${type || 'no content type'}`, { status: response.status });
    }
  } catch (error) {
    throw watch.explain(error);
  } finally {
    watch.dispose();
  }
  watch.throwIfStopped();
}

function requestInit(options: PostChatOptions, signal: AbortSignal): RequestInit {
  const headers: Record<string, string> = {
    ...options.headers,
    Accept: options.body.stream === false ? 'application/json' : 'text/event-stream',
    'Content-Type': 'application/json',
    'X-Request-ID': options.requestId,
  };
  if (options.sessionId) headers[SESSION_HEADER] = options.sessionId;
  return { method: 'POST', headers, body: JSON.stringify(options.body), signal, credentials: 'same-origin' };
}

/** Hands a chunk on, and the session ID it carries unless the signed header gave one. */
function deliver(chunk: ReadChunk, options: PostChatOptions, fromHeader: boolean): void {
  if (chunk.session_id && !fromHeader) options.onSession(chunk.session_id);
  options.onChunk(chunk);
}

/**
 * Takes the session ID from `X-Session-ID`. The proxy signs what it puts there; where the
 * header is present, it wins over a `session_id` in the body.
 */
function noteSession(response: Response, options: PostChatOptions): boolean {
  const id = response.headers.get(SESSION_HEADER);
  if (id) options.onSession(id);
  return Boolean(id);
}

/**
 * Owns the request's AbortController: aborts it when the caller's signal fires
 * or when no byte arrives in time, and tells the two apart afterwards.
 */
class FirstByteWatch {
  readonly #controller = new AbortController();
  readonly #timer: ReturnType<typeof setTimeout>;
  #timedOut = false;
  /** The server answered (headers arrived): a failure after this is a cut, not "unreachable". */
  #responded = false;
  readonly #callerSignal: AbortSignal;
  readonly #onCallerAbort = () => this.#controller.abort();
  readonly signal = this.#controller.signal;

  constructor(callerSignal: AbortSignal, timeoutMs: number) {
    this.#callerSignal = callerSignal;
    callerSignal.addEventListener('abort', this.#onCallerAbort);
    this.#timer = setTimeout(() => {
      this.#timedOut = true;
      this.#controller.abort();
    }, timeoutMs);
  }

  firstByte(): void {
    this.#responded = true;
    clearTimeout(this.#timer);
  }

  /** The server answered (headers arrived): a failure after this is a cut, not "unreachable". */
  responded(): void {
    this.#responded = true;
  }

  throwIfStopped(): void {
    const stopped = this.#stopped();
    if (stopped) throw stopped;
  }

  /** Gives a thrown value its place in the taxonomy. */
  explain(error: unknown): Error {
    const stopped = this.#stopped();
    if (stopped) return stopped;
    if (error instanceof ChatError) return error;
    if (this.#responded) {
      return new ChatError('interrupted', 'The connection dropped during the reply', { cause: error });
    }
    if (typeof navigator !== 'undefined' && navigator.onLine === false) {
      return new ChatError('offline', 'The browser is offline', { cause: error });
    }
    return new ChatError('network', 'The chat server could not be reached', { cause: error });
  }

  dispose(): void {
    clearTimeout(this.#timer);
    this.#callerSignal.removeEventListener('abort', this.#onCallerAbort);
  }

  /** Why the request was cut by us rather than failing: no byte in time, or the caller's stop. */
  #stopped(): Error | undefined {
    if (this.#timedOut) return new ChatError('timeout', 'No answer in time');
    return this.#callerSignal.aborted ? new AbortedError('aborted') : undefined;
  }
}
