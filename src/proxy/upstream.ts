import { SESSION_HEADER, errorMessageOf } from '../shared/http.js';
import type { ProxyRuntime } from './context.js';
import { ProxyError } from './errors.js';
import type { ProxyErrorCode } from './errors.js';
import { describeError, scrub } from './log.js';
import type { ProxyLogEvent } from './log.js';
import type { ResolvedOptions } from './options.js';

export type Operation = 'chat' | 'create_session' | 'get_session' | 'end_session';

const MAX_ERROR_BODY_BYTES = 16 * 1024;
const MAX_MESSAGE_CHARS = 500;
const DEFAULT_RETRY_AFTER = '5';

export interface UpstreamCall {
  operation: Operation;
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  /**
   * JSON, already serialised: the caller serialises before it spends anything upstream (a
   * session), so a body that cannot be serialised costs nothing.
   */
  body?: string;
  sessionId?: string;
  accept?: string;
  /** Aborts the call: the client went away. */
  signal?: AbortSignal;
}

export interface UpstreamReply {
  response: Response;
  /** Aborts the upstream request, including a body still streaming. */
  abort: () => void;
}

/**
 * Fetches with the key added and a deadline for the response headers only: once they arrive
 * the body may stream for as long as the agent writes.
 */
export async function callUpstream(call: UpstreamCall, options: ResolvedOptions): Promise<UpstreamReply> {
  // Ours aborts on demand (a client that left mid-stream, a bad content type), when the client
  // leaves, and at the deadline. A listener and a timer rather than AbortSignal.any() and
  // AbortSignal.timeout(): on Node those cost a weak reference, a finalizer and a timer object per
  // call (about 35 µs of every message), for the same effect.
  const controller = new AbortController();
  const client = call.signal;
  if (client?.aborted) controller.abort(client.reason);
  else client?.addEventListener('abort', () => controller.abort(client.reason), { once: true });
  // The deadline covers the headers only: cleared once they arrive, as the body may stream for long.
  let timedOut = false;
  const deadline = setTimeout(() => {
    timedOut = true;
    controller.abort(new DOMException('The upstream did not answer in time.', 'TimeoutError'));
  }, options.upstreamTimeoutMs);

  const headers: Record<string, string> = {
    Authorization: `Bearer ${options.apiKey}`,
    Accept: call.accept ?? 'application/json',
  };
  if (call.body !== undefined) headers['Content-Type'] = 'application/json';
  if (call.sessionId !== undefined) headers[SESSION_HEADER] = call.sessionId;

  try {
    const response = await options.fetch(call.url, {
      method: call.method,
      headers,
      body: call.body,
      signal: controller.signal,
      // Never follow (the key must not travel to another host); 'manual' hands back the 3xx,
      // which upstreamFailure turns into upstream_error. workerd refuses 'error'.
      redirect: 'manual',
    });
    return { response, abort: () => controller.abort() };
  } catch (error) {
    if (timedOut) {
      throw new ProxyError('upstream_timeout', `Pathors did not answer within ${options.upstreamTimeoutMs} ms.`);
    }
    if (client?.aborted) throw new ClientGone();
    throw new UpstreamUnreachable(describeError(error, options.apiKey));
  } finally {
    clearTimeout(deadline);
  }
}

/** Calls upstream, logging a failure to reach it (the caller turns the refusal into a response). */
export async function reachUpstream(context: ProxyRuntime, call: UpstreamCall): Promise<UpstreamReply> {
  try {
    return await callUpstream(call, context.options);
  } catch (error) {
    logUnreachable(error, call.operation, context.log);
    throw error;
  }
}

/** A call whose answer is JSON (or nothing): the session API. */
export async function upstreamJson(
  context: ProxyRuntime,
  call: UpstreamCall,
): Promise<{ status: number; body: unknown }> {
  const { response } = await reachUpstream(context, call);
  if (!response.ok) throw await upstreamFailure(call.operation, response, context.options, context.log);
  const text = await response.text();
  if (text.trim() === '') return { status: response.status, body: undefined };
  try {
    return { status: response.status, body: JSON.parse(text) };
  } catch {
    throw new ProxyError('upstream_bad_response', 'Pathors answered with something other than JSON.');
  }
}

