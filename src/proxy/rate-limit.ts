import { ProxyError } from './errors.js';
import type { BucketOptions } from './options.js';

export interface ConsumeResult {
  allowed: boolean;
  /** Whole seconds until a token is back; 0 when allowed. */
  retryAfterSeconds: number;
}

/**
 * The only state the proxy keeps. Two operations, each atomic per key, so a multi-instance
 * deploy can share limits through Redis (a Lua script for `consume`, `SET NX PX` for `claim`)
 * or a KV store.
 */
export interface RateLimitStore {
  /** Takes one token from the bucket at `key`, created full on first use. */
  consume(key: string, bucket: BucketOptions, now: number): Promise<ConsumeResult>;
  /** Records `key` for `ttlMs`; false when it was already recorded and not yet expired. */
  claim(key: string, ttlMs: number, now: number): Promise<boolean>;
  /**
   * True when `key` was claimed and has not expired; records nothing. Used to refuse ended
   * sessions. A store without it keeps that record in this process's memory only.
   */
  isClaimed?(key: string, now: number): Promise<boolean>;
}

/** Takes a token from `key`'s bucket, or refuses with 429 and `Retry-After`. */
export async function enforceLimit(
  store: RateLimitStore,
  key: string,
  bucket: BucketOptions | false,
  what: string,
): Promise<void> {
  if (bucket === false) return;
  const result = await store.consume(key, bucket, Date.now());
  if (!result.allowed) {
    throw new ProxyError('rate_limited', `Too many requests ${what}; try again in ${result.retryAfterSeconds} s.`, {
      headers: { 'Retry-After': String(result.retryAfterSeconds) },
    });
  }
}

interface BucketEntry {
  kind: 'bucket';
  tokens: number;
  updatedAt: number;
  /** When the bucket will be full again, so forgetting it changes nothing. */
  expiresAt: number;
}

interface ClaimEntry {
  kind: 'claim';
  expiresAt: number;
}

export interface MemoryStoreOptions {
  /** Entries kept at most; the oldest are dropped beyond it. Default 100000. */
  maxEntries?: number;
}

const SWEEP_INTERVAL_MS = 60_000;

/**
 * The default store: one process's memory. Expired entries are swept lazily as requests
 * arrive (edge runtimes forbid timers outside a request), and `maxEntries` bounds it
 * even under a flood of distinct keys.
 */
export class MemoryRateLimitStore implements RateLimitStore {
  private readonly entries = new Map<string, BucketEntry | ClaimEntry>();
  private readonly maxEntries: number;
  private lastSweep = 0;

  constructor(options: MemoryStoreOptions = {}) {
    this.maxEntries = options.maxEntries ?? 100_000;
  }

  /** Entries held now, expired ones included until the next sweep. */
  get size(): number {
    return this.entries.size;
  }

  async consume(key: string, bucket: BucketOptions, now: number): Promise<ConsumeResult> {
    this.sweep(now);
    const perMs = bucket.refillPerMinute / 60_000;
    const entry = this.entries.get(key);
    const previous = entry?.kind === 'bucket' && entry.expiresAt > now ? entry : undefined;
    const tokens = previous
      ? Math.min(bucket.capacity, previous.tokens + (now - previous.updatedAt) * perMs)
      : bucket.capacity;
    if (tokens < 1) {
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / perMs / 1000)) };
    }
    const left = tokens - 1;
    this.set(key, {
      kind: 'bucket',
      tokens: left,
      updatedAt: now,
      expiresAt: now + Math.ceil((bucket.capacity - left) / perMs),
    });
    return { allowed: true, retryAfterSeconds: 0 };
  }

  async claim(key: string, ttlMs: number, now: number): Promise<boolean> {
    this.sweep(now);
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt > now) return false;
    this.set(key, { kind: 'claim', expiresAt: now + ttlMs });
    return true;
  }

  async isClaimed(key: string, now: number): Promise<boolean> {
    const entry = this.entries.get(key);
    return entry?.kind === 'claim' && entry.expiresAt > now;
  }

  private set(key: string, entry: BucketEntry | ClaimEntry): void {
    // Re-inserting keeps Map order by last write, so eviction below drops the stalest.
    this.entries.delete(key);
    this.entries.set(key, entry);
    for (const stale of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(stale);
    }
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < SWEEP_INTERVAL_MS) return;
    this.lastSweep = now;
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
  }
}
