import { describe, expect, it } from 'vitest';
import { ChatError } from '../../src/core/errors.js';
import { completedToolCalls, emptyDraft, foldChunk } from '../../src/core/fold.js';
import { ReplyReader, errorMessageOf, readChunk } from '../../src/core/parse.js';
import { runToolCall, schemaProblem, toolDefinitions, type PageTool } from '../../src/core/tools.js';
import { isEntry, type Entry } from '../../src/core/transcript.js';
import { toWire } from '../../src/core/turn.js';
import type { ChatCompletionChunk, ChunkChoices, ToolCall, ToolCallDelta } from '../../src/core/wire.js';
import { addLanguage, stringsFor } from '../../src/i18n/index.js';
import { en } from '../../src/i18n/en.js';
import { enTurn } from '../../src/i18n/en-turn.js';
import { zhTW } from '../../src/i18n/zh-tw.js';

const chunk = (
  delta: { content?: string; tool_calls?: ToolCallDelta[] },
  finish: 'stop' | 'tool_calls' | null = null,
): ChatCompletionChunk => ({
  id: 'c',
  object: 'chat.completion.chunk',
  created: 0,
  model: 'm',
  choices: [{ index: 0, delta, finish_reason: finish }],
});

describe('foldChunk', () => {
  it('appends content deltas and returns what each added', () => {
    const draft = emptyDraft();
    expect(foldChunk(draft, chunk({ content: 'Hel' }))).toBe('Hel');
    expect(foldChunk(draft, chunk({ content: 'lo' }, 'stop'))).toBe('lo');
    expect(draft).toMatchObject({ content: 'Hello', finishReason: 'stop' });
  });

  it('joins tool-call pieces by index, interleaved', () => {
    const draft = emptyDraft();
    foldChunk(
      draft,
      chunk({ tool_calls: [{ index: 0, id: 'a', type: 'function', function: { name: 'one', arguments: '' } }] }),
    );
    foldChunk(
      draft,
      chunk({ tool_calls: [{ index: 1, id: 'b', type: 'function', function: { name: 'two', arguments: '{"x"' } }] }),
    );
    foldChunk(draft, chunk({ tool_calls: [{ index: 0, function: { arguments: '{"q":' } }] }));
    foldChunk(draft, chunk({ tool_calls: [{ index: 1, function: { arguments: ':1}' } }] }));
    foldChunk(draft, chunk({ tool_calls: [{ index: 0, function: { arguments: '"hi"}' } }] }, 'tool_calls'));
    expect(completedToolCalls(draft)).toEqual([
      { id: 'a', type: 'function', function: { name: 'one', arguments: '{"q":"hi"}' } },
      { id: 'b', type: 'function', function: { name: 'two', arguments: '{"x":1}' } },
    ]);
    expect(draft.finishReason).toBe('tool_calls');
  });

  it('ignores a chunk without choices', () => {
    const draft = emptyDraft();
    expect(foldChunk(draft, { ...chunk({}), choices: [] })).toBe('');
  });
});

describe('errors', () => {
  it('reads both error body shapes', () => {
    expect(errorMessageOf({ error: 'session_id is required' })).toBe('session_id is required');
    expect(errorMessageOf({ error: { message: 'Invalid authentication' } })).toBe('Invalid authentication');
    expect(errorMessageOf({ nope: 1 })).toBeUndefined();
    expect(errorMessageOf('text')).toBeUndefined();
  });

  it('gives every code a message in every language', () => {
    addLanguage('zh-tw', zhTW);
    // English, with the strings of a turn's outcomes, which come with the send chunk.
    addLanguage('en', { ...en, ...enTurn });
    const codes = [
      'offline',
      'network',
      'timeout',
      'rate_limited',
      'interrupted',
      'malformed',
      'empty',
      'config',
      'tool_limit',
    ] as const;
    for (const lang of ['en', 'zh-TW']) {
      const strings = stringsFor(lang);
      for (const code of codes) expect(strings[new ChatError(code, '').messageKey]).toBeTruthy();
      for (const status of [400, 401, 403, 500, 502]) {
        expect(strings[new ChatError('http', '', { status }).messageKey]).toBeTruthy();
      }
    }
    expect(new ChatError('http', '', { status: 401 }).messageKey).toBe('errorSession');
    // The proxy refusing the page's origin is not a session to start again.
    expect(new ChatError('http', '', { status: 403, serverCode: 'origin_not_allowed' }).messageKey).toBe('errorClient');
    expect(new ChatError('http', '', { status: 413 }).messageKey).toBe('errorClient');
    expect(new ChatError('http', '', { status: 502 }).messageKey).toBe('errorServer');
  });
});

