import { ChatError, errorMessageOf } from './errors.js';
import type { ChatCompletion, ChunkChoices } from './wire.js';

/**
 * Reads what the proxy sends, and checks its shape here, once: everything past this point
 * (folding, the conversation) may trust it. A body that is not a chat completion (or a chunk
 * of one) is `malformed`; an `error` body, in either shape, is the server's error.
 */
export function readChunk(text: string): ChunkChoices & { session_id?: string } {
  const value = readJson(text, 'A chunk of the stream');
  const [choice] = value.choices;
  if (choice !== undefined && !isChunkChoice(choice)) {
    throw new ChatError('malformed', 'A chunk of the stream is not part of a chat completion');
  }
  return value as ChunkChoices & { session_id?: string };
}

/** Reads a whole (non-streamed) completion. */
export function readCompletion(text: string): ChatCompletion {
  const value = readJson(text, 'The reply');
  const [choice] = value.choices;
  if (choice !== undefined && !isCompletionChoice(choice)) {
    throw new ChatError('malformed', 'The reply is not a chat completion');
  }
  return value as ChatCompletion;
}

function readJson(text: string, what: string): { choices: unknown[]; session_id?: unknown } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Reported below, with what it was meant to be.
  }
  const detail = errorMessageOf(value);
  if (detail !== undefined) throw new ChatError('http', `The server reported an error: ${detail}`, { detail });
  if (!isRecord(value) || !Array.isArray(value.choices)
    || (value.session_id !== undefined && typeof value.session_id !== 'string')) {
    throw new ChatError('malformed', `${what} is not part of a chat completion`);
  }
  return value as { choices: unknown[] };
}

function isChunkChoice(value: unknown): boolean {
  return isRecord(value) && isRecord(value.delta) && isContent(value.delta.content)
    && (value.delta.tool_calls === undefined || (Array.isArray(value.delta.tool_calls)
      && value.delta.tool_calls.every(isToolCallPiece)))
    && isFinishReason(value.finish_reason);
}

function isCompletionChoice(value: unknown): boolean {
  return isRecord(value) && isRecord(value.message) && isContent(value.message.content)
    && (value.message.tool_calls === undefined || (Array.isArray(value.message.tool_calls)
      && value.message.tool_calls.every((call) => isRecord(call) && isToolCallPiece({ ...call, index: 0 })
        && typeof call.id === 'string' && isRecord(call.function) && typeof call.function.name === 'string')))
    && isFinishReason(value.finish_reason);
}

function isToolCallPiece(value: unknown): boolean {
  if (!isRecord(value) || !Number.isInteger(value.index) || (value.index as number) < 0
    || (value.index as number) > 127) return false;
  const fn = value.function;
  return (value.id === undefined || typeof value.id === 'string')
    && (fn === undefined || (isRecord(fn) && (fn.name === undefined || typeof fn.name === 'string')
      && (fn.arguments === undefined || typeof fn.arguments === 'string')));
}

const isContent = (value: unknown) => value === undefined || value === null || typeof value === 'string';
const isFinishReason = (value: unknown) => value === undefined || value === null || typeof value === 'string';
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
