import { randomUUID } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { MemoryRateLimitStore } from '../../src/proxy/index.js';
import type { ConsumeResult, RateLimitStore } from '../../src/proxy/index.js';
import { expectNoKeyLeak, readError, startBench, userTurn } from './proxy-harness.js';

describe('proxy: rate limits (token buckets per client IP and per session)', () => {
  it('429 with Retry-After once an IP spends its burst, forwarding nothing more', async () => {
    const bench = await startBench({
      proxy: { rateLimit: { perIp: { capacity: 3, refillPerMinute: 6 }, perSession: false } },
    });
    try {
      for (let i = 0; i < 3; i++) {
        const response = await bench.chat(userTurn(`try ${i}`));
        expect(response.status).toBe(200);
        await response.text();
      }
      const forwarded = bench.upstreamCount();
      const response = await bench.chat(userTurn('one too many'));
      const error = await readError(response);
      expect(error).toMatchObject({ status: 429, code: 'rate_limited' });
      // 6 per minute: one token every 10 s.
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(9);
      expect(Number(response.headers.get('retry-after'))).toBeLessThanOrEqual(10);
      expect(response.headers.get('access-control-expose-headers')).toContain('Retry-After');
      expect(bench.upstreamCount()).toBe(forwarded);
      // The same bucket guards the session routes: minting sessions is no way around it.
      expect((await readError(await bench.post('/sessions', {}))).status).toBe(429);
      // Health checks are not counted.
      expect((await fetch(`${bench.url}/health`)).status).toBe(200);
      expectNoKeyLeak(bench);
    } finally {
      await bench.close();
    }
  });

  it('limits each session on its own bucket', async () => {
    const bench = await startBench({
      proxy: { rateLimit: { perIp: false, perSession: { capacity: 2, refillPerMinute: 1 } } },
    });
    try {
      const first = await bench.chat(userTurn('a'));
      const sessionId = first.headers.get('x-session-id')!;
      await first.text();
      for (let i = 0; i < 2; i++) {
        const response = await bench.chat(userTurn('b'), { 'X-Session-ID': sessionId });
        expect(response.status).toBe(200);
        await response.text();
      }
      const limited = await bench.chat(userTurn('c'), { 'X-Session-ID': sessionId });
      expect(await readError(limited)).toMatchObject({ status: 429, code: 'rate_limited' });
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await readError(await fetch(`${bench.url}/sessions/${sessionId}`))).status).toBe(429);
      // Another session is not affected.
      const other = await bench.chat(userTurn('d'));
      expect(other.status).toBe(200);
      await other.text();
    } finally {
      await bench.close();
    }
  });

  it('ignores X-Forwarded-For unless trustProxy, then takes the entry its own proxy appended', async () => {
    const bucket = { capacity: 1, refillPerMinute: 1 };
    const naive = await startBench({ proxy: { rateLimit: { perIp: bucket, perSession: false } } });
    try {
      await (await naive.chat(userTurn(), { 'X-Forwarded-For': '1.1.1.1' })).text();
      // A spoofed header does not buy a fresh bucket.
      expect((await naive.chat(userTurn(), { 'X-Forwarded-For': '2.2.2.2' })).status).toBe(429);
    } finally {
      await naive.close();
    }
    const behindProxy = await startBench({
      proxy: { trustProxy: true, rateLimit: { perIp: bucket, perSession: false } },
    });
    try {
      await (await behindProxy.chat(userTurn(), { 'X-Forwarded-For': '9.9.9.9, 1.1.1.1' })).text();
      // The client-written part (left) changes nothing; the proxy-written part (right) is the client.
      expect((await behindProxy.chat(userTurn(), { 'X-Forwarded-For': '8.8.8.8, 1.1.1.1' })).status).toBe(429);
      const other = await behindProxy.chat(userTurn(), { 'X-Forwarded-For': '1.1.1.1, 2.2.2.2' });
      expect(other.status).toBe(200);
      await other.text();
    } finally {
      await behindProxy.close();
    }
  });

  it('takes the client IP from the clientIp hook when given (CF-Connecting-IP, for instance)', async () => {
    const bench = await startBench({
      proxy: {
        clientIp: (request) => request.headers.get('CF-Connecting-IP') ?? undefined,
        rateLimit: { perIp: { capacity: 1, refillPerMinute: 1 }, perSession: false },
      },
    });
    try {
      await (await bench.chat(userTurn(), { 'CF-Connecting-IP': '3.3.3.3' })).text();
      expect((await bench.chat(userTurn(), { 'CF-Connecting-IP': '3.3.3.3' })).status).toBe(429);
      expect(bench.logs.find((e) => e.type === 'refusal')).toMatchObject({ code: 'rate_limited', clientIp: '3.3.3.3' });
      const other = await bench.chat(userTurn(), { 'CF-Connecting-IP': '4.4.4.4' });
      expect(other.status).toBe(200);
      await other.text();
    } finally {
      await bench.close();
    }
  });

  it('uses the store it is given, so instances can share limits', async () => {
    const calls: string[] = [];
    const shared = new MemoryRateLimitStore();
    const store: RateLimitStore = {
      consume: (key, bucket, now): Promise<ConsumeResult> => {
        calls.push(`consume ${key.split(':')[0]}`);
        return shared.consume(key, bucket, now);
      },
      claim: (key, ttl, now) => {
        calls.push(`claim ${key.split(':')[0]}`);
        return shared.claim(key, ttl, now);
      },
    };
    const a = await startBench({
      proxy: { store, rateLimit: { perIp: { capacity: 2, refillPerMinute: 1 }, perSession: false } },
    });
    const b = await startBench({
      proxy: { store, rateLimit: { perIp: { capacity: 2, refillPerMinute: 1 }, perSession: false } },
    });
    try {
      await (await a.chat(userTurn(), { 'X-Request-ID': randomUUID() })).text();
      await (await b.chat(userTurn())).text();
      expect((await b.chat(userTurn())).status).toBe(429);
      expect(calls).toContain('consume ip');
      expect(calls).toContain('claim request');
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('proxy: X-Request-ID replays', () => {
  it('409 duplicate_request for a replayed key, and the upstream sees the chat once', async () => {
    const bench = await startBench();
    try {
      const key = randomUUID();
      const first = await bench.chat(userTurn('Once only'), { 'X-Request-ID': key });
      expect(first.status).toBe(200);
      await first.text();
      const chats = () => bench.fake.requests.filter((r) => r.kind === 'chat').length;
      expect(chats()).toBe(1);
      const sessionId = first.headers.get('x-session-id')!;
      const replays: Array<Record<string, string>> = [
        { 'X-Request-ID': key },
        { 'X-Request-ID': key, 'X-Session-ID': sessionId },
      ];
      for (const headers of replays) {
        const replay = await bench.chat(userTurn('Once only'), headers);
        expect(await readError(replay)).toMatchObject({ status: 409, code: 'duplicate_request' });
      }
      expect(chats()).toBe(1);
      const fresh = await bench.chat(userTurn('Once only'), {
        'X-Request-ID': randomUUID(),
        'X-Session-ID': sessionId,
      });
      expect(fresh.status).toBe(200);
      await fresh.text();
      expect(chats()).toBe(2);
      expectNoKeyLeak(bench);
    } finally {
      await bench.close();
    }
  });

  it('does not burn the key on a refused request, so the corrected one can use it', async () => {
    const bench = await startBench();
    try {
      const key = randomUUID();
      expect((await bench.chat({ messages: [] }, { 'X-Request-ID': key })).status).toBe(400);
      const retry = await bench.chat(userTurn(), { 'X-Request-ID': key });
      expect(retry.status).toBe(200);
      await retry.text();
    } finally {
      await bench.close();
    }
  });

  it('forgets a key after requestIdTtlMs', async () => {
    const bench = await startBench({ proxy: { requestIdTtlMs: 60_000 } });
    try {
      const key = randomUUID();
      await (await bench.chat(userTurn(), { 'X-Request-ID': key })).text();
      // Only Date moves: the proxy reads the time from it, the sockets keep their real timers.
      vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
      vi.advanceTimersByTime(30_000);
      expect((await bench.chat(userTurn(), { 'X-Request-ID': key })).status).toBe(409);
      vi.advanceTimersByTime(31_000);
      const again = await bench.chat(userTurn(), { 'X-Request-ID': key });
      expect(again.status).toBe(200);
      await again.text();
    } finally {
      vi.useRealTimers();
      await bench.close();
    }
  });
});

describe('MemoryRateLimitStore', () => {
  const bucket = { capacity: 2, refillPerMinute: 60 };

  it('refills a token per interval and says when the next one comes', async () => {
    const store = new MemoryRateLimitStore();
    expect(await store.consume('k', bucket, 0)).toEqual({ allowed: true, retryAfterSeconds: 0 });
    expect((await store.consume('k', bucket, 0)).allowed).toBe(true);
    expect(await store.consume('k', bucket, 0)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect((await store.consume('k', bucket, 500)).allowed).toBe(false);
    expect((await store.consume('k', bucket, 1000)).allowed).toBe(true);
    expect((await store.consume('k', bucket, 1000)).allowed).toBe(false);
  });

  it('forgets buckets once full again and claims once expired, so memory stays bounded', async () => {
    const store = new MemoryRateLimitStore();
    for (let i = 0; i < 1000; i++) await store.consume(`ip:${i}`, bucket, 0);
    for (let i = 0; i < 1000; i++) await store.claim(`request:${i}`, 30_000, 0);
    expect(store.size).toBe(2000);
    // A sweep runs at most once a minute, at the first operation after it is due.
    await store.consume('ip:late', bucket, 120_000);
    expect(store.size).toBe(1);
  });

  it('holds at most maxEntries, dropping the stalest', async () => {
    const store = new MemoryRateLimitStore({ maxEntries: 100 });
    for (let i = 0; i < 500; i++) await store.claim(`request:${i}`, 600_000, i);
    expect(store.size).toBe(100);
    expect(await store.claim('request:499', 600_000, 600)).toBe(false);
    expect(await store.claim('request:0', 600_000, 600)).toBe(true);
  });
});
