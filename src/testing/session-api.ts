import type {
  ChatMessage,
  CreateSessionResponse,
  EndSessionResponse,
  LegacySessionState,
  Role,
  SessionState,
} from '../core/wire.js';
import type { Exchange, FakeState } from './exchange.js';
import { isRecord } from '../shared/http.js';
import { sendError, sendJson } from './http-util.js';
import type { Layout } from './routes.js';
import type { FakeSession } from './types.js';

/** The reference shows a `pathwayId` but not its form; the fake serves one pathway. */
export const PATHWAY_ID = 'pathway-default';

const SESSION_REQUIRED = 'session_id is required';
const NOT_FOUND = 'Session not found';

export function getOrCreateSession(sessions: Map<string, FakeSession>, id: string): FakeSession {
  let session = sessions.get(id);
  if (!session) {
    const now = new Date();
    session = { id, variables: {}, messages: [], createdAt: now, updatedAt: now };
    sessions.set(id, session);
  }
  return session;
}

/**
 * `POST .../session` creates (or, when the id exists, updates the variables of) a session;
 * `GET .../session/{id}` reads it; `DELETE .../session` with `{session_id}` ends it. The reference
 * does not say what creating an existing id does; the fake keeps its messages and replaces its
 * variables, which is what a site re-sending its user's details expects.
 */
export function handleSession(
  exchange: Exchange,
  state: FakeState,
  layout: Layout,
  sessionId: string | undefined,
): void {
  const { req, res } = exchange;
  if (req.method === 'GET' && sessionId !== undefined) {
    const session = state.sessions.get(sessionId);
    if (!session) return sendError(res, 404, NOT_FOUND);
    return sendJson(res, 200, layout === 'v1' ? newerState(session) : legacyState(session));
  }

  if (exchange.invalidJson) return sendError(res, 400, 'Invalid JSON body');
  const body = exchange.body ?? {};
  if (!isRecord(body)) return sendError(res, 400, 'Request body must be a JSON object');
  const id = body['session_id'];
  if (typeof id !== 'string' || id === '') return sendError(res, 400, SESSION_REQUIRED);

  if (req.method === 'DELETE') {
    if (!state.sessions.delete(id)) return sendError(res, 404, NOT_FOUND);
    const ended: EndSessionResponse = { success: true, sessionId: id, message: 'Session ended successfully' };
    return sendJson(res, 200, ended);
  }

  const { variables = {}, provider } = body;
  if (!isRecord(variables)) return sendError(res, 400, 'variables must be an object');
  if (provider !== undefined && provider !== 'api' && provider !== 'web') {
    return sendError(res, 400, 'provider must be "api" or "web"');
  }
  const session = getOrCreateSession(state.sessions, id);
  session.variables = { ...variables };
  if (provider !== undefined) session.provider = provider;
  session.updatedAt = new Date();
  const created: CreateSessionResponse = { sessionId: id, pathwayId: PATHWAY_ID };
  sendJson(res, 200, created);
}

/** The query answers `{role, content}` pairs only, as documented; tool calls stay server-side. */
function publicMessages(messages: readonly ChatMessage[]): Array<{ role: Role; content: string }> {
  return messages.map((message) => ({ role: message.role, content: message.content ?? '' }));
}

function newerState(session: FakeSession): SessionState {
  return {
    sessionId: session.id,
    state: { variables: { ...session.variables }, messages: publicMessages(session.messages) },
  };
}

function legacyState(session: FakeSession): LegacySessionState {
  return {
    sessionId: session.id,
    data: { variables: { ...session.variables }, messages: publicMessages(session.messages) },
    createdAt: session.createdAt.toISOString(),
    updatedAt: session.updatedAt.toISOString(),
  };
}
