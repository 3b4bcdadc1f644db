// Types only at module scope: index.ts re-exports this file, and a Workers bundle must not need
// node:worker_threads.
import type { AddressInfo } from 'node:net';
import type { Worker } from 'node:worker_threads';
import type { PathorsProxy } from './handler.js';
import { serverUrl } from './server-url.js';

export interface HealthPortOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 picks a free port. */
  port: number;
  /** The proxy's `basePath`, where it serves its own `/health`. The health port answers `/health`. */
  basePath?: string;
  /**
   * A probe that finds the proxy's own answer outstanding for longer than this is told 503
   * `{ ok: false, degraded: ['event_loop'] }`: the proxy's event loop is stuck. Default 5000.
   */
  stallMs?: number;
}

export interface HealthPort {
  /** `http://host:port`, with the port actually bound; probes go to `${url}/health`. */
  url: string;
  close(): Promise<void>;
}

export const HEALTH_STALL_MS = 5000;

/**
 * The health thread: an http server on a loop of its own that answers `GET /health` at once
 * with the proxy's latest answer, and asks the proxy's thread for a fresh one (one ask at a time).
 * A string, run with `eval`, so that it needs no file beside a bundled copy of the proxy; no
 * `require` or `import`, so that it runs as a script or as a module (`--input-type=module`).
 */
const THREAD = `
const { parentPort, workerData } = process.getBuiltinModule('node:worker_threads');
const { createServer } = process.getBuiltinModule('node:http');
const { stallMs } = workerData;
let latest = workerData.first;
let askedAt = 0;
parentPort.on('message', (answer) => {
  latest = answer;
  askedAt = 0;
});
const json = (res, status, body, headers = {}) => {
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
};
const server = createServer((req, res) => {
  const path = req.url.split('?')[0];
  if (path !== '/health')
    return json(res, 404, '{"error":{"code":"not_found","message":"This port answers GET /health only."}}');
  if (req.method !== 'GET' && req.method !== 'HEAD')
    return json(res, 405, '{"error":{"code":"method_not_allowed","message":"Use GET."}}', { Allow: 'GET, HEAD' });
  // performance.now(): a step of the wall clock must not look like a stuck loop.
  const now = performance.now();
  if (askedAt && now - askedAt > stallMs)
    return json(res, 503, JSON.stringify({ ok: false, degraded: ['event_loop'], stalledMs: Math.round(now - askedAt) }));
  if (!askedAt) {
    askedAt = now;
    parentPort.postMessage(req.socket.remoteAddress ?? '');
  }
  json(res, latest.status, latest.body);
});
server.headersTimeout = 10000;
server.requestTimeout = 10000;
server.keepAliveTimeout = 5000;
server.on('error', (error) => parentPort.postMessage({ error: { code: error.code, message: error.message } }));
server.listen({ host: workerData.host, port: workerData.port }, () =>
  parentPort.postMessage({ listening: server.address() }),
);
`;

interface Answer {
  status: number;
  body: string;
}

/** What the thread says once: listening, or why it cannot. */
type Started = { listening: AddressInfo } | { error: { code?: string; message: string } };

async function answerOf(proxy: PathorsProxy, url: string, clientAddress: string): Promise<Answer> {
  const response = await proxy(new Request(url), { clientAddress });
  return { status: response.status, body: await response.text() };
}

/**
 * Serves `GET /health` on a port of its own, from a thread of its own, so that a load balancer's
 * probe is answered in milliseconds while the proxy's event loop is busy relaying a burst of
 * streams (on its traffic port, a probe waits behind them: seconds under a thousand new
 * connections). The answer is `proxy`'s own `/health` (a Redis store's state included), asked
 * after each probe and given to the next one; a loop that has not answered within `stallMs` is
 * reported as stalled. Node only.
 */
export async function startHealthPort(proxy: PathorsProxy, options: HealthPortOptions): Promise<HealthPort> {
  const { Worker } = process.getBuiltinModule('node:worker_threads');
  const host = options.host ?? '127.0.0.1';
  const url = `http://localhost${options.basePath ?? ''}/health`;
  const first = await answerOf(proxy, url, '127.0.0.1');
  const worker: Worker = new Worker(THREAD, {
    eval: true,
    workerData: { host, port: options.port, stallMs: options.stallMs ?? HEALTH_STALL_MS, first },
  });
  // The proxy's server keeps the process up; the health port alone must not.
  worker.unref();
  const address = await new Promise<AddressInfo>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (message: Started) => {
      worker.off('error', reject);
      if ('listening' in message) return resolve(message.listening);
      void worker.terminate();
      reject(Object.assign(new Error(message.error.message), { code: message.error.code }));
    });
  });
  // A thread that died leaves its port closed, and the probes failing: the proxy itself goes on.
  worker.on('error', () => undefined);
  worker.on('message', (clientAddress: unknown) => {
    if (typeof clientAddress !== 'string') return;
    answerOf(proxy, url, clientAddress).then(
      (answer) => worker.postMessage(answer),
      () => worker.postMessage({ status: 500, body: '{"ok":false}' }),
    );
  });
  return {
    url: serverUrl(address),
    close: async () => {
      await worker.terminate();
    },
  };
}
