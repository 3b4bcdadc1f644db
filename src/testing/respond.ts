import { setTimeout as sleep } from 'node:timers/promises';
import { chunk, completion, finishReasonOf, newIdentity, planDeltas, sseEvent } from './chunks.js';
import type { Exchange } from './exchange.js';
import { writeAndFlush } from './http-util.js';
import type { PlannedReply } from './script.js';
import type { Fault } from './types.js';

/** How many good chunks a broken stream sends before it breaks. */
const CHUNKS_BEFORE_BREAK = 3;
/** How long after its last byte a dropped connection dies. */
const DROP_AFTER_MS = 50;

/**
 * Streams `reply` as server-sent events, one chunk per delta, or breaks the stream the way
 * `fault` says. Stops writing as soon as the client goes away.
 */
export async function respondStream(
  exchange: Exchange,
  reply: PlannedReply,
  sessionId: string,
  fault: Fault | undefined,
  tokenDelayMs: number,
): Promise<void> {
  const { res, signal } = exchange;
  if (signal.aborted) return;
  if (fault === 'wrong-content-type') return sendBadGateway(exchange);

  res.writeHead(200, {
    'Content-Type': 'text/event-stream',
    'Cache-Control': 'no-cache',
    Connection: 'keep-alive',
  });
  res.flushHeaders();
  exchange.record.status = 200;
  exchange.notify();

  if (fault === 'empty-reply') {
    res.end(sseEvent('[DONE]'));
    return;
  }

  const identity = newIdentity(sessionId);
  const events = planDeltas(reply).map((delta) => sseEvent(chunk(identity, delta)));
  events.push(sseEvent(chunk(identity, {}, finishReasonOf(reply))));
  const breaking = fault === 'drop-mid-stream' || fault === 'malformed-chunk';
  const goodCount = breaking ? Math.min(CHUNKS_BEFORE_BREAK, Math.max(1, events.length - 2)) : events.length;

  for (const [i, event] of events.slice(0, goodCount).entries()) {
    if (i > 0 && tokenDelayMs > 0) {
      try {
        await sleep(tokenDelayMs, undefined, { signal });
      } catch {
        return;
      }
    }
    if (signal.aborted || res.destroyed) return;
    await writeAndFlush(res, event);
  }
  if (signal.aborted || res.destroyed) return;

  switch (fault) {
    case 'drop-mid-stream':
      await dropConnection(exchange);
      return;
    case 'malformed-chunk':
      res.end('data: {not json\n\n');
      return;
    case 'no-trailing-blank-line':
      res.end('data: [DONE]');
      return;
    default:
      res.end(sseEvent('[DONE]'));
  }
}

/** Answers `reply` as one `chat.completion` JSON body, or breaks it the way `fault` says. */
export async function respondJson(
  exchange: Exchange,
  reply: PlannedReply,
  sessionId: string,
  fault: Fault | undefined,
): Promise<void> {
  const { res } = exchange;
  if (exchange.signal.aborted) return;
  const text = JSON.stringify(completion(newIdentity(sessionId), reply));
  switch (fault) {
    case 'wrong-content-type':
      return sendBadGateway(exchange);
    case 'drop-mid-stream':
      res.writeHead(200, { 'Content-Type': 'application/json' });
      exchange.record.status = 200;
      await writeAndFlush(res, text.slice(0, Math.floor(text.length / 2)));
      await dropConnection(exchange);
      return;
    case 'malformed-chunk':
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{not json');
      return;
    case 'empty-reply':
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '0' });
      res.end();
      return;
    default:
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(text)) });
      res.end(text);
  }
}

/** What a misconfigured gateway in front of the upstream sends: a 200 that is not the API at all. */
function sendBadGateway(exchange: Exchange): void {
  const body = '<html>Bad gateway</html>';
  exchange.res.writeHead(200, { 'Content-Type': 'text/html', 'Content-Length': String(Buffer.byteLength(body)) });
  exchange.res.end(body);
}

/**
 * Callers wait for their last write to flush first, or the client would not see the partial
 * reply. The short pause matters too: a reset that lands with the data lets a client (undici,
 * a browser) discard bytes it had received but not yet read, so the partial reply would vanish
 * at random; a real connection dies some time after its last byte.
 */
async function dropConnection(exchange: Exchange): Promise<void> {
  await sleep(DROP_AFTER_MS);
  exchange.markServerDrop();
  exchange.res.socket?.destroy();
  exchange.res.destroy();
}
