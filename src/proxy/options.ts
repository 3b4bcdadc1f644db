import type { ToolDefinition } from '../core/wire.js';
import { isRecord } from '../shared/http.js';
import type { RateLimitStore } from './rate-limit.js';
import type { ProxyLogEvent } from './log.js';

/** A token bucket: `capacity` requests at once, refilled at `refillPerMinute`. */
export interface BucketOptions {
  capacity: number;
  refillPerMinute: number;
}

export interface RateLimitOptions {
  /** Every guarded request from one client IP. `false` turns it off. Default 60 burst, 30/minute. */
  perIp?: BucketOptions | false;
  /** Every request naming one session. `false` turns it off. Default 20 burst, 10/minute. */
  perSession?: BucketOptions | false;
}

/** Upstream URL templates; `{projectId}` is replaced by the project ID. */
export interface UpstreamTemplates {
  chatCompletions: string;
  session: string;
}

/** What an adapter knows about the connection that a `Request` cannot carry. */
export interface ProxyContext {
  /** The peer address of the TCP connection, as the adapter saw it. */
  clientAddress?: string;
  /** Keeps work alive after the response is returned (Cloudflare Workers, Vercel). */
  waitUntil?: (promise: Promise<unknown>) => void;
}

export interface PathorsProxyOptions {
  /** The Pathors project API key (`sk_...`). Only ever sent upstream. */
  apiKey: string;
  projectId: string;
  /**
   * A base URL for the legacy layout (`{base}/api/project/{projectId}/integration/api/...`),
   * or URL templates for each API. Default `https://app.pathors.com`.
   */
  upstream?: string | UpstreamTemplates;
  /**
   * Origins allowed to call the proxy from a browser, compared exactly
   * (`https://shop.example`), or a predicate. `*` is refused: a proxy holding a key
   * must name who may spend it.
   */
  allowedOrigins: readonly string[] | ((origin: string) => boolean);
  /** Serve requests with no `Origin` header (scripts, servers) under the same limits. Default true. */
  allowNoOrigin?: boolean;
  /** Extra request headers browsers may send (a site's CSRF header, for example). */
  allowedHeaders?: readonly string[];
  /** Answer CORS with `Access-Control-Allow-Credentials: true`, for cookie-carrying widgets. Default false. */
  allowCredentials?: boolean;
  /**
   * Signs session IDs (HMAC-SHA256); at least 32 characters. A list rotates secrets:
   * the first signs, every one verifies.
   */
  sessionSecret: string | readonly string[];
  /**
   * How long a session ID stays valid from its creation, signed into the ID itself; after it, the
   * visitor is refused (403 `invalid_session`) and the widget starts a new session. Default
   * 2592000000 (30 days).
   */
  sessionTtlMs?: number;
  /** Prefix stripped from the URL path, for platforms that pass the full URL. Default ''. */
  basePath?: string;
  /** Default 262144 (256 KiB). */
  maxBodyBytes?: number;
  /** Default 100. */
  maxMessages?: number;
  /** Characters per message content (and per tool-call arguments). Default 16000. */
  maxMessageChars?: number;
  /** Default 32. */
  maxTools?: number;
  /** Let browsers send `system` messages. Default false: a visitor must not rewrite the agent. */
  allowSystemMessages?: boolean;
  /**
   * The page tools, as the site defines them. When set, a browser may only name these: any
   * other is refused (400), and the ones it offers go upstream with the definitions given
   * here, so a visitor can neither invent tools nor rewrite their descriptions or schemas.
   * Default: the browser's definitions, checked for shape and size only.
   */
  tools?: readonly ToolDefinition[];
  rateLimit?: RateLimitOptions;
  /** Shared by rate limits and request-ID replay checks. Default: in memory, per process. */
  store?: RateLimitStore;
  /** How long a seen `X-Request-ID` is refused as a replay. Default 600000 (10 minutes). */
  requestIdTtlMs?: number;
  /** Time allowed for upstream response headers. Default 30000. */
  upstreamTimeoutMs?: number;
  /**
   * A stream silent for this long is ended and the upstream call aborted. Default 300000.
   * Generous on purpose: an agent may think for a while between tokens.
   */
  streamIdleTimeoutMs?: number;
  /**
   * The client's IP for rate limiting. Default: `context.clientAddress`, or the last
   * `X-Forwarded-For` entry (the one your own proxy appended) when `trustProxy` is set. Platforms override it
   * (Cloudflare: `request.headers.get('CF-Connecting-IP')`).
   */
  clientIp?: (request: Request, context: ProxyContext) => string | undefined;
  /** Believe `X-Forwarded-For`: only behind exactly one proxy of yours that appends to it. Default false. */
  trustProxy?: boolean;
  /**
   * The session variables of a new session, from the site's own knowledge of the user
   * (its cookie, its auth). The only way variables are set: the browser never can.
   * Called when a session starts; the request's body has already been read by then.
   */
  sessionVariables?: (
    request: Request,
  ) => Record<string, unknown> | undefined | Promise<Record<string, unknown> | undefined>;
  /** Default: the global `fetch`. */
  fetch?: typeof fetch;
  /** Receives structured events; the API key never appears in them. */
  log?: (event: ProxyLogEvent) => void;
}

