/**
 * `pathors-chat/proxy/durable-object`: rate limits shared by every isolate of a Cloudflare
 * Worker. Each key (one client IP, one session, one request ID) is its own Durable Object, so
 * Cloudflare routes all of a key's traffic to one place, one request at a time, worldwide.
 *
 * Workers only; nothing here is imported by `pathors-chat/proxy`. The Cloudflare types are
 * described structurally so the package needs no `@cloudflare/workers-types`.
 */
import type { BucketOptions } from './options.js';
import type { ConsumeResult, RateLimitStore } from './rate-limit.js';

/** The part of a `DurableObjectNamespace` binding this store uses. */
export interface DurableObjectNamespaceLike {
  idFromName(name: string): unknown;
  get(id: never): { fetch(input: string, init?: RequestInit): Promise<Response> };
}

/** The part of a `DurableObjectState` the limiter uses. */
export interface DurableObjectStateLike {
  storage: {
    get<T>(key: string): Promise<T | undefined>;
    put<T>(key: string, value: T): Promise<void>;
    deleteAll(): Promise<void>;
    setAlarm(scheduledTime: number): Promise<void>;
  };
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

const ORIGIN = 'https://pathors-rate-limiter';

/**
 * Takes a token from a bucket holding `previous` (or a full one), refilled since `updatedAt`.
 * The same arithmetic as MemoryRateLimitStore and the Redis script.
 */
export function takeToken(
  previous: Bucket | undefined,
  bucket: BucketOptions,
  now: number,
): { result: ConsumeResult; next?: Bucket; fullAt: number } {
  const perMs = bucket.refillPerMinute / 60_000;
  const tokens = previous
    ? Math.min(bucket.capacity, previous.tokens + Math.max(0, now - previous.updatedAt) * perMs)
    : bucket.capacity;
  if (tokens < 1) {
    return {
      result: { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / perMs / 1000)) },
      fullAt: now + Math.ceil((bucket.capacity - tokens) / perMs),
    };
  }
  const left = tokens - 1;
  return {
    result: { allowed: true, retryAfterSeconds: 0 },
    next: { tokens: left, updatedAt: now },
    fullAt: now + Math.ceil((bucket.capacity - left) / perMs),
  };
}

/**
 * The Durable Object class; export it from your Worker and bind it (see docs/proxy.md).
 * Storage reads and writes here hold Cloudflare's input gate, so a read-modify-write is atomic.
 * An alarm deletes the state once it no longer matters (a full bucket, an expired claim).
 */
export class PathorsRateLimiter {
  private readonly state: DurableObjectStateLike;

  constructor(state: DurableObjectStateLike, _env?: unknown) {
    this.state = state;
  }

  async fetch(request: Request): Promise<Response> {
    const operation = new URL(request.url).pathname;
    const input = (await request.json()) as { capacity?: number; refillPerMinute?: number; ttlMs?: number };
    const storage = this.state.storage;
    // The object's own clock: one clock per key, whichever isolate asked.
    const now = Date.now();
    if (operation === '/consume') {
      const bucket = { capacity: Number(input.capacity), refillPerMinute: Number(input.refillPerMinute) };
      const taken = takeToken(await storage.get<Bucket>('bucket'), bucket, now);
      if (taken.next) {
        await storage.put('bucket', taken.next);
        await storage.setAlarm(taken.fullAt);
      }
      return Response.json(taken.result);
    }
    if (operation === '/claimed') {
      const until = await storage.get<number>('claimedUntil');
      return Response.json({ claimed: until !== undefined && until > now });
    }
    if (operation === '/claim') {
      const until = await storage.get<number>('claimedUntil');
      if (until !== undefined && until > now) return Response.json({ claimed: false });
      const expires = now + Number(input.ttlMs);
      await storage.put('claimedUntil', expires);
      await storage.setAlarm(expires);
      return Response.json({ claimed: true });
    }
    return new Response('Not found', { status: 404 });
  }

  async alarm(): Promise<void> {
    await this.state.storage.deleteAll();
  }
}

/** A `RateLimitStore` over a `PathorsRateLimiter` namespace binding. */
export class DurableObjectRateLimitStore implements RateLimitStore {
  private readonly namespace: DurableObjectNamespaceLike;
  private readonly prefix: string;

  constructor(namespace: DurableObjectNamespaceLike, options: { prefix?: string } = {}) {
    this.namespace = namespace;
    this.prefix = options.prefix ?? 'pathors:';
  }

  async consume(key: string, bucket: BucketOptions, _now: number): Promise<ConsumeResult> {
    return (await this.call(key, '/consume', bucket)) as ConsumeResult;
  }

  async claim(key: string, ttlMs: number, _now: number): Promise<boolean> {
    const answer = (await this.call(key, '/claim', { ttlMs })) as { claimed: boolean };
    return answer.claimed;
  }

  async isClaimed(key: string, _now: number): Promise<boolean> {
    const answer = (await this.call(key, '/claimed', {})) as { claimed: boolean };
    return answer.claimed;
  }

  private async call(key: string, operation: string, body: unknown): Promise<unknown> {
    const stub = this.namespace.get(this.namespace.idFromName(this.prefix + key) as never);
    const response = await stub.fetch(ORIGIN + operation, { method: 'POST', body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`PathorsRateLimiter answered ${response.status}`);
    return response.json();
  }
}
