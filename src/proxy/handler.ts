import { SESSION_HEADER } from '../shared/http.js';
import { clientIpOf } from './client-ip.js';
import type { ProxyRuntime, RequestContext } from './context.js';
import { ALLOWED_METHODS, corsHeaders, judgeOrigin, preflightHeaders, requireAllowedOrigin } from './cors.js';
import type { OriginVerdict } from './cors.js';
import { ProxyError, errorResponse } from './errors.js';
import { createLogger, describeError, loggedPath, shortSession } from './log.js';
import { resolveOptions } from './options.js';
import type { PathorsProxyOptions, ProxyContext } from './options.js';
import { MemoryRateLimitStore, enforceLimit } from './rate-limit.js';
import { matchRoute } from './router.js';
import { createSessionSigner } from './session-token.js';
import { ClientGone } from './upstream.js';

/** A standard Fetch handler; adapters pass what they know of the connection in `context`. */
export type PathorsProxy = (request: Request, context?: ProxyContext) => Promise<Response>;

const unmatched = new WeakSet<Response>();
const bodyLimits = new WeakMap<PathorsProxy, (method: string, pathname: string) => number | undefined>();

/** True for the 404 answered to a path the proxy does not serve, so adapters can fall through to `next()`. */
export function isUnmatchedRoute(response: Response): boolean {
  return unmatched.has(response);
}

/**
 * For an adapter that would rather buffer a request's body than stream it in: the size past which
 * `handler` refuses the body, when `method` and `pathname` are one of its own routes. Undefined
 * for anything else (a path it passes on, whose body belongs to the next handler) and for a
 * handler `createPathorsProxy` did not make.
 */
export function ownBodyLimit(handler: PathorsProxy, method: string, pathname: string): number | undefined {
  return bodyLimits.get(handler)?.(method, pathname);
}

/**
 * For a wrapper that answers what `inner` answers (perhaps amending some answers): adapters treat
 * it as `inner`, reading the bodies of its routes whole. Returns `wrapper`.
 */
export function servingAs(wrapper: PathorsProxy, inner: PathorsProxy): PathorsProxy {
  const limits = bodyLimits.get(inner);
  if (limits) bodyLimits.set(wrapper, limits);
  return wrapper;
}

/**
 * The checks in front of every route, in order: the route exists, a preflight is answered,
 * the method fits, the origin may call, the client is within its rate. Routes then do their own
 * (body, session) with the context this built.
 */
async function serve(context: RequestContext): Promise<Response> {
  const { request, path, options } = context;
  const matched = matchRoute(path);
  if (request.method === 'OPTIONS') {
    requireAllowedOrigin(context.origin, true);
    return new Response(null, {
      status: 204,
      headers: { ...preflightHeaders(context.origin, options), Allow: matched?.allow ?? ALLOWED_METHODS },
    });
  }
  if (!matched) throw new ProxyError('not_found', `No route ${path}.`);
  const handle = matched.handlers[request.method];
  if (!handle) {
    throw new ProxyError('method_not_allowed', `${request.method} is not allowed here; use ${matched.allow}.`, {
      headers: { Allow: `${matched.allow}, OPTIONS` },
    });
  }
  if (!matched.open) {
    requireAllowedOrigin(context.origin, options.allowNoOrigin);
    await enforceLimit(context.store, `ip:${context.clientIp ?? 'unknown'}`, options.perIp, 'from this address');
  }
  return handle(context);
}

/** A thrown refusal (or bug) as the JSON answer a client reads; refusals are logged, bugs hidden. */
function refusalResponse(
  runtime: ProxyRuntime,
  error: unknown,
  request: Request,
  path: string,
  clientIp: string | undefined,
): Response {
  let refusal: ProxyError;
  if (error instanceof ProxyError) {
    refusal = error;
  } else {
    runtime.log({ type: 'internal_error', message: describeError(error, runtime.options.apiKey) });
    refusal = new ProxyError('internal_error', 'The proxy failed unexpectedly.');
  }
  // Upstream failures and internal errors were logged where they happened, with more detail.
  if (
    !refusal.code.startsWith('upstream_') &&
    refusal.code !== 'proxy_misconfigured' &&
    refusal.code !== 'internal_error'
  ) {
    runtime.log({
      type: 'refusal',
      method: request.method,
      path: loggedPath(path),
      status: refusal.status,
      code: refusal.code,
      message: refusal.message,
      clientIp,
    });
  }
  return errorResponse(refusal);
}

/**
 * Creates the proxy: a Fetch handler that holds the Pathors key, guards who may spend it and
 * how often, and passes the agent's stream through untouched. Options are checked here, so a
 * misconfigured proxy fails at start, not on a visitor's first message.
 */
export function createPathorsProxy(options: PathorsProxyOptions): PathorsProxy {
  const resolved = resolveOptions(options);
  const runtime: ProxyRuntime = {
    options: resolved,
    store: resolved.store ?? new MemoryRateLimitStore(),
    signer: createSessionSigner(resolved.sessionSecrets),
    log: createLogger(resolved.log, resolved.apiKey),
  };

  function stripBase(pathname: string): string | undefined {
    const base = resolved.basePath;
    if (base === '') return pathname;
    if (pathname === base) return '/';
    return pathname.startsWith(`${base}/`) ? pathname.slice(base.length) : undefined;
  }

  const pathorsProxy: PathorsProxy = async (request, adapter = {}) => {
    const started = Date.now();
    const fullPath = new URL(request.url).pathname;
    const path = stripBase(fullPath);
    let origin: OriginVerdict = { kind: 'none' };
    let clientIp: string | undefined;
    let response: Response;
    try {
      clientIp = clientIpOf(request, adapter, resolved);
      origin = judgeOrigin(request, resolved);
      // Outside basePath is someone else's path: not even a preflight is ours to answer.
      if (path === undefined) throw new ProxyError('not_found', 'No such route.');
      response = await serve({ ...runtime, request, path, clientIp, origin });
    } catch (error) {
      // Nobody is left to read an answer, and a half-read body is not the proxy failing.
      if (error instanceof ClientGone || request.signal.aborted) return new Response(null, { status: 499 });
      response = refusalResponse(runtime, error, request, path ?? fullPath, clientIp);
      if (error instanceof ProxyError && error.code === 'not_found') unmatched.add(response);
    }
    for (const [name, value] of Object.entries(corsHeaders(origin, resolved))) {
      if (!response.headers.has(name)) response.headers.set(name, value);
    }
    const sessionId = response.headers.get(SESSION_HEADER);
    runtime.log({
      type: 'request',
      method: request.method,
      path: loggedPath(path ?? fullPath),
      status: response.status,
      durationMs: Date.now() - started,
      clientIp,
      ...(sessionId ? { session: shortSession(sessionId) } : {}),
    });
    return response;
  };
  bodyLimits.set(pathorsProxy, (method, pathname) => {
    const path = stripBase(pathname);
    return path !== undefined && matchRoute(path)?.handlers[method] ? resolved.maxBodyBytes : undefined;
  });
  return pathorsProxy;
}