export interface ResolvedOptions {
  apiKey: string;
  projectId: string;
  chatCompletionsUrl: string;
  sessionUrl: string;
  isOriginAllowed: (origin: string) => boolean;
  allowNoOrigin: boolean;
  allowedHeaders: string[];
  allowCredentials: boolean;
  sessionSecrets: string[];
  sessionTtlMs: number;
  basePath: string;
  maxBodyBytes: number;
  maxMessages: number;
  maxMessageChars: number;
  maxTools: number;
  allowSystemMessages: boolean;
  tools: ReadonlyMap<string, ToolDefinition> | undefined;
  perIp: BucketOptions | false;
  perSession: BucketOptions | false;
  store: RateLimitStore | undefined;
  requestIdTtlMs: number;
  upstreamTimeoutMs: number;
  streamIdleTimeoutMs: number;
  clientIp: ((request: Request, context: ProxyContext) => string | undefined) | undefined;
  trustProxy: boolean;
  sessionVariables: PathorsProxyOptions['sessionVariables'];
  fetch: typeof fetch;
  log: ((event: ProxyLogEvent) => void) | undefined;
}

export const DEFAULT_UPSTREAM = 'https://app.pathors.com';

export const DEFAULTS = {
  maxBodyBytes: 256 * 1024,
  maxMessages: 100,
  maxMessageChars: 16_000,
  maxTools: 32,
  perIp: { capacity: 60, refillPerMinute: 30 },
  perSession: { capacity: 20, refillPerMinute: 10 },
  requestIdTtlMs: 10 * 60_000,
  sessionTtlMs: 30 * 24 * 60 * 60_000,
  upstreamTimeoutMs: 30_000,
  streamIdleTimeoutMs: 300_000,
} as const;

const MIN_SECRET_LENGTH = 32;

/** Thrown by `createPathorsProxy` for bad options; names the option, never echoes the key. */
export class ProxyOptionsError extends Error {
  readonly option: string;
  /** The message without the option's name, for callers that name it their own way (the CLI's variables). */
  readonly problem: string;

  constructor(option: string, problem: string) {
    super(`pathors-chat proxy: option \`${option}\` ${problem}`);
    this.name = 'ProxyOptionsError';
    this.option = option;
    this.problem = problem;
  }
}

