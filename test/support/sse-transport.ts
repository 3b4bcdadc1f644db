/**
 * The chat transport for tests in Node, where fetch-event-source cannot run (it needs `window`
 * and `document`): fetch, and a small reader of the event-stream format. It keeps postChat's
 * contract (errors, session, JSON replies, never a second POST), so a Conversation runs in Node
 * against the fake upstream over loopback; the browser's own transport is tested in Chromium.
 */
import { AbortedError } from '../../src/core/aborted.js';
import { ChatError } from '../../src/core/errors.js';
import { ReplyReader, errorFromResponse } from '../../src/core/parse.js';
import type { Transport } from '../../src/core/transport.js';
import { REQUEST_ID_HEADER, SESSION_HEADER } from '../../src/shared/http.js';

/** Sends one chat turn as postChat does, reading the stream with `readEvents`. */
export const sseTransport: Transport = async (options) => {
  if (options.signal.aborted) throw new AbortedError('aborted before sending');
  let responded = false;
  try {
    const response = await (options.fetch ?? fetch)(options.url, {
      method: 'POST',
      headers: {
        ...options.headers,
        'Content-Type': 'application/json',
        [REQUEST_ID_HEADER]: options.requestId,
        ...(options.sessionId ? { [SESSION_HEADER]: options.sessionId } : {}),
      },
      body: JSON.stringify(options.body),
      signal: options.signal,
    });
    responded = true;
    const reply = new ReplyReader(options.onSession, options.onChunk);
    const fromHeader = response.headers.get(SESSION_HEADER);
    if (fromHeader) options.onSession(fromHeader);
    reply.sessionFromHeader = Boolean(fromHeader);
    if (!response.ok) throw await errorFromResponse(response);
    const type = response.headers.get('Content-Type') ?? '';
    if (type.startsWith('application/json')) return reply.chunk(await response.text(), true);
    if (!type.startsWith('text/event-stream') || !response.body)
      throw new ChatError('malformed', `Expected a chat stream, got ${type}`);
    await readEvents(
      response.body,
      (data) => reply.event(data),
      () => {},
    );
    reply.end();
  } catch (error) {
    if (options.signal.aborted) throw new AbortedError('aborted');
    if (error instanceof ChatError) throw error;
    throw new ChatError(responded ? 'interrupted' : 'network', 'The connection failed', { cause: error });
  }
};

/**
 * Reads a `text/event-stream` body and calls `onData` with each event's data, as the HTML
 * spec's event-stream interpretation says: lines end with CRLF, LF or CR; `:` starts a
 * comment (keep-alives); `data` lines join with LF; a blank line ends the event; other fields
 * (`event`, `id`, `retry`) mean nothing to a chat stream. Unlike the spec, a last event that
 * lacks its blank line is delivered, not dropped: proxies are known to cut that line.
 * `onBytes` is called as each piece arrives (the first one ends the first-byte wait).
 */
export async function readEvents(
  body: ReadableStream<Uint8Array>,
  onData: (data: string) => void,
  onBytes: () => void,
): Promise<void> {
  // The cast: TypeScript's DOM types want a stream of any BufferSource for the decoder's input.
  const reader = body
    .pipeThrough(new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>)
    .getReader();
  let data: string | undefined;
  const line = (text: string) => {
    if (!text) {
      if (data !== undefined) onData(data);
      data = undefined;
      return;
    }
    const colon = text.indexOf(':');
    if ((colon < 0 ? text : text.slice(0, colon)) !== 'data') return;
    const value = colon < 0 ? '' : text.slice(text[colon + 1] === ' ' ? colon + 2 : colon + 1);
    data = data === undefined ? value : `${data}\n${value}`;
  };
  let pending = '';
  try {
    for (;;) {
      const { done, value = '' } = await reader.read();
      onBytes();
      // Only a piece holding a line break is split, so a long line costs linear time.
      if (!done && !/[\r\n]/.test(value)) {
        pending += value;
        continue;
      }
      const text = pending + value;
      // A CR at the end may be half of a CRLF: it waits for the next piece.
      const end = !done && text.endsWith('\r') ? text.length - 1 : text.length;
      const lines = text.slice(0, end).split(/\r\n?|\n/);
      pending = lines.pop()! + text.slice(end);
      for (const each of lines) line(each);
      if (done) {
        line(pending);
        line('');
        return;
      }
    }
  } finally {
    // After a malformed event (a throw from onData) the rest is not read; let the connection go.
    reader.cancel().catch(() => {});
  }
}
