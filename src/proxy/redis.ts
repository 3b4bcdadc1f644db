/**
 * `pathors-chat/proxy/redis`: rate limits and request-ID replay checks shared by every proxy
 * instance, in Redis. A subpath of its own, so a site without Redis never loads a client.
 *
 * The store speaks to Redis through one method, `call(command, ...args)`, which an `ioredis`
 * client has as it is (`createRedisClient` makes one with settings that never let a request
 * wait on a dead server). Any other client fits with a one-line adapter, e.g. node-redis:
 * `{ call: (...args) => client.sendCommand(args.map(String)) }`.
 */
import type { BucketOptions } from './options.js';
import { servingAs } from './handler.js';
import type { PathorsProxy } from './handler.js';
import type { ConsumeResult, RateLimitStore } from './rate-limit.js';

/** The one method the store needs; `ioredis` clients (standalone or Cluster) have it. */
export interface RedisCommandClient {
  call(command: string, ...args: Array<string | number>): Promise<unknown>;
}

/**
 * What happens while Redis cannot be reached: `'open'` serves requests without limits (and
 * logs a warning, and `/health` says `degraded`), `'closed'` refuses them (500
 * `internal_error`, `/health` answers 503). Either way no request waits longer than `timeoutMs`.
 */
export type RedisFailMode = 'open' | 'closed';

export interface RedisRateLimitStoreOptions {
  client: RedisCommandClient;
  /** Prefix of every key this store writes. Default `'pathors:'`. */
  prefix?: string;
  /** Default `'open'`: a Redis outage should not take the chat down with it. */
  failMode?: RedisFailMode;
  /** A Redis call slower than this counts as a failure. Default 500 ms. */
  timeoutMs?: number;
  /** Told when Redis becomes unreachable and when it is back (once each). Default: `console.warn`. */
  warn?: (message: string) => void;
}

/**
 * A token bucket in one script, so concurrent instances cannot both take the last token.
 * Time is Redis's own clock (`TIME`), not each instance's: instances' clocks drift apart.
 * The key expires when the bucket would be full again, so forgetting it changes nothing.
 * Returns {1, 0} when allowed, {0, ms until a token is back} when not.
 */
export const TOKEN_BUCKET_LUA = `
local capacity = tonumber(ARGV[1])
local perMs = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = capacity
if state[1] and state[2] then
  tokens = math.min(capacity, tonumber(state[1]) + math.max(0, now - tonumber(state[2])) * perMs)
end
if tokens < 1 then
  return {0, math.ceil((1 - tokens) / perMs)}
end
tokens = tokens - 1
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) / perMs))
return {1, 0}
`;

/** Raised in fail-closed mode while Redis cannot be reached. */
export class RateLimitStoreUnavailable extends Error {
  constructor(detail: string) {
    super(`Rate-limit store (Redis) unavailable: ${detail}`);
    this.name = 'RateLimitStoreUnavailable';
  }
}

