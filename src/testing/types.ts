import type { ChatMessage, ChatRequest, ToolDefinition } from '../core/wire.js';

/**
 * Every fault the fake can inject into a chat request. Each one imitates a way a real upstream,
 * or something between it and the client, has been seen to fail.
 */
export const FAULTS = [
  'http-500',
  'http-401',
  'http-429',
  'slow-first-byte',
  'drop-mid-stream',
  'malformed-chunk',
  'wrong-content-type',
  'no-trailing-blank-line',
  'empty-reply',
  'bad-tool-name',
] as const;

/**
 * - `http-500`: 500 `{"error":{"message":"Internal error"}}`.
 * - `http-401`: 401 `{"error":{"message":"Invalid authentication"}}`.
 * - `http-429`: 429 with `Retry-After: 7` and a JSON error.
 * - `slow-first-byte`: the response headers wait (default 2000 ms), then a normal reply.
 * - `drop-mid-stream`: a few chunks, then the socket is destroyed without `[DONE]`.
 * - `malformed-chunk`: a few chunks, then `data: {not json`, then the stream ends.
 * - `wrong-content-type`: 200 `text/html` with `<html>Bad gateway</html>`.
 * - `no-trailing-blank-line`: a normal stream whose final `data: [DONE]` lacks its blank line.
 * - `empty-reply`: 200 event stream holding only `data: [DONE]` (non-streaming: an empty body).
 * - `bad-tool-name`: a normal reply that calls a tool named `look up!`, a name no API accepts
 *   back (outside `[A-Za-z0-9_-]`); the session keeps the call, unanswered, as a real one would.
 */
export type Fault = (typeof FAULTS)[number];

/** Extra settings for an injected fault. */
export interface FaultOptions {
  /** For `slow-first-byte`: how long the headers wait. Default 2000. */
  delayMs?: number;
}

/** A tool call a script rule asks for. */
export interface ScriptedToolCall {
  /** The tool's name; it need not be one the request offered (to test unknown-tool handling). */
  name: string;
  /**
   * The call's arguments. A string is sent verbatim (so a test can send malformed JSON); any
   * other value is sent as its JSON. Omitted: sample values generated from the offered tool's
   * `parameters` schema (`{}` when the request did not offer that tool).
   */
  arguments?: unknown;
}

/** What a script rule sees when deciding whether it matches and what to answer. */
export interface ScriptContext {
  /** The last user message's text, with any `[[fault:…]]` / `[[delay:…]]` markers removed. */
  readonly text: string;
  /**
   * `'tool-results'` when the request ends with `role: "tool"` messages (the agent must answer
   * with what the tools returned), `'user'` otherwise.
   */
  readonly phase: 'user' | 'tool-results';
  /** The conversation as the server knows it, this request's messages included. */
  readonly messages: readonly ChatMessage[];
  /** The tools the request offers. */
  readonly tools: readonly ToolDefinition[];
  /** The trailing tool results, each with the name of the tool that produced it when known. */
  readonly toolResults: readonly ToolResult[];
  /** How many user messages the conversation holds, this one included (1 on a first message). */
  readonly turn: number;
  readonly sessionId: string;
  /** The session's variables, as set through the session API. */
  readonly variables: Readonly<Record<string, unknown>>;
  /** The parsed request body. */
  readonly request: ChatRequest;
}

export interface ToolResult {
  readonly toolCallId: string;
  /** The tool's name, found from the assistant message that made the call; undefined if unknown. */
  readonly name: string | undefined;
  readonly content: string;
}

/**
 * One scripted reply. Rules are tried in order; the first whose `match` holds answers.
 *
 * A string matches when the last user message contains it (case-insensitive) and a RegExp when
 * it tests true against that text; both only on a user turn, so that a rule that calls a tool
 * does not fire again on the follow-up request that carries the tool's result. A function sees
 * the whole {@link ScriptContext} and may match either phase.
 *
 * When `toolCalls` yields at least one call, the reply ends with `finish_reason: "tool_calls"`
 * (and `reply`, if any, is streamed first as content); otherwise `reply` is the answer.
 *
 * @example
 * { match: /weather/i, toolCalls: [{ name: 'get_weather', arguments: { city: 'Oslo' } }] }
 * { match: (ctx) => ctx.phase === 'tool-results', reply: (ctx) => `Got ${ctx.toolResults[0]?.content}` }
 */
