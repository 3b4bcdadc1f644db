import type { JsonSchema, ToolCall, ToolDefinition, ToolMessage } from './wire.js';

/** A function of the page that the agent may call. */
export interface PageTool<Args = Record<string, unknown>> {
  name: string;
  description?: string;
  /** JSON Schema of the arguments; they are checked against it before `handler` runs. */
  parameters?: JsonSchema;
  /** Returns the result for the agent: a string as is, anything else as JSON. */
  handler(args: Args, context: { signal: AbortSignal; call: ToolCall }): unknown;
  /** Milliseconds before the call is given up (default 30 s). */
  timeoutMs?: number;
}

/**
 * Asked before each call; resolving false declines it (the page asked the visitor).
 * `signal` aborts when the visitor stops the reply: a question still open can be withdrawn.
 */
export type ToolApproval = (
  call: ToolCall,
  args: Record<string, unknown>,
  signal: AbortSignal,
) => boolean | Promise<boolean>;

/**
 * What a conversation asks before it runs a tool call, as the detail of its cancelable
 * `tool-call` event: canceling declines the call, `waitUntil(promise)` holds it until the
 * promise settles (true runs it). Without a listener, the call runs.
 */
export interface ToolCallRequest {
  name: string;
  arguments: Record<string, unknown>;
  call: ToolCall;
  /** Aborts when the visitor stops the reply: withdraw any question still open. */
  signal: AbortSignal;
  /**
   * Hold the call until the promise settles: resolve true to run it, false to
   * decline (for asking the visitor first). `preventDefault()` declines at once.
   */
  waitUntil(decision: Promise<boolean>): void;
}

export const DEFAULT_TOOL_TIMEOUT_MS = 30_000;

export function toolDefinitions(tools: readonly PageTool[]): ToolDefinition[] {
  return tools.map((tool) => ({
    type: 'function',
    function: {
      name: tool.name,
      ...(tool.description ? { description: tool.description } : {}),
      parameters: tool.parameters ?? { type: 'object', properties: {} },
    },
  }));
}

/**
 * Runs one call and always answers with a tool message the agent can read:
 * unknown tools, bad JSON, arguments outside the schema, a throw, a timeout
 * and a declined call each become an `{"error": …}` result, never an exception.
 */
export async function runToolCall(
  call: ToolCall,
  tools: readonly PageTool[],
  options: { signal: AbortSignal; approve?: ToolApproval },
): Promise<ToolMessage> {
  const result = (content: unknown): ToolMessage => ({
    role: 'tool',
    tool_call_id: call.id,
    content: typeof content === 'string' ? content : JSON.stringify(content ?? null),
  });
  const tool = tools.find((candidate) => candidate.name === call.function.name);
  if (!tool) return result({ error: `Unknown tool "${call.function.name}"` });

  let args: unknown;
  try {
    args = call.function.arguments.trim() ? JSON.parse(call.function.arguments) : {};
  } catch {
    return result({ error: `The arguments are not valid JSON: ${call.function.arguments.slice(0, 200)}` });
  }
  const problem = schemaProblem(args, tool.parameters ?? { type: 'object' }, 'arguments');
  if (problem) return result({ error: `Invalid arguments: ${problem}` });
  const checked = args as Record<string, unknown>;

  if (options.approve && !(await options.approve(call, checked, options.signal))) {
    return result({ error: 'The user declined to run this tool.' });
  }
  // Stopped while the page was asking: the visitor's stop wins over a late "yes".
  if (options.signal.aborted) return result({ error: 'Stopped before the tool ran.' });
  const timeoutMs = tool.timeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS;
  const controller = new AbortController();
  const stop = () => controller.abort();
  options.signal.addEventListener('abort', stop);
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new Error(`timed out after ${timeoutMs / 1000} s`));
      }, timeoutMs);
    });
    return result(
      await Promise.race([
        Promise.resolve().then(() => tool.handler(checked, { signal: controller.signal, call })),
        timeout,
      ]),
    );
  } catch (error) {
    return result({ error: `The tool failed: ${error instanceof Error ? error.message : String(error)}` });
  } finally {
    clearTimeout(timer);
    options.signal.removeEventListener('abort', stop);
  }
}

/** Checks the subset of JSON Schema tools use; returns the first problem, or undefined. */
export function schemaProblem(value: unknown, schema: JsonSchema, path: string): string | undefined {
  if (schema.enum && !schema.enum.some((option) => option === value)) {
    return `${path} must be one of ${schema.enum.map((option) => JSON.stringify(option)).join(', ')}`;
  }
  switch (schema.type) {
    case undefined:
      return undefined;
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return `${path} must be an object`;
      const record = value as Record<string, unknown>;
      for (const key of schema.required ?? []) {
        if (!(key in record)) return `${path}.${key} is required`;
      }
      for (const [key, item] of Object.entries(record)) {
        const property = schema.properties?.[key];
        if (property) {
          const inner = schemaProblem(item, property, `${path}.${key}`);
          if (inner) return inner;
        } else if (schema.additionalProperties === false) {
          return `${path}.${key} is not allowed`;
        }
      }
      return undefined;
    }
    case 'array': {
      if (!Array.isArray(value)) return `${path} must be an array`;
      if (!schema.items) return undefined;
      for (const [index, item] of value.entries()) {
        const inner = schemaProblem(item, schema.items, `${path}[${index}]`);
        if (inner) return inner;
      }
      return undefined;
    }
    case 'integer':
      return Number.isInteger(value) ? undefined : `${path} must be an integer`;
    case 'null':
      return value === null ? undefined : `${path} must be null`;
    default:
      return typeof value === schema.type ? undefined : `${path} must be a ${schema.type}`;
  }
}
