// Types only at module scope: index.ts re-exports this file, and a Workers bundle must not need node:http.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { withBufferedBody } from './buffered-body.js';
import { isUnmatchedRoute, ownBodyLimit } from './handler.js';
import type { PathorsProxy } from './handler.js';
import { lazyWebStream, nodeBodySource } from './node-fetch.js';
import { failureMessage, idleMessage, idleWatch, takeRelaySource } from './relay.js';
import type { RelaySource } from './relay.js';

/** `(req, res, next?)`: node:http, Express and Connect all call handlers this way. */
export type NodeHandler = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => void;

/** Express's body parsers leave the parsed body here, with the stream already drained. */
type MaybeParsed = IncomingMessage & { body?: unknown };

/** A body the handler reads as it arrives, for a request it may pass on to `next()` unread. */
function streamedBody(req: IncomingMessage): ReadableStream<Uint8Array> {
  // Not req.destroy() on cancel: that would close the socket before the 413 could be sent.
  // Node drains and discards the rest once the response ends.
  return lazyWebStream(req, (source) => source.resume());
}

/** What a body that broke off reads as: the handler sees the failure as the stream would show it. */
function brokenBody(error: Error): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({ start: (controller) => controller.error(error) });
}

const NO_BYTES = new Uint8Array(0);

/**
 * The whole body of a request the proxy serves itself, straight from the IncomingMessage: one
 * buffer instead of a web stream pulled chunk by chunk. Bounded: a declared length past `limit`
 * reads nothing, and reading stops one chunk past it (the rest is discarded unread); either way
 * the handler sees more than `limit` bytes, declared or read, and answers 413. Resolves with the
 * error when the client broke off mid-body.
 */
function bufferedBody(req: IncomingMessage, limit: number): Promise<Uint8Array | Error> {
  const declared = Number(req.headers['content-length']);
  // Already read by something before us that kept nothing: there is nothing left to wait for.
  if (declared > limit || req.readableEnded) return Promise.resolve(NO_BYTES);
  return new Promise((resolve) => {
    const chunks: Uint8Array[] = [];
    let total = 0;
    const settle = (result: Uint8Array | Error) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      resolve(result);
    };
    const joined = (): Uint8Array => {
      if (chunks.length === 1) return chunks[0]!;
      const bytes = new Uint8Array(total);
      let offset = 0;
      for (const chunk of chunks) {
        bytes.set(chunk, offset);
        offset += chunk.byteLength;
      }
      return bytes;
    };
    const onData = (chunk: Uint8Array) => {
      chunks.push(chunk);
      total += chunk.byteLength;
      if (total <= limit) return;
      settle(joined());
      // Discards what is left without reading it into memory; the socket stays up for the 413.
      req.resume();
    };
    const onEnd = () => settle(chunks.length === 0 ? NO_BYTES : joined());
    const onError = (error: Error) => settle(error);
    const onClose = () => settle(new Error('The client disconnected mid-body.'));
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onError);
    req.once('close', onClose);
  });
}

function requestHeaders(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name.startsWith(':')) continue;
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else headers.set(name, value);
  }
  return headers;
}

/**
 * The Fetch Request for `req`. Its body: what an Express parser already read; read whole and handed
 * beside the Request when the handler serves this route itself (the chat POST is small and bounded
 * by the size limit); else streamed lazily, so a request passed to `next()` keeps its body.
 * Throws where `new Request` cannot represent the request.
 */
