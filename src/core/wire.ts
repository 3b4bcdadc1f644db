/**
 * Wire types for the Pathors chat completions and session APIs, exactly as
 * `pathors-api.md` describes them. Shared by the browser core, the proxy and
 * the fake upstream; type-only, so importing it costs no bytes.
 */

export type Role = 'system' | 'user' | 'assistant' | 'tool';

/** A function the agent may call; `arguments` is a JSON string. */
export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface SystemMessage {
  role: 'system';
  content: string;
}
export interface UserMessage {
  role: 'user';
  content: string;
}
export interface AssistantMessage {
  role: 'assistant';
  content: string | null;
  tool_calls?: ToolCall[];
}
export interface ToolMessage {
  role: 'tool';
  tool_call_id: string;
  content: string;
}

export type ChatMessage = SystemMessage | UserMessage | AssistantMessage | ToolMessage;

/** `{ type: "function", function: { name, description, parameters } }`. */
export interface ToolDefinition {
  type: 'function';
  function: { name: string; description?: string; parameters?: JsonSchema };
}

/** The subset of JSON Schema a tool's `parameters` uses. */
export interface JsonSchema {
  type?: 'object' | 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'null';
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: readonly unknown[];
  additionalProperties?: boolean;
}

export interface ChatRequest {
  messages: ChatMessage[];
  stream?: boolean;
  tools?: ToolDefinition[];
  /** Deprecated upstream: only where headers cannot be set. Prefer `X-Session-ID`. */
  session_id?: string;
}

export type FinishReason = 'stop' | 'tool_calls' | 'length' | null;

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: Array<{
    index: number;
    message: { role: 'assistant'; content: string | null; tool_calls?: ToolCall[] };
    finish_reason: FinishReason;
  }>;
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  session_id?: string;
}

/** One piece of a streamed tool call; pieces are joined by `index`. */
export interface ToolCallDelta {
  index: number;
  id?: string;
  type?: 'function';
  function?: { name?: string; arguments?: string };
}

/** What a client reads of a chunk: the rest (id, model, timestamps) is informational. */
export type ChunkChoices = Pick<ChatCompletionChunk, 'choices'>;

export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: Array<{
    index: number;
    delta: { role?: 'assistant'; content?: string | null; tool_calls?: ToolCallDelta[] };
    finish_reason: FinishReason;
  }>;
  session_id?: string;
}

/** Both error body shapes the reference shows. */
export type ErrorBody = { error: string } | { error: { message: string; code?: string } };

export interface CreateSessionRequest {
  session_id: string;
  variables?: Record<string, unknown>;
  provider?: 'api' | 'web';
}
export interface CreateSessionResponse {
  sessionId: string;
  pathwayId: string;
}

/** The newer host's answer to a session query. */
export interface SessionState {
  sessionId: string;
  state: { variables: Record<string, unknown>; messages: Array<{ role: Role; content: string }> };
}
/** The older host's answer to the same query. */
export interface LegacySessionState {
  sessionId: string;
  data: { variables: Record<string, unknown>; messages: Array<{ role: Role; content: string }> };
  createdAt: string;
  updatedAt: string;
}

export interface EndSessionResponse {
  success: true;
  sessionId: string;
  message: string;
}

export { SESSION_HEADER } from '../shared/http.js';
