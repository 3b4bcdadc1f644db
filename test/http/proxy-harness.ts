/**
 * The proxy's test bench: a fake Pathors upstream, the proxy on node:http through
 * `toNodeHandler` on 127.0.0.1:0, and a tap on every byte the proxy writes to its clients and
 * every log event it emits, so each suite can prove the key never left.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { expect } from 'vitest';
import { createPathorsProxy, toNodeHandler } from '../../src/proxy/index.js';
import type { PathorsProxyOptions, ProxyLogEvent } from '../../src/proxy/index.js';
import { startFakeUpstream } from '../../src/testing/index.js';
import type { FakeUpstream, FakeUpstreamOptions } from '../../src/testing/index.js';

/** Distinctive, so a leak cannot hide behind a common substring. */
export const API_KEY = 'sk_live_PROXYTEST_7fQ2mZk9Lw3vXr8N';
export const SECRET = 'test-session-secret-0123456789abcdef-0123456789';
export const ORIGIN = 'https://shop.example';

export type Layout = 'legacy' | 'v1';

export interface BenchOptions {
  fake?: FakeUpstreamOptions;
  layout?: Layout;
  proxy?: Partial<PathorsProxyOptions>;
}

export interface Bench {
  fake: FakeUpstream;
  /** The proxy's origin, e.g. http://127.0.0.1:41234. */
  url: string;
  logs: ProxyLogEvent[];
  /** Everything the proxy wrote to client sockets, status lines and headers included. */
  wire(): string;
  /** Requests the fake received, ignoring none: a refusal must leave this at 0. */
  upstreamCount(): number;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  chat(body: unknown, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

export async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export function upstreamFor(fake: FakeUpstream, layout: Layout): PathorsProxyOptions['upstream'] {
  return layout === 'legacy'
    ? fake.url
    : {
        chatCompletions: `${fake.url}/v1/projects/{projectId}/chat/completions`,
        session: `${fake.url}/project/{projectId}/session`,
      };
}

/** Copies each socket write, before it leaves, into `sink`. */
function tapSockets(server: Server, sink: Buffer[]): void {
  server.on('connection', (socket: Socket) => {
    const write = socket.write;
    const tapped = function (this: Socket, ...args: unknown[]): boolean {
      const [chunk, encoding] = args;
      if (typeof chunk === 'string')
        sink.push(Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8'));
      else if (chunk instanceof Uint8Array) sink.push(Buffer.from(chunk));
      return (write as (...params: unknown[]) => boolean).apply(this, args);
    };
    socket.write = tapped as Socket['write'];
  });
}

export async function startBench(options: BenchOptions = {}): Promise<Bench> {
  const fake = await startFakeUpstream({ apiKey: API_KEY, ...options.fake });
  const logs: ProxyLogEvent[] = [];
  const proxy = createPathorsProxy({
    apiKey: fake.apiKey,
    projectId: fake.projectId,
    upstream: upstreamFor(fake, options.layout ?? 'legacy'),
    allowedOrigins: [ORIGIN],
    sessionSecret: SECRET,
    // Suites share one client IP; the limits suite sets its own.
    rateLimit: { perIp: false, perSession: false },
    log: (event) => logs.push(event),
    ...options.proxy,
  });
  const wire: Buffer[] = [];
  const server = createServer(toNodeHandler(proxy));
  tapSockets(server, wire);
  const url = await listen(server);

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: ORIGIN, ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  return {
    fake,
    url,
    logs,
    wire: () => Buffer.concat(wire).toString('latin1'),
    upstreamCount: () => fake.requests.length,
    post,
    chat: (body, headers) => post('/chat/completions', body, headers),
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await fake.close();
    },
  };
}

/** The proof every suite ends with: the key reached no client and no log line. */
export function expectNoKeyLeak(bench: Bench): void {
  const wire = bench.wire();
  expect(wire.length).toBeGreaterThan(0);
  expect(wire).not.toContain(bench.fake.apiKey);
  expect(wire).not.toContain(bench.fake.apiKey.slice(3));
  for (const event of bench.logs) expect(JSON.stringify(event)).not.toContain(bench.fake.apiKey);
}

export interface ErrorShape {
  status: number;
  code: string;
  message: string;
  field?: string;
  headers: Headers;
}

/** Reads a refusal and checks it is the documented JSON shape. */
export async function readError(response: Response): Promise<ErrorShape> {
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const body = (await response.json()) as { error?: { code?: unknown; message?: unknown; field?: unknown } };
  expect(typeof body.error?.code).toBe('string');
  expect(typeof body.error?.message).toBe('string');
  expect(body.error!.code).toMatch(/^[a-z]+(_[a-z]+)*$/);
  const shape: ErrorShape = {
    status: response.status,
    code: body.error!.code as string,
    message: body.error!.message as string,
    headers: response.headers,
  };
  if (typeof body.error?.field === 'string') shape.field = body.error.field;
  return shape;
}

export function userTurn(content = 'Hello there', extra: Record<string, unknown> = {}) {
  return { messages: [{ role: 'user', content }], stream: false, ...extra };
}

/** Reads an event stream as the chunks the client received them in, with when each arrived. */
export async function readChunks(response: Response): Promise<Array<{ text: string; at: number }>> {
  const chunks: Array<{ text: string; at: number }> = [];
  const decoder = new TextDecoder();
  const reader = response.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push({ text: decoder.decode(value, { stream: true }), at: Date.now() });
  }
  return chunks;
}
