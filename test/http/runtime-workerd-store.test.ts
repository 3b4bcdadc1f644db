/**
 * The Durable Object store on workerd (Miniflare): two separate Workers, each with its own
 * isolate and memory, bound to one PathorsRateLimiter namespace, count one visitor once.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Miniflare } from 'miniflare';
import { startFakeUpstream } from '../../src/testing/index.js';
import type { FakeUpstream } from '../../src/testing/index.js';
import { API_KEY, ORIGIN, SECRET } from '../runtimes/conformance.js';
import { bundleSnippet } from '../runtimes/launch.js';

let fake: FakeUpstream;
let mf: Miniflare;
type WorkerFetch = (
  path: string,
  init?: { method?: string; headers?: Record<string, string>; body?: string },
) => Promise<{ status: number; text(): Promise<string> }>;
let workers: WorkerFetch[];

beforeAll(async () => {
  fake = await startFakeUpstream({ apiKey: API_KEY });
  const scriptPath = await bundleSnippet('workers', 'neutral');
  const bindings = {
    PATHORS_API_KEY: API_KEY,
    PATHORS_PROJECT_ID: fake.projectId,
    PATHORS_SESSION_SECRET: SECRET,
    PATHORS_BASE_URL: fake.url,
  };
  mf = new Miniflare({
    workers: [
      {
        name: 'edge-a',
        routes: ['edge-a.test/*'],
        modules: true,
        scriptPath,
        compatibilityDate: '2025-09-01',
        bindings,
        durableObjects: { PATHORS_RATE_LIMITER: 'PathorsRateLimiter' },
      },
      {
        name: 'edge-b',
        routes: ['edge-b.test/*'],
        modules: true,
        scriptPath,
        compatibilityDate: '2025-09-01',
        bindings,
        durableObjects: { PATHORS_RATE_LIMITER: { className: 'PathorsRateLimiter', scriptName: 'edge-a' } },
      },
    ],
    host: '127.0.0.1',
    port: 0,
  });
  const url = await mf.ready;
  // Miniflare routes by Host, which fetch() cannot set: plain node:http requests instead.
  workers = ['edge-a.test', 'edge-b.test'].map(
    (host) =>
      (path, init = {}) =>
        new Promise((resolve, reject) => {
          const outgoing = request(
            {
              host: url.hostname,
              port: url.port,
              path,
              method: init.method ?? 'GET',
              headers: { ...init.headers, Host: host },
            },
            (response) => {
              let text = '';
              response.setEncoding('utf8');
              response.on('data', (chunk: string) => (text += chunk));
              response.on('end', () => resolve({ status: response.statusCode ?? 0, text: async () => text }));
            },
          );
          outgoing.on('error', reject);
          outgoing.end(init.body);
        }),
  );
}, 60_000);

afterAll(async () => {
  await mf?.dispose();
  await fake?.close();
});

describe('DurableObjectRateLimitStore across Workers', () => {
  it('one visitor spread over two Workers gets one bucket (60 burst), not two', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 80; i += 1) {
      const response = await workers[i % 2]!('/sessions/not-ours', {
        headers: { Origin: ORIGIN, 'CF-Connecting-IP': '198.51.100.20' },
      });
      await response.text();
      statuses.push(response.status);
    }
    const allowed = statuses.filter((status) => status !== 429).length;
    console.log(`[durable object] 2 Workers, flood of 80 from one address: ${allowed} allowed`);
    // 60 in the bucket, plus the refill (one per 2 s) on a slow machine; two buckets would allow all 80.
    expect(allowed).toBeGreaterThanOrEqual(60);
    expect(allowed).toBeLessThanOrEqual(66);
  });

  it('an X-Request-ID used through one Worker is refused through the other', async () => {
    const send = (worker: WorkerFetch) =>
      worker('/chat/completions', {
        method: 'POST',
        headers: {
          Origin: ORIGIN,
          'Content-Type': 'application/json',
          'X-Request-ID': 'replayed-across-workers-1',
          'CF-Connecting-IP': '198.51.100.21',
        },
        body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }),
      });
    const first = await send(workers[0]!);
    expect(first.status, await first.text()).toBe(200);
    const again = await send(workers[1]!);
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('duplicate_request');
  });
});