async function toRequest(handler: PathorsProxy, req: MaybeParsed, signal: AbortSignal): Promise<Request> {
  const method = req.method ?? 'GET';
  // Only the path is ours to read; the host part just makes the URL absolute. Joined, not
  // resolved: resolved against a base, a path starting with // would be read as a host.
  const target = req.url ?? '/';
  const url = target.startsWith('/') ? new URL(`http://localhost${target}`) : new URL(target, 'http://localhost');
  const init: RequestInit & { duplex?: 'half' } = { method, headers: requestHeaders(req), signal };
  if (method === 'GET' || method === 'HEAD') return new Request(url, init);
  if (req.readableEnded && req.body !== undefined) {
    const parsed = req.body;
    init.body =
      typeof parsed === 'string'
        ? parsed
        : parsed instanceof Uint8Array
          ? Uint8Array.from(parsed)
          : JSON.stringify(parsed);
    return new Request(url, init);
  }
  const limit = ownBodyLimit(handler, method, url.pathname);
  if (limit === undefined) {
    init.body = streamedBody(req);
    init.duplex = 'half';
    return new Request(url, init);
  }
  const body = await bufferedBody(req, limit);
  if (!(body instanceof Error)) return withBufferedBody(new Request(url, init), body);
  init.body = brokenBody(body);
  init.duplex = 'half';
  return new Request(url, init);
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

interface RelayGuard {
  /** The idle deadline on upstream: `waiting()` while waiting on it, `got()` once it sent something. */
  readonly watch: ReturnType<typeof idleWatch>;
  /** True once the relay ended, broke or was stopped: nothing more goes to the client. */
  readonly finished: boolean;
  /** The upstream body ended whole. */
  end(): void;
  /** The upstream body broke: logged, the upstream aborted, and the client cut so it sees a failure. */
  fail(error: unknown): void;
}

/**
 * What every relay to a socket keeps: one idle timer per stream, the upstream aborted at once
 * when the client leaves, and a broken or idle upstream shown to the client as a cut connection,
 * not a clean end. `cancelSource` stops reading the upstream body. Undefined when the client is
 * already gone (the upstream is aborted then).
 */
function guardRelay(relay: RelaySource, res: ServerResponse, cancelSource: () => void): RelayGuard | undefined {
  let finished = false;
  const stop = () => {
    finished = true;
    watch.stop();
    relay.abortUpstream();
    cancelSource();
  };
  const cut = (message: string) => {
    if (finished) return;
    relay.onError(message);
    stop();
    res.destroy();
  };
  const watch = idleWatch(relay.idleTimeoutMs, () => cut(idleMessage(relay.idleTimeoutMs)));
  if (res.destroyed) {
    stop();
    return undefined;
  }
  res.on('close', () => {
    if (!res.writableEnded && !finished) stop();
  });
  return {
    watch,
    get finished() {
      return finished;
    },
    end() {
      finished = true;
      watch.stop();
    },
    fail: (error) => cut(failureMessage(error)),
  };
}

/** A relayed web stream (any upstream fetch but the Node one): one read and one write per chunk. */
async function pipeWebRelay(relay: RelaySource, res: ServerResponse): Promise<void> {
  const reader = relay.source.getReader();
  const guard = guardRelay(relay, res, () => void reader.cancel().catch(() => undefined));
  if (!guard) return;
  try {
    for (;;) {
      guard.watch.waiting();
      const { done, value } = await reader.read();
      guard.watch.got();
      if (guard.finished) return;
      if (done) break;
      if (!res.write(value)) await drained(res);
      if (res.destroyed) return;
    }
    guard.end();
    res.end();
  } catch (error) {
    guard.fail(error);
  }
}

/**
 * A body from the Node upstream fetch, socket to socket with no web stream at all: per chunk one
 * listener and one write. The upstream pauses while the client's socket is full, so a slow reader
 * holds at most one socket buffer here; waiting on it does not count towards the idle deadline.
 */
function pipeNodeRelay(source: Readable, relay: RelaySource, res: ServerResponse): void {
  const guard = guardRelay(relay, res, () => source.destroy());
  if (!guard) return;
  const { watch } = guard;
  watch.waiting();
  source.on('data', (chunk: Buffer) => {
    // Each chunk starts the idle clock again: the deadline is for silence, not for the whole reply.
    watch.waiting();
    if (res.write(chunk)) return;
    source.pause();
    watch.got();
  });
  res.on('drain', () => {
    if (guard.finished) return;
    watch.waiting();
    source.resume();
  });
  source.once('end', () => {
    guard.end();
    res.end();
  });
  source.once('error', (error) => guard.fail(error));
  source.once('close', () => {
    if (!source.readableEnded) guard.fail(new Error('The upstream connection closed mid-body.'));
  });
}

/** The upstream's bytes straight to the socket, by the cheapest way the body allows. */
function pipeRelay(relay: RelaySource, res: ServerResponse): Promise<void> {
  const nodeSource = nodeBodySource(relay.source);
  if (!nodeSource) return pipeWebRelay(relay, res);
  pipeNodeRelay(nodeSource, relay, res);
  return Promise.resolve();
}

async function writeBody(response: Response, res: ServerResponse): Promise<void> {
  if (!response.body) {
    res.end();
    return;
  }
  const relay = takeRelaySource(response.body);
  if (relay) return pipeRelay(relay, res);
  const reader = response.body.getReader();
  if (res.destroyed) {
    await reader.cancel().catch(() => undefined);
    return;
  }
  // Cancelling our reader cancels the body (a relay aborts its upstream fetch).
  res.on('close', () => {
    if (!res.writableEnded) reader.cancel().catch(() => undefined);
  });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await drained(res);
      if (res.destroyed) return;
    }
    res.end();
  } catch {
    // The stream broke mid-way: cut the connection so the client sees a failure, not a clean end.
    res.destroy();
  }
}