describe('tools', () => {
  const call = (name: string, args: string): ToolCall => ({
    id: 'call-1',
    type: 'function',
    function: { name, arguments: args },
  });
  const signal = new AbortController().signal;
  const weather: PageTool = {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' }, days: { type: 'integer' } },
      required: ['city'],
    },
    handler: (args) => ({ city: args.city, temperature: 21 }),
  };

  it('describes tools in the wire format', () => {
    expect(toolDefinitions([weather])[0]).toEqual({
      type: 'function',
      function: {
        name: 'get_weather',
        description: 'Weather for a city',
        parameters: weather.parameters,
      },
    });
  });

  it('runs a handler and returns its result as JSON for the agent', async () => {
    const result = await runToolCall(call('get_weather', '{"city":"Taipei"}'), [weather], { signal });
    expect(result).toEqual({ role: 'tool', tool_call_id: 'call-1', content: '{"city":"Taipei","temperature":21}' });
  });

  it.each([
    ['invalid JSON', call('get_weather', '{"city":'), /not valid JSON/],
    ['a missing required argument', call('get_weather', '{}'), /arguments\.city is required/],
    ['a wrong type', call('get_weather', '{"city":"x","days":1.5}'), /days must be an integer/],
    ['an unknown tool', call('launch_rockets', '{}'), /Unknown tool/],
  ])('answers %s with an error the agent can read', async (_, toolCall, message) => {
    const result = await runToolCall(toolCall, [weather], { signal });
    expect(JSON.parse(result.content).error).toMatch(message);
  });

  it('turns a throw into an error result', async () => {
    const failing: PageTool = {
      name: 'fail',
      handler: () => {
        throw new Error('database down');
      },
    };
    const result = await runToolCall(call('fail', '{}'), [failing], { signal });
    expect(JSON.parse(result.content).error).toMatch(/database down/);
  });

  it('gives up on a slow handler and aborts its signal', async () => {
    let aborted = false;
    const slow: PageTool = {
      name: 'slow',
      timeoutMs: 50,
      handler: (_, { signal: toolSignal }) =>
        new Promise((resolve) => {
          toolSignal.addEventListener('abort', () => {
            aborted = true;
            resolve('late');
          });
        }),
    };
    const result = await runToolCall(call('slow', ''), [slow], { signal });
    expect(JSON.parse(result.content).error).toMatch(/timed out/);
    expect(aborted).toBe(true);
  });

  it('does not run a declined call', async () => {
    let ran = false;
    const tool: PageTool = {
      name: 'buy',
      handler: () => {
        ran = true;
      },
    };
    const result = await runToolCall(call('buy', '{}'), [tool], { signal, approve: () => false });
    expect(JSON.parse(result.content).error).toMatch(/declined/);
    expect(ran).toBe(false);
  });

  it('checks enums, arrays and extra properties', () => {
    expect(schemaProblem('c', { enum: ['a', 'b'] }, 'x')).toMatch(/one of "a", "b"/);
    expect(schemaProblem([1, 'a'], { type: 'array', items: { type: 'number' } }, 'x')).toBe('x[1] must be a number');
    expect(schemaProblem({ a: 1 }, { type: 'object', additionalProperties: false }, 'x')).toBe('x.a is not allowed');
    expect(
      schemaProblem(
        { a: [true] },
        { type: 'object', properties: { a: { type: 'array', items: { type: 'boolean' } } } },
        'x',
      ),
    ).toBeUndefined();
  });
});

describe('transcript', () => {
  const entries: Entry[] = [
    { id: '1', role: 'user', content: 'hi' },
    { id: '2', role: 'assistant', content: 'Hello', status: 'done' },
    { id: '3', role: 'user', content: 'weather?' },
    {
      id: '4',
      role: 'assistant',
      content: '',
      status: 'done',
      toolCalls: [{ id: 'c', type: 'function', function: { name: 'w', arguments: '{}' } }],
    },
    { id: '5', role: 'tool', toolCallId: 'c', name: 'w', content: '21' },
    { id: '6', role: 'assistant', content: 'It is 2', status: 'interrupted' },
    { id: '7', role: 'assistant', content: 'It is 21', status: 'stopped' },
  ];

  it('sends the whole history without cut-off replies', () => {
    expect(toWire(entries)).toEqual([
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'Hello' },
      { role: 'user', content: 'weather?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'c', type: 'function', function: { name: 'w', arguments: '{}' } }],
      },
      { role: 'tool', tool_call_id: 'c', content: '21' },
      { role: 'assistant', content: 'It is 21' },
    ]);
  });

  it('recognises only well-formed stored entries', () => {
    expect(entries.every(isEntry)).toBe(true);
    expect(isEntry({ id: '1', role: 'system', content: 'x' })).toBe(false);
    expect(isEntry({ id: '1', role: 'assistant', content: 'x', status: 'weird' })).toBe(false);
    expect(isEntry(null)).toBe(false);
  });
});