function httpUrl(option: string, value: unknown): URL {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ProxyOptionsError(option, 'must be an http(s) URL string.');
  }
  let url: URL;
  try {
    // Braces survive URL parsing percent-encoded, so parse with the placeholder filled in.
    url = new URL(value.replaceAll('{projectId}', 'project'));
  } catch {
    throw new ProxyOptionsError(option, `is not a valid URL: ${JSON.stringify(value)}.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ProxyOptionsError(option, `must use http or https, not ${url.protocol}`);
  }
  if (url.username || url.password) {
    throw new ProxyOptionsError(option, 'must not carry credentials; the API key goes in `apiKey`.');
  }
  return url;
}

function positiveInteger(option: string, value: unknown, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || (!allowZero && value === 0)) {
    throw new ProxyOptionsError(option, `must be a ${allowZero ? 'non-negative' : 'positive'} integer.`);
  }
  return value;
}

function bucket(option: string, value: unknown, fallback: BucketOptions): BucketOptions | false {
  if (value === undefined) return { ...fallback };
  if (value === false) return false;
  if (!isRecord(value)) throw new ProxyOptionsError(option, 'must be { capacity, refillPerMinute } or false.');
  const capacity = value.capacity;
  const refill = value.refillPerMinute;
  if (typeof capacity !== 'number' || !(capacity >= 1) || !Number.isFinite(capacity)) {
    throw new ProxyOptionsError(`${option}.capacity`, 'must be a number >= 1.');
  }
  if (typeof refill !== 'number' || !(refill > 0) || !Number.isFinite(refill)) {
    throw new ProxyOptionsError(`${option}.refillPerMinute`, 'must be a number > 0.');
  }
  return { capacity, refillPerMinute: refill };
}

function originMatcher(value: unknown): (origin: string) => boolean {
  if (typeof value === 'function') {
    const predicate = value as (origin: string) => unknown;
    return (origin) => predicate(origin) === true;
  }
  if (!Array.isArray(value)) {
    throw new ProxyOptionsError(
      'allowedOrigins',
      'is required: a list of origins such as "https://shop.example", or a function.',
    );
  }
  const origins = new Set<string>();
  for (const entry of value as unknown[]) {
    if (entry === '*') {
      throw new ProxyOptionsError(
        'allowedOrigins',
        'must not contain "*": name each origin (or, in code, pass a function).',
      );
    }
    if (typeof entry !== 'string') throw new ProxyOptionsError('allowedOrigins', 'must contain only strings.');
    let origin: string;
    try {
      origin = new URL(entry).origin;
    } catch {
      throw new ProxyOptionsError('allowedOrigins', `has an entry that is not an origin: ${JSON.stringify(entry)}.`);
    }
    if (origin !== entry) {
      throw new ProxyOptionsError(
        'allowedOrigins',
        `entries must be bare origins (scheme://host[:port], no path or trailing slash): ${JSON.stringify(entry)} should be ${JSON.stringify(origin)}.`,
      );
    }
    origins.add(origin);
  }
  return (origin) => origins.has(origin);
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function upstreamUrls(upstream: unknown, projectId: string): { chatCompletionsUrl: string; sessionUrl: string } {
  const project = encodeURIComponent(projectId);
  if (upstream === undefined || typeof upstream === 'string') {
    const base = httpUrl('upstream', upstream ?? DEFAULT_UPSTREAM).href.replace(/\/+$/, '');
    const root = `${base}/api/project/${project}/integration/api`;
    return { chatCompletionsUrl: `${root}/chat/completions`, sessionUrl: `${root}/session` };
  }
  if (!isRecord(upstream)) {
    throw new ProxyOptionsError('upstream', 'must be a base URL string or { chatCompletions, session } URL templates.');
  }
  httpUrl('upstream.chatCompletions', upstream.chatCompletions);
  httpUrl('upstream.session', upstream.session);
  const fill = (template: string) => template.replaceAll('{projectId}', project).replace(/\/+$/, '');
  return {
    chatCompletionsUrl: fill(upstream.chatCompletions as string),
    sessionUrl: fill(upstream.session as string),
  };
}

/** Checks every option once, at creation, so a misconfigured proxy never starts serving. */
function pinnedTools(tools: PathorsProxyOptions['tools']): ResolvedOptions['tools'] {
  if (tools === undefined) return undefined;
  if (!Array.isArray(tools))
    throw new ProxyOptionsError('tools', 'must be an array of { type: "function", function: { name, ... } }.');
  const byName = new Map<string, ToolDefinition>();
  for (const [i, definition] of tools.entries()) {
    const name: unknown = definition?.function?.name;
    if (definition?.type !== 'function' || typeof name !== 'string' || !name) {
      throw new ProxyOptionsError(
        `tools[${i}]`,
        'must be { type: "function", function: { name, description?, parameters? } }.',
      );
    }
    byName.set(name, definition);
  }
  return byName;
}

