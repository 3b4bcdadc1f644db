import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ORIGIN, expectNoKeyLeak, readError, startBench, userTurn } from './proxy-harness.js';
import type { Bench } from './proxy-harness.js';

const EVIL = 'https://evil.example';

describe('proxy: CORS, the first door', () => {
  let bench: Bench;

  beforeAll(async () => {
    bench = await startBench({ proxy: { allowedHeaders: ['X-CSRF-Token'] } });
  });
  beforeEach(() => bench.fake.reset());
  afterAll(async () => {
    expectNoKeyLeak(bench);
    await bench.close();
  });

  it('answers an allowed origin with its own origin (never *), Vary: Origin and the exposed headers', async () => {
    const response = await bench.chat(userTurn());
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(response.headers.get('vary')).toBe('Origin');
    expect(response.headers.get('access-control-expose-headers')).toBe('X-Session-ID, Retry-After');
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    await response.text();
  });

  it('puts the CORS headers on refusals too, so the page can read the error', async () => {
    const response = await bench.chat('nope');
    expect(response.status).toBe(400);
    expect(response.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(response.headers.get('vary')).toBe('Origin');
    await response.text();
  });

  it("answers a preflight from an allowed origin with the methods and headers, the site's extra header included", async () => {
    const response = await fetch(`${bench.url}/chat/completions`, {
      method: 'OPTIONS',
      headers: {
        Origin: ORIGIN,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type, x-session-id, x-request-id, x-csrf-token',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(response.headers.get('access-control-allow-methods')).toBe('GET, POST, DELETE, OPTIONS');
    expect(response.headers.get('access-control-allow-headers')).toBe(
      'Content-Type, X-Session-ID, X-Request-ID, X-CSRF-Token',
    );
    expect(response.headers.get('access-control-max-age')).toBe('600');
    expect(response.headers.get('vary')).toContain('Origin');
    expect(bench.upstreamCount()).toBe(0);
  });

  it('refuses a preflight from another origin with 403 and no CORS grant', async () => {
    const response = await fetch(`${bench.url}/chat/completions`, {
      method: 'OPTIONS',
      headers: { Origin: EVIL, 'Access-Control-Request-Method': 'POST' },
    });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(await readError(response)).toMatchObject({ status: 403, code: 'origin_not_allowed' });
  });

  it.each([
    ['POST', '/chat/completions'],
    ['POST', '/sessions'],
    ['GET', '/sessions/x'],
    ['DELETE', '/sessions/x'],
  ])('refuses %s %s from another origin with 403, forwarding nothing', async (method, path) => {
    const response = await fetch(`${bench.url}${path}`, {
      method,
      headers: { Origin: EVIL, 'Content-Type': 'application/json' },
      body: method === 'POST' ? JSON.stringify(userTurn()) : undefined,
    });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('vary')).toBe('Origin');
    expect(await readError(response)).toMatchObject({ status: 403, code: 'origin_not_allowed' });
    expect(bench.upstreamCount()).toBe(0);
  });

  it("serves a page of the proxy's own origin unlisted (the browser's Sec-Fetch-Site), and names a refused origin", async () => {
    const local = 'http://localhost:5173';
    const own = await bench.chat(userTurn(), { Origin: local, 'Sec-Fetch-Site': 'same-origin' });
    expect(own.status).toBe(200);
    // Same origin: the browser reads the answer without any CORS grant.
    expect(own.headers.get('access-control-allow-origin')).toBeNull();
    await own.text();
    const forwarded = bench.upstreamCount();
    for (const site of ['same-site', 'cross-site']) {
      const error = await readError(await bench.chat(userTurn(), { Origin: local, 'Sec-Fetch-Site': site }));
      expect(error).toMatchObject({ status: 403, code: 'origin_not_allowed' });
      expect(error.message).toBe(`${local} is not in the chat proxy's allowed origins.`);
    }
    // The header is the client's: what the answer repeats of it is cut short.
    const long = await readError(await bench.chat(userTurn(), { Origin: `https://${'a'.repeat(5000)}.example` }));
    expect(long.message.length).toBeLessThan(200);
    expect(bench.upstreamCount()).toBe(forwarded);
  });

  it('compares origins exactly: no prefix, suffix, scheme or port tricks', async () => {
    for (const origin of [
      'https://shop.example.evil.example',
      'http://shop.example',
      'https://shop.example:8443',
      'https://evil-shop.example',
      'null',
      `${ORIGIN}/`,
    ]) {
      const error = await readError(await bench.chat(userTurn(), { Origin: origin }));
      expect(error.status, origin).toBe(403);
    }
    expect(bench.upstreamCount()).toBe(0);
  });

  it('serves a request without Origin (a script) under the same rules, with Vary but no grant', async () => {
    const response = await fetch(`${bench.url}/chat/completions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(userTurn()),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('vary')).toBe('Origin');
    await response.text();
  });

  it('refuses requests without Origin when allowNoOrigin is false', async () => {
    const strict = await startBench({ proxy: { allowNoOrigin: false } });
    try {
      const response = await fetch(`${strict.url}/chat/completions`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(userTurn()),
      });
      expect(await readError(response)).toMatchObject({ status: 403, code: 'origin_not_allowed' });
      expect(strict.upstreamCount()).toBe(0);
      // A same-origin GET carries no Origin; the browser's Sec-Fetch-Site vouches for it instead
      // (here it reaches the session check: the ID is not one of the proxy's).
      const own = await fetch(`${strict.url}/sessions/not-ours`, { headers: { 'Sec-Fetch-Site': 'same-origin' } });
      expect(await readError(own)).toMatchObject({ status: 403, code: 'invalid_session' });
      // A browser's POST always carries Origin: without one, it is a script's, whatever else it claims.
      const claimed = await fetch(`${strict.url}/chat/completions`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Sec-Fetch-Site': 'same-origin' },
        body: JSON.stringify(userTurn()),
      });
      expect(await readError(claimed)).toMatchObject({ status: 403, code: 'origin_not_allowed' });
      expect(strict.upstreamCount()).toBe(0);
      const health = await fetch(`${strict.url}/health`);
      expect(health.status).toBe(200);
    } finally {
      await strict.close();
    }
  });

  it('accepts a predicate for origins, and grants credentials only when asked', async () => {
    const fn = await startBench({
      proxy: { allowedOrigins: (origin) => /^https:\/\/[a-z]+\.shop\.example$/.test(origin), allowCredentials: true },
    });
    try {
      const ok = await fn.chat(userTurn(), { Origin: 'https://eu.shop.example' });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('access-control-allow-origin')).toBe('https://eu.shop.example');
      expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
      await ok.text();
      const refused = await fn.chat(userTurn(), { Origin: 'https://shop.example.evil.example' });
      expect(refused.status).toBe(403);
      await refused.text();
    } finally {
      await fn.close();
    }
  });
});
