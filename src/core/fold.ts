import type { ChunkChoices, FinishReason, ToolCall } from './wire.js';

/** An assistant reply as it is being assembled from stream chunks. */
export interface ReplyDraft {
  content: string;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
}

export function emptyDraft(): ReplyDraft {
  return { content: '', toolCalls: [], finishReason: null };
}

/**
 * Folds one chunk into the draft: content deltas are appended, and tool-call
 * pieces are joined by their `index` (the id and name arrive once, the
 * arguments in pieces). Returns the content this chunk added.
 */
export function foldChunk(draft: ReplyDraft, chunk: ChunkChoices): string {
  const choice = chunk.choices[0];
  if (!choice) return '';
  const added = typeof choice.delta.content === 'string' ? choice.delta.content : '';
  draft.content += added;
  for (const piece of choice.delta.tool_calls ?? []) {
    const call = (draft.toolCalls[piece.index] ??= {
      id: '',
      type: 'function',
      function: { name: '', arguments: '' },
    });
    if (piece.id) call.id = piece.id;
    if (piece.function?.name) call.function.name = piece.function.name;
    if (piece.function?.arguments) call.function.arguments += piece.function.arguments;
  }
  if (choice.finish_reason) draft.finishReason = choice.finish_reason;
  return added;
}

/**
 * The tool calls of a finished draft, without holes left by a sparse `index`. A call with
 * an id but no name stays: it must be answered (as not run), or the agent waits for it.
 */
export function completedToolCalls(draft: ReplyDraft): ToolCall[] {
  return draft.toolCalls.filter((call): call is ToolCall => Boolean(call?.function.name || call?.id));
}
