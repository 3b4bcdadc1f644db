import type { ChatCompletionChunk, ChatMessage, FinishReason, ToolCall, ToolDefinition } from '../../src/core/wire.js';
import type { FakeUpstream } from '../../src/testing/index.js';

export interface ChatBody {
  messages: ChatMessage[];
  stream?: boolean;
  tools?: ToolDefinition[];
  session_id?: string;
}

export function authHeaders(fake: FakeUpstream, extra: Record<string, string> = {}): Record<string, string> {
  return { Authorization: `Bearer ${fake.apiKey}`, 'Content-Type': 'application/json', ...extra };
}

export function postChat(
  fake: FakeUpstream,
  body: ChatBody | string,
  init: { headers?: Record<string, string>; url?: string; signal?: AbortSignal } = {},
): Promise<Response> {
  return fetch(init.url ?? fake.v1ChatCompletionsUrl, {
    method: 'POST',
    headers: init.headers ?? authHeaders(fake),
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: init.signal ?? null,
  });
}

export function user(content: string): ChatMessage {
  return { role: 'user', content };
}

/** The `data:` payloads of an SSE body, split on blank lines as the spec says. */
export function sseData(raw: string): string[] {
  return raw
    .split('\n\n')
    .filter((block) => block !== '')
    .map((block) => {
      if (!block.startsWith('data: ')) throw new Error(`not a data line: ${JSON.stringify(block)}`);
      return block.slice('data: '.length);
    });
}

export function chunksOf(raw: string): ChatCompletionChunk[] {
  const data = sseData(raw);
  if (data[data.length - 1] !== '[DONE]') throw new Error('stream did not end with [DONE]');
  return data.slice(0, -1).map((payload) => JSON.parse(payload) as ChatCompletionChunk);
}

export interface Joined {
  content: string;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
}

/** Folds chunks as a client would: content appended, tool calls joined by index. */
export function join(chunks: readonly ChatCompletionChunk[]): Joined {
  let content = '';
  let finishReason: FinishReason = null;
  const calls: ToolCall[] = [];
  for (const chunk of chunks) {
    const choice = chunk.choices[0];
    if (!choice) continue;
    content += choice.delta.content ?? '';
    for (const piece of choice.delta.tool_calls ?? []) {
      const call = (calls[piece.index] ??= { id: '', type: 'function', function: { name: '', arguments: '' } });
      if (piece.id) call.id = piece.id;
      if (piece.function?.name) call.function.name = piece.function.name;
      call.function.arguments += piece.function?.arguments ?? '';
    }
    if (choice.finish_reason) finishReason = choice.finish_reason;
  }
  return { content, toolCalls: calls, finishReason };
}

export async function streamChat(
  fake: FakeUpstream,
  body: ChatBody,
  headers?: Record<string, string>,
): Promise<{ res: Response; raw: string; chunks: ChatCompletionChunk[]; joined: Joined }> {
  const res = await postChat(fake, { ...body, stream: true }, headers ? { headers: authHeaders(fake, headers) } : {});
  const raw = await res.text();
  const chunks = chunksOf(raw);
  return { res, raw, chunks, joined: join(chunks) };
}

export const WEATHER_TOOL: ToolDefinition = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
      required: ['city', 'unit'],
    },
  },
};

export const TIME_TOOL: ToolDefinition = {
  type: 'function',
  function: {
    name: 'get_time',
    description: 'Local time in a timezone',
    parameters: { type: 'object', properties: { timezone: { type: 'string' } }, required: ['timezone'] },
  },
};