export interface ScriptRule {
  match: RegExp | string | ((ctx: ScriptContext) => boolean);
  reply?: string | ((ctx: ScriptContext) => string);
  toolCalls?: readonly ScriptedToolCall[] | ((ctx: ScriptContext) => readonly ScriptedToolCall[]);
}

export interface FakeUpstreamOptions {
  /** The project API key requests must send as `Authorization: Bearer <apiKey>`. Default `'sk_test_fake'`. */
  apiKey?: string;
  /** The one project this fake serves; other project ids get 404. Default `'proj_fake'`. */
  projectId?: string;
  /** Interface to listen on. Default `'127.0.0.1'`: the fake is for loopback use. */
  host?: string;
  /** Port to listen on. Default 0: any free port (read it from {@link FakeUpstream.url}). */
  port?: number;
  /** Pause between streamed chunks, in ms. Default 0 (tests); about 30 looks like typing. */
  tokenDelayMs?: number;
  /**
   * The replies. Default: {@link defaultScript}, markdown-rich replies chosen by keyword. Your
   * rules replace it (spread `defaultScript` after them to keep it). Whatever the script, a user
   * message that names an offered tool (when no rule matched) gets a call to that tool, tool
   * results get a summary that quotes them verbatim, and anything else an echo reply.
   */
  script?: readonly ScriptRule[];
}

/** A session as the fake keeps it. Mutable, so a test may seed or inspect one directly. */
export interface FakeSession {
  readonly id: string;
  variables: Record<string, unknown>;
  /** The conversation, tool calls and results included. */
  messages: ChatMessage[];
  provider?: 'api' | 'web';
  createdAt: Date;
  updatedAt: Date;
}

/** One HTTP request the fake received, updated as its response progresses. */
export interface RecordedRequest {
  /** `'chat'` (chat completions), `'session'` (session API) or `'unknown'` (a 404 route). */
  readonly kind: 'chat' | 'session' | 'unknown';
  readonly method: string;
  /** Path and query string, as received. */
  readonly path: string;
  /** Header names lowercased; repeated headers joined with `', '`. */
  readonly headers: Readonly<Record<string, string>>;
  /** Parsed JSON body, or the raw text when it is not JSON, or `undefined` when empty. */
  readonly body: unknown;
  /** Whether `Authorization` carried the right key. */
  readonly authorized: boolean;
  /** The response status, once sent. */
  readonly status: number | undefined;
  /** For chat requests: the session the reply belongs to (also sent as `X-Session-ID`). */
  readonly sessionId: string | undefined;
  /** For chat requests: whether the body asked for a stream. */
  readonly stream: boolean | undefined;
  /** The fault applied to this request, if any. */
  readonly fault: Fault | undefined;
  /** True once the response was completely written. */
  readonly ended: boolean;
  /** True when the client went away before the response was complete (not set by faults or `close()`). */
  readonly aborted: boolean;
}

/** A running fake; see {@link startFakeUpstream}. */
export interface FakeUpstream {
  /** The origin, e.g. `'http://127.0.0.1:41234'`. */
  readonly url: string;
  readonly apiKey: string;
  readonly projectId: string;
  /** Older-host layout: `${url}/api/project/${projectId}/integration/api/chat/completions`. */
  readonly chatCompletionsUrl: string;
  /** Older-host layout: `${url}/api/project/${projectId}/integration/api/session`. */
  readonly sessionUrl: string;
  /** Newer-host layout: `${url}/v1/projects/${projectId}/chat/completions`. */
  readonly v1ChatCompletionsUrl: string;
  /** Newer-host layout: `${url}/project/${projectId}/session`. */
  readonly v1SessionUrl: string;
  /** Every request received, in order (the `/__fake/*` control routes excepted). */
  readonly requests: RecordedRequest[];
  /** Server-side session memory, by session id. */
  readonly sessions: Map<string, FakeSession>;
  /** Make the next `count` (default 1) chat requests fail with `fault`. */
  injectFault(fault: Fault, count?: number, options?: FaultOptions): void;
  /**
   * Resolves with the first recorded request for which `predicate` holds, checking again each
   * time a request arrives, ends or is aborted; rejects after `timeoutMs` (default 5000).
   */
  waitFor(predicate: (request: RecordedRequest) => boolean, timeoutMs?: number): Promise<RecordedRequest>;
  /** Resolves when a client has disconnected before its response was complete (abort tests). */
  waitForAbort(timeoutMs?: number): Promise<RecordedRequest>;
  /** Forget requests, sessions and pending faults. */
  reset(): void;
  /** Stop listening and end open streams and sockets at once. Safe to call twice. */
  close(): Promise<void>;
}
