/**
 * A session's life on the proxy: minted (signed, with an expiry) and created upstream only for
 * a request that will be sent, checked on every use, and refused once ended.
 */
import { isRecord } from '../shared/http.js';
import type { ProxyRuntime, RequestContext } from './context.js';
import { ProxyError } from './errors.js';
import { describeError } from './log.js';
import { MemoryRateLimitStore, enforceLimit } from './rate-limit.js';
import type { RateLimitStore } from './rate-limit.js';
import { upstreamJson } from './upstream.js';

const ENDED = 'ended:';

/** Where ended sessions are remembered: the shared store when it can answer "was this claimed?". */
const localEnded = new WeakMap<RateLimitStore, MemoryRateLimitStore>();
function endedStore(store: RateLimitStore): Required<Pick<RateLimitStore, 'claim' | 'isClaimed'>> {
  if (typeof store.isClaimed === 'function') return store as Required<RateLimitStore>;
  let local = localEnded.get(store);
  if (!local) localEnded.set(store, (local = new MemoryRateLimitStore()));
  return local;
}

/** Checks a session ID the browser sent: ours, not expired, not ended, and within its rate limit. */
export async function verifySession(runtime: ProxyRuntime, sessionId: string): Promise<string> {
  const expiresAt = await runtime.signer.expiryOf(sessionId);
  if (expiresAt === undefined) {
    throw new ProxyError('invalid_session', 'This session ID was not issued by this proxy; start a new session.');
  }
  const now = Date.now();
  if (expiresAt <= now) throw new ProxyError('invalid_session', 'This session has expired; start a new session.');
  if (await endedStore(runtime.store).isClaimed(ENDED + sessionId, now)) {
    throw new ProxyError('invalid_session', 'This session was ended; start a new session.');
  }
  await enforceLimit(runtime.store, `session:${sessionId}`, runtime.options.perSession, 'in this session');
  return sessionId;
}

/** Remembers an ended session until it would have expired anyway, so its ID is refused from now on. */
export async function markSessionEnded(runtime: ProxyRuntime, sessionId: string): Promise<void> {
  const now = Date.now();
  const expiresAt = (await runtime.signer.expiryOf(sessionId)) ?? now + runtime.options.sessionTtlMs;
  await endedStore(runtime.store).claim(ENDED + sessionId, Math.max(1, expiresAt - now), now);
}

/** Mints a signed ID and creates it upstream with the site's variables for this visitor. */
export async function createSession(context: RequestContext): Promise<string> {
  const { options, log, request } = context;
  const sessionId = await context.signer.mint(Date.now() + options.sessionTtlMs);
  let variables: unknown;
  try {
    variables = (await options.sessionVariables?.(request)) ?? {};
  } catch (error) {
    log({ type: 'internal_error', message: `sessionVariables threw: ${describeError(error, options.apiKey)}` });
    throw new ProxyError('internal_error', 'The proxy could not prepare a session.');
  }
  if (!isRecord(variables)) {
    log({ type: 'internal_error', message: 'sessionVariables must return a plain object (or nothing).' });
    throw new ProxyError('internal_error', 'The proxy could not prepare a session.');
  }
  await upstreamJson(context, {
    operation: 'create_session',
    method: 'POST',
    url: options.sessionUrl,
    body: JSON.stringify({ session_id: sessionId, variables, provider: 'web' }),
    signal: request.signal,
  });
  return sessionId;
}
