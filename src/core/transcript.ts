import { isRecord } from '../shared/record.js';
import type { ToolCall } from './wire.js';

/**
 * How a reply ended: still being written, complete, stopped by the visitor,
 * or cut off (an error, or a reload in the middle of it).
 */
export type ReplyStatus = 'streaming' | 'done' | 'stopped' | 'interrupted';

export interface UserEntry {
  id: string;
  role: 'user';
  content: string;
  /** The message never reached the agent (its turn failed before any reply): shown "Not sent", with Retry. */
  failed?: true;
}
export interface AssistantEntry {
  id: string;
  role: 'assistant';
  content: string;
  status: ReplyStatus;
  toolCalls?: ToolCall[];
  /** The site's welcome message, kept as the conversation's first message; never sent upstream. */
  welcome?: true;
  /** The visitor's thumbs, kept with the reply so a reload never asks (and reports) it again. */
  rating?: 'good' | 'bad';
}
export interface ToolEntry {
  id: string;
  role: 'tool';
  toolCallId: string;
  name: string;
  content: string;
}

/** One line of the conversation as the widget keeps and shows it. */
export type Entry = UserEntry | AssistantEntry | ToolEntry;

/** The visitor's rating of an entry: only a reply has one. */
export function ratingOf(entry: Entry | undefined): AssistantEntry['rating'] {
  return entry?.role === 'assistant' ? entry.rating : undefined;
}

/** A call the proxy would carry: a non-empty id of at most 256 characters. */
export function hasUsableId(call: ToolCall): boolean {
  return call.id.length > 0 && call.id.length <= 256;
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
    // A call without a usable id cannot be answered at all: the proxy would refuse the result.
    return entry.toolCalls
      .filter((call) => !answered.has(call.id) && hasUsableId(call))
      .map((call) => ({
        id: newId(),
        role: 'tool',
        toolCallId: call.id,
        name: call.function.name,
        content: '{"error":"The tool was not run: the reply was stopped."}',
      }));
  }
  return [];
}

/** A random id that works on plain-http pages too, where `crypto.randomUUID` is missing. */
export function newId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => (byte | 256).toString(16).slice(1)).join('');
}

/** Checks a value read back from storage: the shape, not just "is JSON". */
export function isEntry(entry: unknown): entry is Entry {
  if (!isRecord(entry) || typeof entry.id !== 'string' || !entry.id || typeof entry.content !== 'string') return false;
  switch (entry.role) {
    case 'user':
      return entry.failed === undefined || entry.failed === true;
    case 'assistant':
      return (
        ['streaming', 'done', 'stopped', 'interrupted'].includes(entry.status as string) &&
        (entry.welcome === undefined || entry.welcome === true) &&
        (entry.toolCalls === undefined || (Array.isArray(entry.toolCalls) && entry.toolCalls.every(isToolCall)))
      );
    case 'tool':
      return typeof entry.toolCallId === 'string' && typeof entry.name === 'string';
    default:
      return false;
  }
}

function isToolCall(call: unknown): call is ToolCall {
  return (
    isRecord(call) &&
    typeof call.id === 'string' &&
    call.type === 'function' &&
    isRecord(call.function) &&
    typeof call.function.name === 'string' &&
    typeof call.function.arguments === 'string'
  );
}

/**
 * Merges this tab's transcript into the one another tab saved, by entry id: entries this
 * tab wrote (or removed) are taken from `mine`, everything else from `stored`, and this
 * tab's new entries go after the other tab's. So two tabs writing never lose each other's
 * messages, and a reply is never saved half-finished over its finished version.
 */
export function mergeEntries(stored: readonly Entry[], mine: readonly Entry[], owned: ReadonlySet<string>): Entry[] {
  const byId = new Map(mine.map((entry) => [entry.id, entry]));
  const merged: Entry[] = [];
  const seen = new Set<string>();
  for (const entry of stored) {
    seen.add(entry.id);
    if (!owned.has(entry.id)) merged.push(entry);
    else {
      const own = byId.get(entry.id);
      // Ours wins, but for a rating given in the other tab meanwhile (ours has none). Not onto a
      // reply still being written here: the turn writes to that very object.
      const rating = ratingOf(entry);
      if (own)
        merged.push(
          rating && !ratingOf(own) && (own as AssistantEntry).status !== 'streaming'
            ? { ...(own as AssistantEntry), rating }
            : own,
        );
    }
  }
  for (const entry of mine) if (!seen.has(entry.id) && owned.has(entry.id)) merged.push(entry);
  return merged;
}
