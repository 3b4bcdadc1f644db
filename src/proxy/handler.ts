import type { Role } from '../core/wire.js';
import { REQUEST_ID_HEADER, SESSION_HEADER } from './constants.js';
import { ALLOWED_METHODS, corsHeaders, judgeOrigin, preflightHeaders } from './cors.js';
import type { OriginVerdict } from './cors.js';
import { ProxyError, errorResponse, invalidField, jsonResponse } from './errors.js';
import { createLogger, describeError, loggedPath, shortSession } from './log.js';
import { resolveOptions } from './options.js';
import type { PathorsProxyOptions, ProxyContext, ResolvedOptions } from './options.js';
import { MemoryRateLimitStore } from './rate-limit.js';
import { relayBody } from './relay.js';
import { createSessionSigner } from './session-token.js';
import { ClientGone, callUpstream, logUnreachable, upstreamFailure } from './upstream.js';
import type { UpstreamCall } from './upstream.js';
import { parseJson, readBodyText, requestIdOf, requireJsonContentType, validateChatRequest } from './validate.js';

/** A standard Fetch handler; adapters pass what they know of the connection in `context`. */
export type PathorsProxy = (request: Request, context?: ProxyContext) => Promise<Response>;

/** The restorable part of a session: no variables, only what was said. */
export interface SessionHistory {
  sessionId: string;
  messages: Array<{ role: Extract<Role, 'user' | 'assistant'>; content: string }>;
}

type Route =
  | { name: 'chat'; allow: 'POST' }
  | { name: 'sessions'; allow: 'POST' }
  | { name: 'session'; allow: 'GET, DELETE'; id: string }
  | { name: 'health'; allow: 'GET' };

const unmatched = new WeakSet<Response>();

/** True for the 404 answered to a path the proxy does not serve, so adapters can fall through to `next()`. */
export function isUnmatchedRoute(response: Response): boolean {
  return unmatched.has(response);
}

function route(path: string): Route | undefined {
  if (path === '/chat/completions') return { name: 'chat', allow: 'POST' };
  if (path === '/sessions') return { name: 'sessions', allow: 'POST' };
  if (path === '/health') return { name: 'health', allow: 'GET' };
  const match = /^\/sessions\/([^/]+)$/.exec(path);
  if (match) {
    let id: string;
    try {
      id = decodeURIComponent(match[1]!);
    } catch {
      id = match[1]!;
    }
    return { name: 'session', allow: 'GET, DELETE', id };
  }
  return undefined;
}

const SSE_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  // no-transform stops compression middleware and CDNs from buffering the stream.
  'Cache-Control': 'no-cache, no-transform',
  // nginx buffers proxied responses unless told otherwise.
  'X-Accel-Buffering': 'no',
} as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads `state.messages` (newer host) or `data.messages` (older host), keeping only what a visitor may see again. */
export function normaliseHistory(sessionId: string, body: unknown): SessionHistory {
  const holder = isRecord(body) ? (isRecord(body.state) ? body.state : isRecord(body.data) ? body.data : undefined) : undefined;
  const raw = holder && Array.isArray(holder.messages) ? (holder.messages as unknown[]) : [];
  const messages: SessionHistory['messages'] = [];
  for (const entry of raw) {
    // System prompts are the site's own instructions and tool traffic is machinery: neither is history.
    if (isRecord(entry) && (entry.role === 'user' || entry.role === 'assistant') && typeof entry.content === 'string' && entry.content !== '') {
      messages.push({ role: entry.role, content: entry.content });
    }
  }
  return { sessionId, messages };
}

/**
 * Creates the proxy: a Fetch handler that holds the Pathors key, guards who may spend it and
 * how often, and passes the agent's stream through untouched. Options are checked here, so a
 * misconfigured proxy fails at start, not on a visitor's first message.
 */