async function sha1Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-1', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class RedisRateLimitStore implements RateLimitStore {
  readonly failMode: RedisFailMode;
  private readonly client: RedisCommandClient;
  private readonly prefix: string;
  private readonly timeoutMs: number;
  private readonly warn: (message: string) => void;
  private sha: Promise<string> | undefined;
  private reachable = true;

  constructor(options: RedisRateLimitStoreOptions) {
    if (!options || typeof options.client?.call !== 'function') {
      throw new TypeError(
        'RedisRateLimitStore needs { client } with a call(command, ...args) method (an ioredis client has one).',
      );
    }
    if (options.failMode !== undefined && options.failMode !== 'open' && options.failMode !== 'closed') {
      throw new TypeError('RedisRateLimitStore failMode must be "open" or "closed".');
    }
    this.client = options.client;
    this.prefix = options.prefix ?? 'pathors:';
    this.failMode = options.failMode ?? 'open';
    this.timeoutMs = options.timeoutMs ?? 500;
    this.warn = options.warn ?? ((message) => console.warn(`pathors-chat proxy: ${message}`));
  }

  /** False from a failed Redis call until the next one that succeeds. */
  get healthy(): boolean {
    return this.reachable;
  }

  async consume(key: string, bucket: BucketOptions, _now: number): Promise<ConsumeResult> {
    const answer = await this.guard(() => this.evalBucket(this.prefix + key, bucket));
    if (answer === undefined) return { allowed: true, retryAfterSeconds: 0 };
    const [allowed, waitMs] = answer;
    return allowed === 1
      ? { allowed: true, retryAfterSeconds: 0 }
      : { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  }

  async claim(key: string, ttlMs: number, _now: number): Promise<boolean> {
    const answer = await this.guard(() =>
      this.client.call('SET', this.prefix + key, '1', 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX'),
    );
    // Fail-open cannot know whether the ID was seen: let the request through.
    return answer === undefined ? true : answer === 'OK';
  }

  async isClaimed(key: string, _now: number): Promise<boolean> {
    // Fail-open cannot know either: an ended session may go on until Redis is back.
    return (await this.guard(() => this.client.call('EXISTS', this.prefix + key))) === 1;
  }

  /** Pings Redis (within `timeoutMs`) and updates `healthy`; for `/health`. */
  async check(): Promise<boolean> {
    try {
      await this.withTimeout(this.client.call('PING'));
      this.markReachable();
      return true;
    } catch (error) {
      this.markUnreachable(error);
      return false;
    }
  }

  private async evalBucket(key: string, bucket: BucketOptions): Promise<[number, number]> {
    const args = [1, key, bucket.capacity, bucket.refillPerMinute / 60_000] as const;
    this.sha ??= sha1Hex(TOKEN_BUCKET_LUA);
    const sha = await this.sha;
    let reply: unknown;
    try {
      reply = await this.client.call('EVALSHA', sha, ...args);
    } catch (error) {
      // A restarted (or flushed) Redis has forgotten the script: send it whole, once.
      if (!/NOSCRIPT/i.test(describe(error))) throw error;
      reply = await this.client.call('EVAL', TOKEN_BUCKET_LUA, ...args);
    }
    if (!Array.isArray(reply) || reply.length !== 2)
      throw new Error(`unexpected script reply ${JSON.stringify(reply)}`);
    return [Number(reply[0]), Number(reply[1])];
  }

  /** Runs a Redis call within the deadline; on failure, fails open (undefined) or closed (throws). */
  private async guard<T>(work: () => Promise<T>): Promise<T | undefined> {
    try {
      const result = await this.withTimeout(work());
      this.markReachable();
      return result;
    } catch (error) {
      this.markUnreachable(error);
      if (this.failMode === 'closed') throw new RateLimitStoreUnavailable(describe(error));
      return undefined;
    }
  }

  private withTimeout<T>(promise: Promise<T>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    // A late rejection of the abandoned call must not surface as unhandled.
    promise.catch(() => undefined);
    return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
  }

  private markUnreachable(error: unknown): void {
    if (!this.reachable) return;
    this.reachable = false;
    const consequence =
      this.failMode === 'open'
        ? 'requests are served WITHOUT rate limits until it is back (fail-open)'
        : 'requests are refused until it is back (fail-closed)';
    this.warn(`Redis rate-limit store unreachable (${describe(error)}); ${consequence}.`);
  }

  private markReachable(): void {
    if (this.reachable) return;
    this.reachable = true;
    this.warn('Redis rate-limit store reachable again; rate limits are enforced.');
  }
}

/**
 * Wraps the proxy so `GET /health` reports the store: Redis unreachable turns the answer into
 * `{ ok: true, degraded: ['rate_limit_store'] }` (fail-open: still 200, so load balancers keep
 * the instance, which serves) or 503 `{ ok: false, degraded: [...] }` (fail-closed: it refuses).
 */
export function withStoreHealth(proxy: PathorsProxy, store: RedisRateLimitStore): PathorsProxy {
  return servingAs(async (request, context) => {
    const response = await proxy(request, context);
    if (
      (request.method !== 'GET' && request.method !== 'HEAD') ||
      response.status !== 200 ||
      !new URL(request.url).pathname.endsWith('/health')
    )
      return response;
    if (await store.check()) return response;
    const open = store.failMode === 'open';
    const headers = new Headers(response.headers);
    headers.delete('Content-Length');
    return new Response(JSON.stringify({ ok: open, degraded: ['rate_limit_store'] }), {
      status: open ? 200 : 503,
      headers,
    });
  }, proxy);
}

/**
 * An `ioredis` client set up for the store: commands fail at once while disconnected (no
 * offline queue) or after `commandTimeout`, and it reconnects in the background. Needs the
 * optional peer dependency `ioredis`.
 */
export async function createRedisClient(
  url: string,
  options: { commandTimeoutMs?: number } = {},
): Promise<
  RedisCommandClient & {
    quit(): Promise<unknown>;
    disconnect(): void;
    on(event: string, listener: (...args: unknown[]) => void): unknown;
    status: string;
  }
> {
  let Redis: new (
    url: string,
    options: Record<string, unknown>,
  ) => RedisCommandClient & {
    quit(): Promise<unknown>;
    disconnect(): void;
    on(event: string, listener: (...args: unknown[]) => void): unknown;
    status: string;
  };
  try {
    // A variable, so bundlers leave the optional dependency alone.
    const name = 'ioredis';
    ({ Redis } = (await import(name)) as { Redis: typeof Redis });
  } catch {
    throw new Error('The Redis store needs the ioredis package: npm install ioredis');
  }
  const client = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: options.commandTimeoutMs ?? 500,
    connectTimeout: 2000,
    retryStrategy: (times: number) => Math.min(times * 200, 2000),
  });
  // The store reports outages itself, once each; ioredis would print every reconnect attempt.
  client.on('error', () => undefined);
  return client;
}
