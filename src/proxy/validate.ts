import type { ChatMessage, ChatRequest, ToolCall, ToolDefinition } from '../core/wire.js';
import { isRecord, mediaType } from '../shared/http.js';
import { bufferedBodyOf } from './buffered-body.js';
import { ProxyError, invalidField } from './errors.js';
import type { ResolvedOptions } from './options.js';

type Limits = Pick<
  ResolvedOptions,
  'maxBodyBytes' | 'maxMessages' | 'maxMessageChars' | 'maxTools' | 'allowSystemMessages' | 'tools'
>;

const TOOL_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_DESCRIPTION_CHARS = 1024;
const MAX_ID_CHARS = 256;
/**
 * Nesting allowed in a tool's JSON Schema. Real schemas nest a handful of levels; a deep one
 * would overflow the stack of whatever serialises it (this proxy, or Pathors).
 */
export const MAX_SCHEMA_DEPTH = 64;

/** How deep `value` nests, counted without recursion and stopping as soon as it passes `limit`. */
function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 1 }];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (typeof next.value !== 'object' || next.value === null) continue;
    if (next.depth > limit) return true;
    for (const child of Object.values(next.value)) stack.push({ value: child, depth: next.depth + 1 });
  }
  return false;
}

export function requireJsonContentType(request: Request): void {
  if (mediaType(request.headers.get('Content-Type')) !== 'application/json') {
    throw new ProxyError('unsupported_media_type', 'Content-Type must be application/json.');
  }
}

function tooLarge(limit: number): ProxyError {
  return new ProxyError('payload_too_large', `The request body is larger than ${limit} bytes.`);
}

/** Reads a streamed body whole, refusing as soon as it passes `limit` bytes. */
async function readStream(body: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/**
 * Reads the body, refusing past `limit` bytes whatever `Content-Length` claims: the header
 * is checked first to refuse early, and the bytes are counted because it can lie or be absent.
 */
export async function readBodyText(request: Request, limit: number): Promise<string> {
  const declared = request.headers.get('Content-Length');
  if (declared !== null && Number(declared) > limit) throw tooLarge(limit);
  const buffered = bufferedBodyOf(request);
  if (buffered && buffered.byteLength > limit) throw tooLarge(limit);
  const bytes = buffered ?? (request.body ? await readStream(request.body, limit) : undefined);
  if (!bytes) return '';
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ProxyError('invalid_json', 'The request body is not valid UTF-8.');
  }
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ProxyError('invalid_json', 'The request body is not valid JSON.');
  }
}

function boundedString(field: string, value: unknown, maxChars: number, allowEmpty = true): string {
  if (typeof value !== 'string') throw invalidField(field, 'must be a string.');
  if (!allowEmpty && value.trim() === '') throw invalidField(field, 'must not be empty.');
  if (value.length > maxChars) throw invalidField(field, `must be at most ${maxChars} characters.`);
  return value;
}

function toolCalls(field: string, value: unknown, limits: Limits): ToolCall[] {
  if (!Array.isArray(value) || value.length === 0) throw invalidField(field, 'must be a non-empty array.');
  const max = Math.max(limits.maxTools, 1);
  if (value.length > max) throw invalidField(field, `must hold at most ${max} calls.`);
  return value.map((call: unknown, i) => {
    const at = `${field}[${i}]`;
    if (!isRecord(call)) throw invalidField(at, 'must be an object.');
    if (call.type !== 'function') throw invalidField(`${at}.type`, 'must be "function".');
    if (!isRecord(call.function)) throw invalidField(`${at}.function`, 'must be an object.');
    // The name is what the agent asked for, echoed back: a name the page could never offer (a dot,
    // a space) must still be sent back with its error result, or the turn could never end.
    const name = boundedString(`${at}.function.name`, call.function.name, MAX_ID_CHARS, false);
    return {
      id: boundedString(`${at}.id`, call.id, MAX_ID_CHARS, false),
      type: 'function',
      function: {
        name,
        arguments: boundedString(`${at}.function.arguments`, call.function.arguments, limits.maxMessageChars),
      },
    };
  });
}