/** Methods the Fetch API forbids outright; everything else it cannot represent is a malformed request. */
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);

function refuseUnrepresentable(req: IncomingMessage, res: ServerResponse): void {
  const method = (req.method ?? '').toUpperCase();
  const [status, code, message] = FORBIDDEN_METHODS.has(method)
    ? [405, 'method_not_allowed', `${method} is not allowed here.`]
    : [400, 'invalid_request', 'The request could not be read.'];
  req.resume();
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    ...(status === 405 ? { Allow: 'GET, POST, DELETE, OPTIONS' } : {}),
  });
  res.end(JSON.stringify({ error: { code, message } }));
}

/**
 * Adapts a Fetch handler to node:http, Express and Connect. Under Express, `req.url` is
 * already relative to the mount path. Paths the proxy does not serve go to `next()` when
 * there is one. A disconnect is taken from `res` 'close', not `req` 'close', which
 * fires early or late depending on the Node version (nodejs/node#33035).
 */
export function toNodeHandler(handler: PathorsProxy): NodeHandler {
  return (req, res, next) => {
    const controller = new AbortController();
    res.on('close', () => {
      if (!res.writableEnded) controller.abort();
    });
    void (async () => {
      let request: Request;
      try {
        request = await toRequest(handler, req, controller.signal);
      } catch {
        // `new Request()` refuses some methods (TRACE, TRACK, CONNECT) and values node:http lets
        // through: a clean refusal, never a 500, and never the site's error handler.
        refuseUnrepresentable(req, res);
        return;
      }
      const response = await handler(request, { clientAddress: req.socket.remoteAddress });
      if (next && isUnmatchedRoute(response)) {
        next();
        return;
      }
      if (res.headersSent || res.destroyed) return;
      const headers: Record<string, string | string[]> = {};
      response.headers.forEach((value, name) => {
        headers[name] = value;
      });
      // forEach gives each Set-Cookie on its own, and the last would overwrite the others.
      const cookies = response.headers.getSetCookie();
      if (cookies.length) headers['set-cookie'] = cookies;
      res.writeHead(response.status, headers);
      // Headers go out now, so an event stream's client sees 200 before the first token.
      res.flushHeaders();
      await writeBody(response, res);
    })().catch((error: unknown) => {
      if (next) {
        next(error);
      } else if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ error: { code: 'internal_error', message: 'The proxy failed unexpectedly.' } }));
      } else {
        res.destroy();
      }
    });
  };
}
