import type { Role } from '../../core/wire.js';
import { SESSION_HEADER, isRecord } from '../../shared/http.js';
import type { RequestContext } from '../context.js';
import { jsonResponse } from '../errors.js';
import { createSession, markSessionEnded, verifySession } from '../sessions.js';
import { upstreamJson } from '../upstream.js';

/** The restorable part of a session: no variables, only what was said. */
export interface SessionHistory {
  sessionId: string;
  messages: Array<{ role: Extract<Role, 'user' | 'assistant'>; content: string }>;
}

/** Reads `state.messages` (newer host) or `data.messages` (older host), keeping only what a visitor may see again. */
export function normaliseHistory(sessionId: string, body: unknown): SessionHistory {
  const holder = isRecord(body)
    ? isRecord(body.state)
      ? body.state
      : isRecord(body.data)
        ? body.data
        : undefined
    : undefined;
  const raw = holder && Array.isArray(holder.messages) ? (holder.messages as unknown[]) : [];
  const messages: SessionHistory['messages'] = [];
  for (const entry of raw) {
    // System prompts are the site's own instructions and tool traffic is machinery: neither is history.
    if (
      isRecord(entry) &&
      (entry.role === 'user' || entry.role === 'assistant') &&
      typeof entry.content === 'string' &&
      entry.content !== ''
    ) {
      messages.push({ role: entry.role, content: entry.content });
    }
  }
  return { sessionId, messages };
}

/** `POST /sessions`: starts a session ahead of the first message. */
export async function startSession(context: RequestContext): Promise<Response> {
  const sessionId = await createSession(context);
  return jsonResponse(201, { sessionId }, { [SESSION_HEADER]: sessionId });
}

/** `GET /sessions/:id`: what was said, for a page that restores the conversation. */
export async function readSession(context: RequestContext, id: string): Promise<Response> {
  const sessionId = await verifySession(context, id);
  const { body } = await upstreamJson(context, {
    operation: 'get_session',
    method: 'GET',
    url: `${context.options.sessionUrl}/${encodeURIComponent(sessionId)}`,
    sessionId,
    signal: context.request.signal,
  });
  return jsonResponse(200, normaliseHistory(sessionId, body));
}

/** `DELETE /sessions/:id`: ends it upstream; the ID is refused from then on, whatever Pathors answers. */
export async function endSession(context: RequestContext, id: string): Promise<Response> {
  const sessionId = await verifySession(context, id);
  await markSessionEnded(context, sessionId);
  await upstreamJson(context, {
    operation: 'end_session',
    method: 'DELETE',
    url: context.options.sessionUrl,
    body: JSON.stringify({ session_id: sessionId }),
    sessionId,
    signal: context.request.signal,
  });
  return jsonResponse(200, { ok: true });
}
