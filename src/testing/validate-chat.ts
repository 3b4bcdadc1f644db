import type { ChatMessage, ChatRequest, ToolCall, ToolDefinition } from '../core/wire.js';
import { isRecord } from '../shared/http.js';

export type Validated = { ok: true; request: ChatRequest } | { ok: false; error: string };

const ROLES = ['system', 'user', 'assistant', 'tool'] as const;

/**
 * Checks a chat body against the shapes pathors-api.md documents. The fake is strict on purpose:
 * a client bug caught here is cheaper than one caught against the real API. Unknown extra fields
 * (`model`, `temperature` from OpenAI clients) are allowed, as a real server would.
 */
export function validateChatRequest(body: unknown): Validated {
  if (!isRecord(body)) return fail('Request body must be a JSON object');
  const { messages, stream, tools, session_id: sessionId } = body;
  if (messages === undefined) return fail('messages is required');
  if (!Array.isArray(messages)) return fail('messages must be an array');
  if (messages.length === 0) return fail('messages must not be empty');

  const checked: ChatMessage[] = [];
  for (const [index, message] of messages.entries()) {
    const result = validateMessage(message, `messages[${index}]`);
    if (typeof result === 'string') return fail(result);
    checked.push(result);
  }
  if (stream !== undefined && typeof stream !== 'boolean') return fail('stream must be a boolean');
  if (sessionId !== undefined && typeof sessionId !== 'string') return fail('session_id must be a string');

  let checkedTools: ToolDefinition[] | undefined;
  if (tools !== undefined) {
    if (!Array.isArray(tools)) return fail('tools must be an array');
    checkedTools = [];
    for (const [index, tool] of tools.entries()) {
      const result = validateTool(tool, `tools[${index}]`);
      if (typeof result === 'string') return fail(result);
      checkedTools.push(result);
    }
  }

  const request: ChatRequest = { messages: checked };
  if (stream !== undefined) request.stream = stream;
  if (checkedTools !== undefined) request.tools = checkedTools;
  if (sessionId !== undefined) request.session_id = sessionId;
  return { ok: true, request };
}

function fail(error: string): Validated {
  return { ok: false, error };
}

function validateMessage(message: unknown, where: string): ChatMessage | string {
  if (!isRecord(message)) return `${where} must be an object`;
  const { role, content } = message;
  if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) {
    return `${where}.role must be one of ${ROLES.join(', ')}`;
  }
  switch (role) {
    case 'system':
    case 'user':
      if (typeof content !== 'string') return `${where}.content must be a string`;
      return { role, content };
    case 'tool': {
      const toolCallId = message['tool_call_id'];
      if (typeof toolCallId !== 'string' || toolCallId === '') return `${where}.tool_call_id is required`;
      if (typeof content !== 'string') return `${where}.content must be a string`;
      return { role, tool_call_id: toolCallId, content };
    }
    default: {
      const rawCalls = message['tool_calls'];
      if (content !== null && content !== undefined && typeof content !== 'string') {
        return `${where}.content must be a string or null`;
      }
      if (rawCalls === undefined) {
        if (typeof content !== 'string') return `${where}.content must be a string`;
        return { role: 'assistant', content };
      }
      if (!Array.isArray(rawCalls)) return `${where}.tool_calls must be an array`;
      const toolCalls: ToolCall[] = [];
      for (const [index, call] of rawCalls.entries()) {
        const result = validateToolCall(call, `${where}.tool_calls[${index}]`);
        if (typeof result === 'string') return result;
        toolCalls.push(result);
      }
      return { role: 'assistant', content: content ?? null, tool_calls: toolCalls };
    }
  }
}

function validateToolCall(call: unknown, where: string): ToolCall | string {
  if (!isRecord(call)) return `${where} must be an object`;
  const fn = call['function'];
  if (typeof call['id'] !== 'string' || call['id'] === '') return `${where}.id is required`;
  if (call['type'] !== 'function') return `${where}.type must be "function"`;
  if (!isRecord(fn) || typeof fn['name'] !== 'string') return `${where}.function.name is required`;
  if (typeof fn['arguments'] !== 'string') return `${where}.function.arguments must be a string`;
  return { id: call['id'], type: 'function', function: { name: fn['name'], arguments: fn['arguments'] } };
}

function validateTool(tool: unknown, where: string): ToolDefinition | string {
  if (!isRecord(tool)) return `${where} must be an object`;
  if (tool['type'] !== 'function') return `${where}.type must be "function"`;
  const fn = tool['function'];
  if (!isRecord(fn) || typeof fn['name'] !== 'string' || fn['name'] === '') {
    return `${where}.function.name is required`;
  }
  const { description, parameters } = fn;
  if (description !== undefined && typeof description !== 'string') {
    return `${where}.function.description must be a string`;
  }
  if (parameters !== undefined && !isRecord(parameters)) return `${where}.function.parameters must be an object`;
  const definition: ToolDefinition = { type: 'function', function: { name: fn['name'] } };
  if (description !== undefined) definition.function.description = description;
  // The schema is only read (by the argument sampler, which checks every field it uses).
  if (parameters !== undefined) definition.function.parameters = parameters;
  return definition;
}
