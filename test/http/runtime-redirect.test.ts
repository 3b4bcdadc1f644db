/**
 * An upstream that answers with a redirect is an upstream error, on every runtime: the key
 * never follows a 3xx to another host. (workerd refuses `redirect: 'error'`, which once broke
 * every chat there; `'manual'` works everywhere.)
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen } from './proxy-harness.js';
import { API_KEY, ORIGIN, SECRET } from '../runtimes/conformance.js';
import { startExpress, startWorkerd } from '../runtimes/launch.js';
import type { Running, SnippetEnv } from '../runtimes/launch.js';

let elsewhere: Server;
let redirecting: Server;
let elsewhereHits = 0;
let redirectingUrl: string;

beforeAll(async () => {
  elsewhere = createServer((_req, res) => {
    elsewhereHits += 1;
    res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
  });
  const elsewhereUrl = await listen(elsewhere);
  redirecting = createServer((req, res) => {
    req.resume();
    res.writeHead(302, { Location: `${elsewhereUrl}${req.url ?? '/'}` }).end();
  });
  redirectingUrl = await listen(redirecting);
});

afterAll(async () => {
  for (const server of [elsewhere, redirecting]) {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  }
});

describe.each([
  ['Node (Express snippet)', startExpress],
  ['workerd (Worker snippet)', startWorkerd],
] as const)('an upstream redirect on %s', (_runtime, start: (env: SnippetEnv) => Promise<Running>) => {
  let proxy: Running;
  beforeAll(async () => {
    proxy = await start({
      PATHORS_API_KEY: API_KEY,
      PATHORS_PROJECT_ID: 'proj_fake',
      PATHORS_SESSION_SECRET: SECRET,
      PATHORS_BASE_URL: redirectingUrl,
    });
  }, 60_000);
  afterAll(() => proxy?.stop());

  it('is answered 502 upstream_error, and the redirect is not followed', async () => {
    elsewhereHits = 0;
    const response = await fetch(`${proxy.base}/chat/completions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: ORIGIN },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }),
    });
    const body = (await response.json()) as { error: { code: string } };
    expect(response.status).toBe(502);
    expect(body.error.code).toBe('upstream_error');
    expect(elsewhereHits).toBe(0);
  });
});
