// Types only at module scope: index.ts re-exports this file, and a Workers bundle must not need node:http.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { isUnmatchedRoute } from './handler.js';
import type { PathorsProxy } from './handler.js';
import { nodeBodySource } from './node-fetch.js';
import { failureMessage, idleMessage, idleWatch, takeRelaySource } from './relay.js';
import type { RelaySource } from './relay.js';

/** `(req, res, next?)`: node:http, Express and Connect all call handlers this way. */
export type NodeHandler = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => void;

/** Express's body parsers leave the parsed body here, with the stream already drained. */
type MaybeParsed = IncomingMessage & { body?: unknown };

function requestBody(req: MaybeParsed): BodyInit | undefined {
  if (req.method === 'GET' || req.method === 'HEAD') return undefined;
  if (req.readableEnded && req.body !== undefined) {
    const parsed = req.body;
    if (typeof parsed === 'string') return parsed;
    if (parsed instanceof Uint8Array) return Uint8Array.from(parsed);
    return JSON.stringify(parsed);
  }
  let cancelled = false;
  let attached = false;
  return new ReadableStream<Uint8Array>(
    {
      // Listeners are attached on first read, not at construction: a 'data' listener starts the
      // flow, and a request the proxy passes to next() must keep its body for the next handler.
      pull(controller) {
        if (attached) {
          req.resume();
          return;
        }
        attached = true;
        req.on('data', (chunk: Buffer) => {
          if (cancelled) return;
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((controller.desiredSize ?? 0) <= 0) req.pause();
        });
        req.on('end', () => {
          if (!cancelled) controller.close();
        });
        req.on('error', (error) => {
          if (!cancelled) controller.error(error);
        });
      },
      cancel() {
        // Not req.destroy(): that would close the socket before the 413 could be sent.
        // Node drains and discards the rest once the response ends.
        cancelled = true;
        req.resume();
      },
      // Zero, or the stream would pull (and start the flow) at construction.
    },
    { highWaterMark: 0 },
  );
}

function toRequest(req: MaybeParsed, signal: AbortSignal): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name.startsWith(':')) continue;
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else headers.set(name, value);
  }
  // Only the path is ours to read; the host part just makes the URL absolute.
  const url = new URL(req.url ?? '/', 'http://localhost');
  const body = requestBody(req);
  const init: RequestInit & { duplex?: 'half' } = { method: req.method ?? 'GET', headers, signal };
  if (body !== undefined) {
    init.body = body;
    init.duplex = 'half';
  }
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

/**
 * The upstream's bytes straight to the socket: one read and one write per chunk, no stream in
 * between, one idle timer per stream. A client that leaves aborts the upstream at once.
 */
async function pipeRelay(relay: RelaySource, res: ServerResponse): Promise<void> {
  const nodeSource = nodeBodySource(relay.source);
  if (nodeSource) {
    pipeNodeRelay(nodeSource, relay, res);
    return;
  }
  const reader = relay.source.getReader();
  let finished = false;
  const stop = () => {
    finished = true;
    watch.stop();
    relay.abortUpstream();
    reader.cancel().catch(() => undefined);
  };
  const watch = idleWatch(relay.idleTimeoutMs, () => {
    if (finished) return;
    relay.onError(idleMessage(relay.idleTimeoutMs));
    stop();
    res.destroy();
  });
  if (res.destroyed) {
    stop();
    return;
  }
  res.on('close', () => {
    if (!res.writableEnded && !finished) stop();
  });
  try {
    for (;;) {
      watch.waiting();
      const { done, value } = await reader.read();
      watch.got();
      if (finished) return;
      if (done) break;
      if (!res.write(value)) await drained(res);
      if (res.destroyed) return;
    }
    finished = true;
    watch.stop();
    res.end();
  } catch (error) {
    if (finished) return;
    relay.onError(failureMessage(error));
    stop();
    // The stream broke mid-way: cut the connection so the client sees a failure, not a clean end.
    res.destroy();
  }
}

/** A body from the Node upstream fetch: piped socket to socket, with no web stream at all. */
function pipeNodeRelay(source: Readable, relay: RelaySource, res: ServerResponse): void {
  let finished = false;
  const stop = () => {
    finished = true;
    watch.stop();
    relay.abortUpstream();
    source.destroy();
  };
  const watch = idleWatch(relay.idleTimeoutMs, () => {
    if (finished) return;
    relay.onError(idleMessage(relay.idleTimeoutMs));
    stop();
    res.destroy();
  });
  if (res.destroyed) {
    stop();
    return;
  }
  // Waiting on upstream counts towards the idle deadline; waiting on a slow client does not.
  watch.waiting();
  source.on('data', () => (res.writableNeedDrain ? watch.got() : watch.waiting()));
  res.on('drain', () => watch.waiting());
  source.once('end', () => {
    finished = true;
    watch.stop();
  });
  source.once('error', (error) => {
    if (finished) return;
    relay.onError(failureMessage(error));
    stop();
    // The stream broke mid-way: cut the connection so the client sees a failure, not a clean end.
    res.destroy();
  });
  source.once('close', () => {
    if (!finished && !source.readableEnded) {
      relay.onError(failureMessage(new Error('The upstream connection closed mid-body.')));
      stop();
      res.destroy();
    }
  });
  res.on('close', () => {
    if (!res.writableEnded && !finished) stop();
  });
  source.pipe(res);
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
    let request: Request;
    try {
      request = toRequest(req, controller.signal);
    } catch {
      // `new Request()` refuses some methods (TRACE, TRACK, CONNECT) and values node:http lets
      // through: a clean refusal, never a 500, and never the site's error handler.
      refuseUnrepresentable(req, res);
      return;
    }
    void (async () => {
      const response = await handler(request, { clientAddress: req.socket.remoteAddress });
      if (next && isUnmatchedRoute(response)) {
        next();
        return;
      }
      if (res.headersSent || res.destroyed) return;
      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        headers[name] = value;
      });
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
