// Types only at module scope: index.ts re-exports this file, and a Workers bundle must not need node:http.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPathorsProxy, isUnmatchedRoute } from './handler.js';
import type { PathorsProxy } from './handler.js';
import type { PathorsProxyOptions } from './options.js';

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
  return new ReadableStream<Uint8Array>({
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
  }, { highWaterMark: 0 });
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

async function writeBody(response: Response, res: ServerResponse): Promise<void> {
  if (!response.body) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  if (res.destroyed) {
    await reader.cancel().catch(() => undefined);
    return;
  }
  // Cancelling our reader cancels the relay, which aborts the upstream fetch.
  res.on('close', () => {
    if (!res.writableEnded) reader.cancel().catch(() => undefined);
  });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) {
        await new Promise<void>((resolve) => {
          res.once('drain', resolve);
          res.once('close', resolve);
        });
      }
      if (res.destroyed) return;
    }
    res.end();
  } catch {
    // The stream broke mid-way: cut the connection so the client sees a failure, not a clean end.
    res.destroy();
  }
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
      const response = await handler(toRequest(req, controller.signal), { clientAddress: req.socket.remoteAddress });
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

export interface ProxyServerOptions extends PathorsProxyOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 8787; 0 picks a free port. */
  port?: number;
}

export interface ProxyServer {
  /** `http://host:port`, with the port actually bound. */
  url: string;
  close(): Promise<void>;
}

/** Starts the proxy on its own node:http server, as the CLI and the demo do. */
export async function startProxyServer(options: ProxyServerOptions): Promise<ProxyServer> {
  const { host = '127.0.0.1', port = 8787, ...proxyOptions } = options;
  const handler = toNodeHandler(createPathorsProxy(proxyOptions));
  // Not `import 'node:http'`: index.ts re-exports this module, and edge bundlers (wrangler's
  // esbuild) fail on any node:http import, even a dynamic one. getBuiltinModule is Node >= 20.16.
  const { createServer } = process.getBuiltinModule('node:http');
  const server = createServer((req, res) => handler(req, res));
  // A request's body must arrive in time; a response stream may run as long as the agent writes.
  server.requestTimeout = 60_000;
  server.headersTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
