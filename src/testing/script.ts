import { randomBytes } from 'node:crypto';
import type { ChatMessage, ChatRequest, ToolCall, ToolDefinition } from '../core/wire.js';
import { sampleFromSchema } from './sample-args.js';
import type { ScriptContext, ScriptRule, ScriptedToolCall, ToolResult } from './types.js';

/** What the fake will answer: content, tool calls, or content followed by tool calls. */
export interface PlannedReply {
  content: string;
  toolCalls: ToolCall[];
}

export function buildContext(
  request: ChatRequest,
  conversation: readonly ChatMessage[],
  sessionId: string,
  variables: Readonly<Record<string, unknown>>,
  text: string,
): ScriptContext {
  const last = request.messages[request.messages.length - 1];
  return {
    text,
    phase: last?.role === 'tool' ? 'tool-results' : 'user',
    messages: conversation,
    tools: request.tools ?? [],
    toolResults: trailingToolResults(conversation),
    turn: conversation.filter((message) => message.role === 'user').length,
    sessionId,
    variables,
    request,
  };
}

export function lastUserText(messages: readonly ChatMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (message?.role === 'user') return message.content;
  }
  return '';
}

/** Runs `rules`, then `fallbacks`; the last fallback must always match. */
export function planReply(
  rules: readonly ScriptRule[],
  fallbacks: readonly ScriptRule[],
  ctx: ScriptContext,
): PlannedReply {
  for (const rule of [...rules, ...fallbacks]) {
    if (!ruleMatches(rule, ctx)) continue;
    const calls = typeof rule.toolCalls === 'function' ? rule.toolCalls(ctx) : (rule.toolCalls ?? []);
    const content = typeof rule.reply === 'function' ? rule.reply(ctx) : (rule.reply ?? '');
    return { content, toolCalls: calls.map((call) => toToolCall(call, ctx.tools)) };
  }
  throw new Error('no script rule matched, and the fallbacks should always match');
}

function ruleMatches(rule: ScriptRule, ctx: ScriptContext): boolean {
  const { match } = rule;
  if (typeof match === 'function') return match(ctx);
  if (ctx.phase !== 'user') return false;
  if (typeof match === 'string') return ctx.text.toLowerCase().includes(match.toLowerCase());
  // A /g or /y RegExp keeps lastIndex between calls, so a shared rule would match every other time.
  match.lastIndex = 0;
  return match.test(ctx.text);
}

function toToolCall(call: ScriptedToolCall, tools: readonly ToolDefinition[]): ToolCall {
  let args: string;
  if (typeof call.arguments === 'string') args = call.arguments;
  else if (call.arguments !== undefined) args = JSON.stringify(call.arguments);
  else {
    const offered = tools.find((tool) => tool.function.name === call.name);
    args = JSON.stringify(offered ? sampleFromSchema(offered.function.parameters ?? {}) : {});
  }
  return {
    id: `call_${randomBytes(9).toString('base64url')}`,
    type: 'function',
    function: { name: call.name, arguments: args },
  };
}

/** The `role: "tool"` messages that end the conversation, named after the calls they answer. */
function trailingToolResults(conversation: readonly ChatMessage[]): ToolResult[] {
  const results: ToolResult[] = [];
  let i = conversation.length - 1;
  for (; i >= 0; i--) {
    const message = conversation[i];
    if (message?.role !== 'tool') break;
    results.unshift({ toolCallId: message.tool_call_id, name: undefined, content: message.content });
  }
  const names = new Map<string, string>();
  for (const message of conversation.slice(0, i + 1)) {
    if (message.role !== 'assistant') continue;
    for (const call of message.tool_calls ?? []) names.set(call.id, call.function.name);
  }
  return results.map((result) => ({ ...result, name: names.get(result.toolCallId) }));
}

/**
 * The offered tools the text names, in the order it names them. A name matches as written
 * (`get_weather`), with `_`/`-` read as spaces (`get weather`) or camelCase split
 * (`getWeather` → `get weather`). "both tools" / "all tools" names every offered tool.
 */
export function mentionedTools(text: string, tools: readonly ToolDefinition[]): string[] {
  if (/\b(both|all|every)\s+(of\s+the\s+|the\s+|your\s+)?tools?\b/i.test(text)) {
    return tools.map((tool) => tool.function.name);
  }
  const found: Array<[number, string]> = [];
  for (const tool of tools) {
    const position = firstMention(text, tool.function.name);
    if (position >= 0) found.push([position, tool.function.name]);
  }
  return found.sort((a, b) => a[0] - b[0]).map(([, name]) => name);
}

function firstMention(text: string, name: string): number {
  const spaced = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase();
  const positions = [name, spaced]
    .map((form) => new RegExp(`(?:^|[^\\w])${escapeRegExp(form)}(?:[^\\w]|$)`, 'i').exec(text)?.index ?? -1)
    .filter((position) => position >= 0);
  return positions.length === 0 ? -1 : Math.min(...positions);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