export function resolveOptions(options: PathorsProxyOptions): ResolvedOptions {
  if (!isRecord(options)) throw new ProxyOptionsError('options', 'must be an object.');
  const { apiKey, projectId } = options;
  if (typeof apiKey !== 'string' || apiKey.trim() === '') {
    throw new ProxyOptionsError('apiKey', 'is required: the Pathors project API key (it starts with "sk_").');
  }
  // A key with whitespace or control characters would fail later in `Headers` with a message quoting it.
  if (!/^[\x21-\x7e]+$/.test(apiKey)) {
    throw new ProxyOptionsError('apiKey', 'contains whitespace or characters not allowed in an HTTP header.');
  }
  if (typeof projectId !== 'string' || projectId.trim() === '') {
    throw new ProxyOptionsError('projectId', 'is required: the Pathors project ID.');
  }

  const secrets = typeof options.sessionSecret === 'string' ? [options.sessionSecret] : options.sessionSecret;
  if (!Array.isArray(secrets) || secrets.length === 0) {
    throw new ProxyOptionsError(
      'sessionSecret',
      `is required: a random string of at least ${MIN_SECRET_LENGTH} characters (generate one with \`openssl rand -hex 32\`).`,
    );
  }
  for (const secret of secrets as unknown[]) {
    if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) {
      throw new ProxyOptionsError(
        'sessionSecret',
        `must be at least ${MIN_SECRET_LENGTH} characters (generate one with \`openssl rand -hex 32\`).`,
      );
    }
    if (secret === apiKey) throw new ProxyOptionsError('sessionSecret', 'must not be the API key.');
  }

  const basePath = options.basePath ?? '';
  if (typeof basePath !== 'string' || (basePath !== '' && (!basePath.startsWith('/') || basePath.endsWith('/')))) {
    throw new ProxyOptionsError(
      'basePath',
      'must be "" or a path starting with "/" and not ending with one, such as "/api/chat".',
    );
  }

  const allowedHeaders = options.allowedHeaders ?? [];
  if (
    !Array.isArray(allowedHeaders) ||
    !allowedHeaders.every((name) => typeof name === 'string' && HEADER_NAME.test(name))
  ) {
    throw new ProxyOptionsError('allowedHeaders', 'must be a list of HTTP header names.');
  }

  for (const hook of ['clientIp', 'sessionVariables', 'fetch', 'log'] as const) {
    if (options[hook] !== undefined && typeof options[hook] !== 'function') {
      throw new ProxyOptionsError(hook, 'must be a function.');
    }
  }
  const store = options.store;
  if (
    store !== undefined &&
    (!isRecord(store) || typeof store.consume !== 'function' || typeof store.claim !== 'function')
  ) {
    throw new ProxyOptionsError('store', 'must implement consume() and claim() (see RateLimitStore).');
  }
  if (options.fetch === undefined && typeof globalThis.fetch !== 'function') {
    throw new ProxyOptionsError('fetch', 'is required on runtimes without a global fetch.');
  }
  // Workers throw "Illegal invocation" when the global fetch is called detached from globalThis.
  const fetchImpl: typeof fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));

  const rateLimit = options.rateLimit ?? {};
  if (!isRecord(rateLimit)) throw new ProxyOptionsError('rateLimit', 'must be { perIp, perSession }.');

  return {
    apiKey,
    projectId,
    ...upstreamUrls(options.upstream, projectId),
    isOriginAllowed: originMatcher(options.allowedOrigins),
    allowNoOrigin: options.allowNoOrigin ?? true,
    allowedHeaders: [...allowedHeaders],
    allowCredentials: options.allowCredentials ?? false,
    sessionSecrets: [...(secrets as string[])],
    sessionTtlMs: positiveInteger('sessionTtlMs', options.sessionTtlMs, DEFAULTS.sessionTtlMs),
    basePath,
    maxBodyBytes: positiveInteger('maxBodyBytes', options.maxBodyBytes, DEFAULTS.maxBodyBytes),
    maxMessages: positiveInteger('maxMessages', options.maxMessages, DEFAULTS.maxMessages),
    maxMessageChars: positiveInteger('maxMessageChars', options.maxMessageChars, DEFAULTS.maxMessageChars),
    maxTools: positiveInteger('maxTools', options.maxTools, DEFAULTS.maxTools, true),
    allowSystemMessages: options.allowSystemMessages ?? false,
    tools: pinnedTools(options.tools),
    perIp: bucket('rateLimit.perIp', rateLimit.perIp, DEFAULTS.perIp),
    perSession: bucket('rateLimit.perSession', rateLimit.perSession, DEFAULTS.perSession),
    store,
    requestIdTtlMs: positiveInteger('requestIdTtlMs', options.requestIdTtlMs, DEFAULTS.requestIdTtlMs),
    upstreamTimeoutMs: positiveInteger('upstreamTimeoutMs', options.upstreamTimeoutMs, DEFAULTS.upstreamTimeoutMs),
    streamIdleTimeoutMs: positiveInteger(
      'streamIdleTimeoutMs',
      options.streamIdleTimeoutMs,
      DEFAULTS.streamIdleTimeoutMs,
    ),
    clientIp: options.clientIp,
    trustProxy: options.trustProxy ?? false,
    sessionVariables: options.sessionVariables,
    fetch: fetchImpl,
    log: options.log,
  };
}