describe('readChunk: the shape is checked where a chunk is parsed', () => {
  it('reads a content chunk, a usage chunk without choices, and the session_id field', () => {
    expect(
      readChunk('{"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}],"session_id":"s"}'),
    ).toMatchObject({ session_id: 's', choices: [{ delta: { content: 'Hi' } }] });
    expect(readChunk('{"choices":[],"usage":{"total_tokens":3}}').choices).toEqual([]);
    expect(readChunk('{"choices":[{"delta":{},"finish_reason":"stop"}]}').choices[0]?.finish_reason).toBe('stop');
  });

  it.each([
    ['a choice with no delta', '{"choices":[{}]}'],
    ['a delta that is not an object', '{"choices":[{"delta":"hi"}]}'],
    ['content that is not text', '{"choices":[{"delta":{"content":5}}]}'],
    ['tool calls that are not a list', '{"choices":[{"delta":{"tool_calls":{}}}]}'],
    ['a tool call without an index', '{"choices":[{"delta":{"tool_calls":[{"id":"a"}]}}]}'],
    ['a tool call index past the limit', '{"choices":[{"delta":{"tool_calls":[{"index":100000000}]}}]}'],
    ['a tool name that is not text', '{"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"name":1}}]}}]}'],
    ['choices that are not a list', '{"choices":{}}'],
    ['a session_id that is not text', '{"choices":[],"session_id":7}'],
    ['not JSON', '{"choices":['],
    ['JSON that is not an object', '[1,2]'],
  ])('%s is malformed (never a crash later, in folding)', (_, text) => {
    expect(() => readChunk(text)).toThrowError(expect.objectContaining({ code: 'malformed' }));
  });

  it("an error body, in either shape, is the server's error", () => {
    expect(() => readChunk('{"error":"busy"}')).toThrowError(expect.objectContaining({ code: 'http', detail: 'busy' }));
    expect(() => readChunk('{"error":{"message":"busy"}}', true)).toThrowError(
      expect.objectContaining({ detail: 'busy' }),
    );
  });

  it('reads a whole completion as the one chunk that would have streamed it', () => {
    const chunk = readChunk(
      JSON.stringify({
        session_id: 's',
        choices: [
          {
            index: 0,
            finish_reason: 'tool_calls',
            message: {
              role: 'assistant',
              content: null,
              tool_calls: [{ id: 'a', type: 'function', function: { name: 'f', arguments: '{}' } }],
            },
          },
        ],
      }),
      true,
    );
    const draft = emptyDraft();
    foldChunk(draft, chunk);
    expect(chunk.session_id).toBe('s');
    expect(completedToolCalls(draft)).toEqual([
      { id: 'a', type: 'function', function: { name: 'f', arguments: '{}' } },
    ]);
    expect(draft.finishReason).toBe('tool_calls');
    expect(() => readChunk('{"choices":[{"index":0}]}', true)).toThrowError(
      expect.objectContaining({ code: 'malformed' }),
    );
    expect(readChunk('{"choices":[]}', true).choices).toEqual([]);
  });
});

describe('ReplyReader: the last event of a body cut inside a line', () => {
  const reader = () => {
    const chunks: ChunkChoices[] = [];
    return {
      chunks,
      reader: new ReplyReader(
        () => undefined,
        (c) => chunks.push(c),
      ),
    };
  };

  it('is a cut when it does not parse, and never reaches the reply', () => {
    const { chunks, reader: r } = reader();
    expect(() => r.event(JSON.stringify(chunk({ content: 'Half' })).slice(0, 20), true)).toThrowError(
      expect.objectContaining({ code: 'interrupted' }),
    );
    expect(chunks).toEqual([]);
  });

  it('is delivered when whole (only its newline was missing), and [DONE] still ends the reply', () => {
    const { chunks, reader: r } = reader();
    r.event(JSON.stringify(chunk({ content: 'Whole' }, 'stop')), true);
    expect(chunks).toHaveLength(1);
    const done = reader().reader;
    done.event('[DONE]', true);
    expect(() => done.end()).not.toThrow();
  });

  it('is no error when it is half a [DONE] after the finish reason: the reply was whole', () => {
    const { chunks, reader: r } = reader();
    r.event(JSON.stringify(chunk({ content: 'All of it.' }, 'stop')));
    r.event('[DO', true);
    expect(() => r.end()).not.toThrow();
    expect(chunks).toHaveLength(1);
  });

  it('is malformed, as before, when a whole event is not a chunk', () => {
    expect(() => reader().reader.event('{"not":"a chunk"}', true)).toThrowError(
      expect.objectContaining({ code: 'malformed' }),
    );
  });
});