/** The client left before the upstream answered; there is no one to answer. */
export class ClientGone extends Error {
  constructor() {
    super('The client disconnected.');
    this.name = 'ClientGone';
  }
}

class UpstreamUnreachable extends ProxyError {
  readonly detail: string;

  constructor(detail: string) {
    super('upstream_unreachable', 'The proxy could not reach Pathors.');
    this.detail = detail;
  }
}

/** Pathors answers errors as `{error: "..."}` or `{error: {message}}`; accept both, and plain text. */
export function extractUpstreamMessage(text: string): string | undefined {
  let message: string | undefined;
  try {
    message = errorMessageOf(JSON.parse(text));
  } catch {
    // Not JSON: an HTML error page says nothing a visitor should read.
  }
  if (message === undefined) return undefined;
  return message.length > MAX_MESSAGE_CHARS ? `${message.slice(0, MAX_MESSAGE_CHARS)}…` : message;
}

async function readLimited(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      text += decoder.decode(value, { stream: true });
      if (bytes >= MAX_ERROR_BODY_BYTES) break;
    }
  } catch {
    // A half-read error body still tells us the status.
  } finally {
    reader.cancel().catch(() => undefined);
  }
  return text;
}

/**
 * Turns an upstream refusal into the proxy's own: the key's failures are the site owner's
 * problem (502), the visitor's mistakes stay 4xx, and Pathors' words pass only with the key scrubbed.
 */
export async function upstreamFailure(
  operation: Operation,
  response: Response,
  options: ResolvedOptions,
  log: (event: ProxyLogEvent) => void,
): Promise<ProxyError> {
  const status = response.status;
  const upstreamMessage = extractUpstreamMessage(await readLimited(response));
  const said = upstreamMessage === undefined ? undefined : scrub(upstreamMessage, options.apiKey);
  let code: ProxyErrorCode;
  let message: string;
  const headers: Record<string, string> = {};
  if (status === 401 || status === 403) {
    code = 'proxy_misconfigured';
    message = "The chat service is misconfigured: Pathors refused the proxy's API key or project ID.";
  } else if (status === 404 && operation !== 'chat' && operation !== 'create_session') {
    code = 'session_not_found';
    message = said ?? 'Session not found.';
  } else if (status === 404) {
    code = 'proxy_misconfigured';
    message = 'The chat service is misconfigured: Pathors has no such endpoint or project.';
  } else if (status === 400 || status === 422) {
    code = 'upstream_bad_request';
    message = said ?? 'Pathors refused the request as invalid.';
  } else if (status === 429) {
    code = 'upstream_rate_limited';
    message = said ?? 'Pathors is rate limiting this project; try again shortly.';
    const retryAfter = response.headers.get('Retry-After');
    headers['Retry-After'] =
      retryAfter !== null && /^\d{1,6}$/.test(retryAfter.trim()) ? retryAfter.trim() : DEFAULT_RETRY_AFTER;
  } else {
    code = 'upstream_error';
    message = said === undefined ? `Pathors answered ${status}.` : `Pathors answered ${status}: ${said}`;
  }
  const error = new ProxyError(code, message, { headers });
  log({
    type: 'upstream_error',
    operation,
    status: error.status,
    code,
    message: said === undefined ? message : `${message} (upstream: ${said})`,
    upstreamStatus: status,
  });
  return error;
}

export function logUnreachable(error: unknown, operation: Operation, log: (event: ProxyLogEvent) => void): void {
  if (error instanceof UpstreamUnreachable) {
    log({ type: 'upstream_error', operation, status: error.status, code: error.code, message: error.detail });
  } else if (error instanceof ProxyError && error.code === 'upstream_timeout') {
    log({ type: 'upstream_error', operation, status: error.status, code: error.code, message: error.message });
  }
}
