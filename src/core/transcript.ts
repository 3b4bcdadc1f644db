import type { ChatMessage, ToolCall } from './wire.js';

/**
 * How a reply ended: still being written, complete, stopped by the visitor,
 * or cut off (an error, or a reload in the middle of it).
 */
export type ReplyStatus = 'streaming' | 'done' | 'stopped' | 'interrupted';

export interface UserEntry { id: string; role: 'user'; content: string }
export interface AssistantEntry {
  id: string;
  role: 'assistant';
  content: string;
  status: ReplyStatus;
  toolCalls?: ToolCall[];
}
export interface ToolEntry { id: string; role: 'tool'; toolCallId: string; name: string; content: string }

/** One line of the conversation as the widget keeps and shows it. */
export type Entry = UserEntry | AssistantEntry | ToolEntry;

/** The whole transcript as chat messages, for `history: "full"`. Cut-off replies are left out. */
export function toWire(entries: readonly Entry[]): ChatMessage[] {
  const messages: ChatMessage[] = [];
  for (const entry of entries) {
    if (entry.role === 'user') messages.push({ role: 'user', content: entry.content });
    else if (entry.role === 'tool') {
      messages.push({ role: 'tool', tool_call_id: entry.toolCallId, content: entry.content });
    } else if (entry.status !== 'interrupted' && entry.status !== 'streaming') {
      messages.push(entry.toolCalls?.length
        ? { role: 'assistant', content: entry.content || null, tool_calls: entry.toolCalls }
        : { role: 'assistant', content: entry.content });
    }
  }
  return messages;
}

/**
 * Results for the tool calls of the last reply that were never answered (the visitor
 * stopped, the round limit came, or the page reloaded mid-tools). Chat APIs refuse a
 * history where a call has no result, so these go out with the next message.
 */
export function unansweredToolEntries(entries: readonly Entry[]): ToolEntry[] {
  for (let index = entries.length - 1; index >= 0; index--) {
    const entry = entries[index]!;
    if (entry.role !== 'assistant' || !entry.toolCalls?.length) continue;
    const answered = new Set(entries.slice(index + 1).map((later) => later.role === 'tool' && later.toolCallId));
    return entry.toolCalls.filter((call) => !answered.has(call.id)).map((call) => ({
      id: newId(), role: 'tool', toolCallId: call.id, name: call.function.name,
      content: '{"error":"The tool was not run: the reply was stopped."}',
    }));
  }
  return [];
}

/** A random id that works on plain-http pages too, where `crypto.randomUUID` is missing. */
export function newId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** Checks a value read back from storage: the shape, not just "is JSON". */
export function isEntry(value: unknown): value is Entry {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  if (typeof entry.id !== 'string' || typeof entry.content !== 'string') return false;
  switch (entry.role) {
    case 'user': return true;
    case 'assistant':
      return ['streaming', 'done', 'stopped', 'interrupted'].includes(entry.status as string)
        && (entry.toolCalls === undefined || Array.isArray(entry.toolCalls));
    case 'tool': return typeof entry.toolCallId === 'string' && typeof entry.name === 'string';
    default: return false;
  }
}