function message(value: unknown, i: number, limits: Limits): ChatMessage {
  const at = `messages[${i}]`;
  if (!isRecord(value)) throw invalidField(at, 'must be an object.');
  const { role } = value;
  switch (role) {
    case 'user':
      return { role, content: boundedString(`${at}.content`, value.content, limits.maxMessageChars, false) };
    case 'system':
      if (!limits.allowSystemMessages) {
        throw invalidField(
          `${at}.role`,
          'must not be "system": the agent\'s instructions are set in Pathors, not by the page.',
        );
      }
      return { role, content: boundedString(`${at}.content`, value.content, limits.maxMessageChars) };
    case 'tool':
      return {
        role,
        tool_call_id: boundedString(`${at}.tool_call_id`, value.tool_call_id, MAX_ID_CHARS, false),
        content: boundedString(`${at}.content`, value.content, limits.maxMessageChars),
      };
    case 'assistant': {
      const content =
        value.content === null || value.content === undefined
          ? null
          : boundedString(`${at}.content`, value.content, limits.maxMessageChars);
      if (value.tool_calls === undefined) {
        if (content === null) throw invalidField(`${at}.content`, 'must be a string when there are no tool_calls.');
        return { role, content };
      }
      return { role, content, tool_calls: toolCalls(`${at}.tool_calls`, value.tool_calls, limits) };
    }
    default:
      throw invalidField(
        `${at}.role`,
        `must be one of "user", "assistant", "tool"${limits.allowSystemMessages ? ', "system"' : ''}.`,
      );
  }
}

function tool(value: unknown, i: number, pinned: Limits['tools']): ToolDefinition {
  const at = `tools[${i}]`;
  if (!isRecord(value)) throw invalidField(at, 'must be an object.');
  if (value.type !== 'function') throw invalidField(`${at}.type`, 'must be "function".');
  const fn = value.function;
  if (!isRecord(fn)) throw invalidField(`${at}.function`, 'must be an object.');
  const name = boundedString(`${at}.function.name`, fn.name, 64, false);
  if (!TOOL_NAME.test(name)) throw invalidField(`${at}.function.name`, 'must be 1-64 letters, digits, "_" or "-".');
  if (pinned) {
    const definition = pinned.get(name);
    if (!definition) throw invalidField(`${at}.function.name`, `names no tool this site offers ("${name}").`);
    return definition;
  }
  const definition: ToolDefinition = { type: 'function', function: { name } };
  if (fn.description !== undefined) {
    definition.function.description = boundedString(
      `${at}.function.description`,
      fn.description,
      MAX_DESCRIPTION_CHARS,
    );
  }
  if (fn.parameters !== undefined) {
    if (!isRecord(fn.parameters)) throw invalidField(`${at}.function.parameters`, 'must be a JSON Schema object.');
    if (nestsDeeperThan(fn.parameters, MAX_SCHEMA_DEPTH)) {
      throw invalidField(`${at}.function.parameters`, `must nest at most ${MAX_SCHEMA_DEPTH} levels.`);
    }
    if (fn.parameters.type !== undefined && fn.parameters.type !== 'object') {
      throw invalidField(`${at}.function.parameters.type`, 'must be "object".');
    }
    // The schema is the page's own description of its tool; its size is bounded by maxBodyBytes.
    definition.function.parameters = fn.parameters as NonNullable<ToolDefinition['function']['parameters']>;
  }
  return definition;
}

export interface ValidChatRequest {
  /** Only the fields Pathors documents; anything else the browser sent is dropped. */
  body: Pick<ChatRequest, 'messages' | 'stream' | 'tools'>;
  /** The deprecated body field, for clients that cannot set headers. */
  sessionId: string | undefined;
}

export function validateChatRequest(value: unknown, limits: Limits): ValidChatRequest {
  if (!isRecord(value)) throw invalidField('body', 'must be a JSON object.');
  const { messages, stream, tools, session_id: sessionId } = value;
  if (!Array.isArray(messages) || messages.length === 0) throw invalidField('messages', 'must be a non-empty array.');
  if (messages.length > limits.maxMessages)
    throw invalidField('messages', `must hold at most ${limits.maxMessages} messages.`);
  const body: ValidChatRequest['body'] = { messages: messages.map((entry: unknown, i) => message(entry, i, limits)) };
  if (stream !== undefined) {
    if (typeof stream !== 'boolean') throw invalidField('stream', 'must be a boolean.');
    body.stream = stream;
  }
  if (tools !== undefined) {
    if (!Array.isArray(tools)) throw invalidField('tools', 'must be an array.');
    if (tools.length > limits.maxTools) throw invalidField('tools', `must hold at most ${limits.maxTools} tools.`);
    if (tools.length > 0) body.tools = tools.map((entry: unknown, i) => tool(entry, i, limits.tools));
  }
  if (sessionId !== undefined && sessionId !== null && typeof sessionId !== 'string') {
    throw invalidField('session_id', 'must be a string.');
  }
  return { body, sessionId: typeof sessionId === 'string' && sessionId !== '' ? sessionId : undefined };
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/** The idempotency key, when sent; a malformed one is refused rather than ignored. */
export function requestIdOf(request: Request, header: string): string | undefined {
  const value = request.headers.get(header);
  if (value === null) return undefined;
  if (!REQUEST_ID.test(value)) {
    throw new ProxyError(
      'invalid_request',
      `${header} must be 8-128 characters of letters, digits, ".", "_", ":" or "-" (a UUID fits).`,
      { field: header },
    );
  }
  return value;
}