export function createPathorsProxy(options: PathorsProxyOptions): PathorsProxy {
  const opts = resolveOptions(options);
  const store = opts.store ?? new MemoryRateLimitStore();
  const signer = createSessionSigner(opts.sessionSecrets);
  const log = createLogger(opts.log, opts.apiKey);

  function clientIp(request: Request, context: ProxyContext): string | undefined {
    if (opts.clientIp) return opts.clientIp(request, context);
    if (opts.trustProxy) {
      // The nearest proxy appends the address it saw; entries to its left are the client's to invent.
      const forwarded = request.headers.get('X-Forwarded-For')?.split(',').map((part) => part.trim()).filter(Boolean);
      const nearest = forwarded?.at(-1);
      if (nearest) return nearest;
    }
    return context.clientAddress;
  }

  async function limit(key: string, bucket: ResolvedOptions['perIp'], what: string): Promise<void> {
    if (bucket === false) return;
    const result = await store.consume(key, bucket, Date.now());
    if (!result.allowed) {
      throw new ProxyError('rate_limited', `Too many requests ${what}; try again in ${result.retryAfterSeconds} s.`, {
        headers: { 'Retry-After': String(result.retryAfterSeconds) },
      });
    }
  }

  async function verifiedSession(sessionId: string): Promise<string> {
    if (!(await signer.verify(sessionId))) {
      throw new ProxyError('invalid_session', 'This session ID was not issued by this proxy; start a new session.');
    }
    await limit(`session:${sessionId}`, opts.perSession, 'in this session');
    return sessionId;
  }

  async function upstreamJson(call: UpstreamCall): Promise<{ status: number; body: unknown }> {
    const { response } = await reach(call);
    if (!response.ok) throw await upstreamFailure(call.operation, response, opts, log);
    const text = await response.text();
    if (text.trim() === '') return { status: response.status, body: undefined };
    try {
      return { status: response.status, body: JSON.parse(text) };
    } catch {
      throw new ProxyError('upstream_bad_response', 'Pathors answered with something other than JSON.');
    }
  }

  async function reach(call: UpstreamCall) {
    try {
      return await callUpstream(call, opts);
    } catch (error) {
      logUnreachable(error, call.operation, log);
      throw error;
    }
  }

  async function createSession(request: Request, signal: AbortSignal): Promise<string> {
    const sessionId = await signer.mint();
    let variables: unknown;
    try {
      variables = (await opts.sessionVariables?.(request)) ?? {};
    } catch (error) {
      log({ type: 'internal_error', message: `sessionVariables threw: ${describeError(error, opts.apiKey)}` });
      throw new ProxyError('internal_error', 'The proxy could not prepare a session.');
    }
    if (!isRecord(variables)) {
      log({ type: 'internal_error', message: 'sessionVariables must return a plain object (or nothing).' });
      throw new ProxyError('internal_error', 'The proxy could not prepare a session.');
    }
    await upstreamJson({
      operation: 'create_session',
      method: 'POST',
      url: opts.sessionUrl,
      body: { session_id: sessionId, variables, provider: 'web' },
      signal,
    });
    return sessionId;
  }

  async function chat(request: Request): Promise<Response> {
    requireJsonContentType(request);
    const requestId = requestIdOf(request, REQUEST_ID_HEADER);
    const { body, sessionId: bodySessionId } = validateChatRequest(
      parseJson(await readBodyText(request, opts.maxBodyBytes)),
      opts,
    );
    const headerSessionId = request.headers.get(SESSION_HEADER) ?? undefined;
    if (headerSessionId !== undefined && bodySessionId !== undefined && headerSessionId !== bodySessionId) {
      throw invalidField('session_id', `differs from the ${SESSION_HEADER} header; send one or the other.`);
    }
    const given = headerSessionId || bodySessionId;
    const existing = given === undefined ? undefined : await verifiedSession(given);
    // Claimed after every check that could refuse, so a refused request can be sent again.
    if (requestId !== undefined && !(await store.claim(`request:${requestId}`, opts.requestIdTtlMs, Date.now()))) {
      throw new ProxyError('duplicate_request', `This ${REQUEST_ID_HEADER} was already used; a chat request is never sent twice.`);
    }
    const sessionId = existing ?? (await createSession(request, request.signal));

    const { response, abort } = await reach({
      operation: 'chat',
      method: 'POST',
      url: opts.chatCompletionsUrl,
      body,
      sessionId,
      accept: body.stream ? 'text/event-stream' : 'application/json',
      signal: request.signal,
    });
    if (!response.ok) throw await upstreamFailure('chat', response, opts, log);

    const type = (response.headers.get('Content-Type') ?? '').split(';', 1)[0]!.trim().toLowerCase();
    const isStream = type === 'text/event-stream';
    if (!isStream && type !== 'application/json') {
      abort();
      const error = new ProxyError('upstream_bad_response', `Pathors answered with ${type || 'no content type'} where ${body.stream ? 'an event stream' : 'JSON'} was expected.`);
      log({ type: 'upstream_error', operation: 'chat', status: error.status, code: error.code, message: error.message, upstreamStatus: response.status });
      throw error;
    }
    const headers: Record<string, string> = isStream
      ? { ...SSE_HEADERS }
      : { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' };
    headers[SESSION_HEADER] = sessionId;
    const relayed = response.body
      ? relayBody(response.body, {
          abortUpstream: abort,
          idleTimeoutMs: opts.streamIdleTimeoutMs,
          onError: (message) => log({ type: 'stream_error', message }),
        })
      : null;
    return new Response(relayed, { status: response.status, headers });
  }

  async function sessions(request: Request): Promise<Response> {
    const sessionId = await createSession(request, request.signal);
    return jsonResponse(201, { sessionId }, { [SESSION_HEADER]: sessionId });
  }

  async function session(request: Request, id: string): Promise<Response> {
    const sessionId = await verifiedSession(id);
    if (request.method === 'GET') {
      const { body } = await upstreamJson({
        operation: 'get_session',
        method: 'GET',
        url: `${opts.sessionUrl}/${encodeURIComponent(sessionId)}`,
        sessionId,
        signal: request.signal,
      });
      return jsonResponse(200, normaliseHistory(sessionId, body));
    }
    await upstreamJson({
      operation: 'end_session',
      method: 'DELETE',
      url: opts.sessionUrl,
      body: { session_id: sessionId },
      sessionId,
      signal: request.signal,
    });
    return jsonResponse(200, { ok: true });
  }

  async function serve(request: Request, ip: string | undefined, path: string | undefined, verdict: OriginVerdict): Promise<Response> {
    // Outside basePath is someone else's path: not even a preflight is ours to answer.
    if (path === undefined) throw new ProxyError('not_found', 'No such route.');
    const matched = route(path);
    if (request.method === 'OPTIONS') {
      if (verdict.kind === 'refused') throw new ProxyError('origin_not_allowed', 'This origin may not use the chat proxy.');
      return new Response(null, { status: 204, headers: { ...preflightHeaders(verdict, opts), Allow: matched?.allow ?? ALLOWED_METHODS } });
    }
    if (!matched) throw new ProxyError('not_found', `No route ${path}.`);
    if (!matched.allow.split(', ').includes(request.method)) {
      throw new ProxyError('method_not_allowed', `${request.method} is not allowed here; use ${matched.allow}.`, {
        headers: { Allow: `${matched.allow}, OPTIONS` },
      });
    }
    if (matched.name === 'health') return jsonResponse(200, { ok: true });
    if (verdict.kind === 'refused') throw new ProxyError('origin_not_allowed', 'This origin may not use the chat proxy.');
    if (verdict.kind === 'none' && !opts.allowNoOrigin) {
      throw new ProxyError('origin_not_allowed', 'Requests without an Origin header are not accepted.');
    }
    await limit(`ip:${ip ?? 'unknown'}`, opts.perIp, 'from this address');
    switch (matched.name) {
      case 'chat':
        return chat(request);
      case 'sessions':
        return sessions(request);
      case 'session':
        return session(request, matched.id);
    }
  }

  function stripBase(pathname: string): string | undefined {
    if (opts.basePath === '') return pathname;
    if (pathname === opts.basePath) return '/';
    return pathname.startsWith(`${opts.basePath}/`) ? pathname.slice(opts.basePath.length) : undefined;
  }

  return async function pathorsProxy(request: Request, context: ProxyContext = {}): Promise<Response> {
    const started = Date.now();
    const path = stripBase(new URL(request.url).pathname);
    let verdict: OriginVerdict = { kind: 'none' };
    let ip: string | undefined;
    let response: Response;
    try {
      ip = clientIp(request, context);
      verdict = judgeOrigin(request, opts);
      response = await serve(request, ip, path, verdict);
    } catch (error) {
      // Nobody is left to read an answer, and a half-read body is not the proxy failing.
      if (error instanceof ClientGone || request.signal.aborted) return new Response(null, { status: 499 });
      let refusal: ProxyError;
      if (error instanceof ProxyError) {
        refusal = error;
      } else {
        log({ type: 'internal_error', message: describeError(error, opts.apiKey) });
        refusal = new ProxyError('internal_error', 'The proxy failed unexpectedly.');
      }
      if (!refusal.code.startsWith('upstream_') && refusal.code !== 'proxy_misconfigured' && refusal.code !== 'internal_error') {
        log({
          type: 'refusal',
          method: request.method,
          path: loggedPath(path ?? new URL(request.url).pathname),
          status: refusal.status,
          code: refusal.code,
          message: refusal.message,
          clientIp: ip,
        });
      }
      response = errorResponse(refusal);
      if (refusal.code === 'not_found') unmatched.add(response);
    }
    for (const [name, value] of Object.entries(corsHeaders(verdict, opts))) {
      if (!response.headers.has(name)) response.headers.set(name, value);
    }
    const sessionId = response.headers.get(SESSION_HEADER);
    log({
      type: 'request',
      method: request.method,
      path: loggedPath(path ?? new URL(request.url).pathname),
      status: response.status,
      durationMs: Date.now() - started,
      clientIp: ip,
      ...(sessionId ? { session: shortSession(sessionId) } : {}),
    });
    return response;
  };
}
