import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { SESSION_HEADER } from '../shared/http.js';
import type { AssistantMessage, ChatMessage } from '../core/wire.js';
import { FALLBACK_RULES } from './default-script.js';
import type { Exchange, FakeState } from './exchange.js';
import { readMarkers } from './faults.js';
import type { AppliedFault } from './faults.js';
import { mergeHistory, unansweredToolCall } from './history.js';
import { sendError, sendNestedError } from './http-util.js';
import { INVALID_AUTH } from './http-util.js';
import { respondJson, respondStream } from './respond.js';
import { buildContext, lastUserText, planReply } from './script.js';
import type { PlannedReply } from './script.js';
import { getOrCreateSession } from './session-api.js';
import { FAULTS } from './types.js';
import { validateChatRequest } from './validate-chat.js';

/**
 * `POST` chat completions: validate, pick the session, apply any fault, plan the reply from the
 * script, remember the turn, and answer as a stream or as one JSON body.
 */
export async function handleChat(exchange: Exchange, state: FakeState): Promise<void> {
  const { req, res, record } = exchange;
  if (exchange.invalidJson) return sendError(res, 400, 'Invalid JSON body');
  const validated = validateChatRequest(exchange.body);
  if (!validated.ok) return sendError(res, 400, validated.error);
  const request = validated.request;

  const headerId = req.headers['x-session-id'];
  const sessionId =
    (typeof headerId === 'string' && headerId !== '' ? headerId : undefined) ??
    (request.session_id !== undefined && request.session_id !== '' ? request.session_id : undefined) ??
    `session-${randomBytes(9).toString('base64url')}`;
  record.sessionId = sessionId;
  record.stream = request.stream === true;
  res.setHeader(SESSION_HEADER, sessionId);

  // Markers count only on a user turn: the follow-up that carries tool results still holds the
  // same user message, and must not fail again.
  const endsWithUser = request.messages[request.messages.length - 1]?.role === 'user';
  const markers = readMarkers(lastUserText(request.messages));
  if (endsWithUser && markers.unknownFault !== undefined) {
    return sendError(res, 400, `Unknown fault "${markers.unknownFault}"; expected one of ${FAULTS.join(', ')}`);
  }
  const known = state.sessions.get(sessionId);
  const markerFault = endsWithUser
    ? fireOnce(state, markers.fault, known?.messages.length ? sessionId : '', request.messages)
    : undefined;
  const fault: AppliedFault | undefined = markerFault ?? state.faults.take();
  record.fault = fault?.fault;
  exchange.notify();
  const tokenDelayMs = (endsWithUser ? markers.tokenDelayMs : undefined) ?? state.tokenDelayMs;

  switch (fault?.fault) {
    case 'http-500':
      return sendNestedError(res, 500, 'Internal error');
    case 'http-401':
      return sendNestedError(res, 401, INVALID_AUTH);
    case 'http-429':
      return sendNestedError(res, 429, 'Rate limit exceeded', { 'Retry-After': '7' });
    case 'slow-first-byte':
      if (!(await pause(fault.delayMs, exchange.signal))) return;
      break;
    default:
      break;
  }

  const conversation = mergeHistory(known?.messages ?? [], request.messages);
  const unanswered = unansweredToolCall(conversation);
  if (unanswered !== undefined) {
    return sendError(res, 400, `tool call ${unanswered} has no tool result: answer every call before the next turn`);
  }
  const ctx = buildContext(request, conversation, sessionId, known?.variables ?? {}, markers.text);
  const reply = fault?.fault === 'bad-tool-name' ? badToolCall() : planReply(state.script, FALLBACK_RULES, ctx);

  // A failed response leaves the session as it was, so a retry of the same turn is not doubled.
  if (fault === undefined || fault.fault === 'slow-first-byte' || fault.fault === 'bad-tool-name') {
    const session = getOrCreateSession(state.sessions, sessionId);
    session.messages = [...conversation, assistantMessage(reply)];
    session.updatedAt = new Date();
  }

  const respond = request.stream === true ? respondStream : respondJson;
  await respond(exchange, reply, sessionId, fault?.fault, tokenDelayMs);
}

/**
 * A marker's fault happens once per message, so the widget's Retry (the same text again)
 * succeeds. "The same message" is the same text in the same session; a conversation's first
 * message has no session yet (the proxy makes a new one for each attempt), so there it is
 * the same text since the fake started or was reset.
 */
function fireOnce(
  state: FakeState,
  fault: AppliedFault | undefined,
  session: string,
  messages: readonly ChatMessage[],
): AppliedFault | undefined {
  if (!fault) return undefined;
  const key = `${session}\n${lastUserText(messages)}`;
  if (state.firedMarkers.has(key)) return undefined;
  state.firedMarkers.add(key);
  return fault;
}

/** An agent's call that no client can answer: the name breaks the `[A-Za-z0-9_-]` rule. */
function badToolCall(): PlannedReply {
  return {
    content: 'Let me look that up.',
    toolCalls: [
      {
        id: `call_${randomBytes(6).toString('hex')}`,
        type: 'function',
        function: { name: 'look up!', arguments: '{}' },
      },
    ],
  };
}

function assistantMessage(reply: PlannedReply): AssistantMessage {
  if (reply.toolCalls.length === 0) return { role: 'assistant', content: reply.content };
  return { role: 'assistant', content: reply.content === '' ? null : reply.content, tool_calls: reply.toolCalls };
}

/** Waits `ms`; false when the wait was cut short by an abort. */
export async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}
