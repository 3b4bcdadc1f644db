import { REQUEST_ID_HEADER, SESSION_HEADER, mediaType } from '../../shared/http.js';
import type { RequestContext } from '../context.js';
import { ProxyError, invalidField } from '../errors.js';
import { relayBody } from '../relay.js';
import { createSession, verifySession } from '../sessions.js';
import { reachUpstream, upstreamFailure } from '../upstream.js';
import { parseJson, readBodyText, requestIdOf, requireJsonContentType, validateChatRequest } from '../validate.js';

const SSE_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  // no-transform stops compression middleware and CDNs from buffering the stream.
  'Cache-Control': 'no-cache, no-transform',
  // nginx buffers proxied responses unless told otherwise.
  'X-Accel-Buffering': 'no',
} as const;

/**
 * `POST /chat/completions`: every check that can refuse runs before anything is spent
 * upstream, then the reply (an event stream or JSON) is passed through as it arrives.
 */
export async function chat(context: RequestContext): Promise<Response> {
  const { request, options, store, log } = context;
  requireJsonContentType(request);
  const requestId = requestIdOf(request, REQUEST_ID_HEADER);
  const { body, sessionId: bodySessionId } = validateChatRequest(
    parseJson(await readBodyText(request, options.maxBodyBytes)),
    options,
  );
  const headerSessionId = request.headers.get(SESSION_HEADER) ?? undefined;
  if (headerSessionId !== undefined && bodySessionId !== undefined && headerSessionId !== bodySessionId) {
    throw invalidField('session_id', `differs from the ${SESSION_HEADER} header; send one or the other.`);
  }
  const given = headerSessionId || bodySessionId;
  const existing = given === undefined ? undefined : await verifySession(context, given);
  // Serialised before a session is created, so a body that cannot be sent never leaves one behind.
  const json = JSON.stringify(body);
  // Claimed after every check that could refuse, so a refused request can be sent again.
  if (requestId !== undefined && !(await store.claim(`request:${requestId}`, options.requestIdTtlMs, Date.now()))) {
    throw new ProxyError(
      'duplicate_request',
      `This ${REQUEST_ID_HEADER} was already used; a chat request is never sent twice.`,
    );
  }
  const sessionId = existing ?? (await createSession(context));

  const { response, abort } = await reachUpstream(context, {
    operation: 'chat',
    method: 'POST',
    url: options.chatCompletionsUrl,
    body: json,
    sessionId,
    accept: body.stream ? 'text/event-stream' : 'application/json',
    signal: request.signal,
  });
  if (!response.ok) throw await upstreamFailure('chat', response, options, log);

  const type = mediaType(response.headers.get('Content-Type'));
  const isStream = type === 'text/event-stream';
  if (!isStream && type !== 'application/json') {
    abort();
    const error = new ProxyError(
      'upstream_bad_response',
      `Pathors answered with ${type || 'no content type'} where ${body.stream ? 'an event stream' : 'JSON'} was expected.`,
    );
    log({
      type: 'upstream_error',
      operation: 'chat',
      status: error.status,
      code: error.code,
      message: error.message,
      upstreamStatus: response.status,
    });
    throw error;
  }
  const headers: Record<string, string> = isStream
    ? { ...SSE_HEADERS }
    : { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' };
  headers[SESSION_HEADER] = sessionId;
  const relayed = response.body
    ? relayBody(response.body, {
        abortUpstream: abort,
        idleTimeoutMs: options.streamIdleTimeoutMs,
        onError: (message) => log({ type: 'stream_error', message }),
      })
    : null;
  return new Response(relayed, { status: response.status, headers });
}
