import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChatCompletion, ChatMessage, ToolCall } from '../../src/core/wire.js';
import { startFakeUpstream } from '../../src/testing/index.js';
import type { FakeUpstream } from '../../src/testing/index.js';
import { TIME_TOOL, WEATHER_TOOL, authHeaders, postChat, streamChat, user } from './fake-upstream-helpers.js';

let fake: FakeUpstream;

beforeAll(async () => {
  fake = await startFakeUpstream();
});
afterAll(() => fake.close());
afterEach(() => fake.reset());

function toolResultsFor(calls: readonly ToolCall[], results: readonly string[]): ChatMessage[] {
  return [
    { role: 'assistant', content: null, tool_calls: [...calls] },
    ...calls.map((call, i): ChatMessage => ({ role: 'tool', tool_call_id: call.id, content: results[i] ?? '' })),
  ];
}

describe('tool calls', () => {
  it('streams a call to a tool the user names, arguments spread over several chunks', async () => {
    const { chunks, joined } = await streamChat(fake, {
      messages: [user('What does get_weather say?')],
      tools: [WEATHER_TOOL],
    });
    expect(joined.finishReason).toBe('tool_calls');
    expect(joined.content).toBe('');
    expect(joined.toolCalls).toHaveLength(1);
    const [call] = joined.toolCalls;
    expect(call?.id).toMatch(/^call_/);
    expect(call?.type).toBe('function');
    expect(call?.function.name).toBe('get_weather');
    expect(JSON.parse(call?.function.arguments ?? '')).toEqual({ city: 'Paris', unit: 'celsius' });

    const first = chunks[0]?.choices[0]?.delta;
    expect(first).toEqual({
      role: 'assistant',
      tool_calls: [{ index: 0, id: call?.id, type: 'function', function: { name: 'get_weather', arguments: '' } }],
    });
    const argumentPieces = chunks.filter((chunk) => chunk.choices[0]?.delta.tool_calls?.[0]?.function?.arguments);
    expect(argumentPieces.length).toBeGreaterThan(2);
    for (const piece of argumentPieces) expect(piece.choices[0]?.delta.tool_calls?.[0]).not.toHaveProperty('id');
    expect(chunks[chunks.length - 1]?.choices[0]).toEqual({ index: 0, delta: {}, finish_reason: 'tool_calls' });
  });

  it('recognises a tool named in words, and does not call tools the request did not offer', async () => {
    const named = await streamChat(fake, { messages: [user('please get weather for me')], tools: [WEATHER_TOOL] });
    expect(named.joined.toolCalls.map((call) => call.function.name)).toEqual(['get_weather']);
    const notOffered = await streamChat(fake, { messages: [user('please get_weather for me')] });
    expect(notOffered.joined.finishReason).toBe('stop');
  });

  it('makes two calls in one reply, joined by index 0 and 1', async () => {
    const { chunks, joined } = await streamChat(fake, {
      messages: [user('use both tools')],
      tools: [WEATHER_TOOL, TIME_TOOL],
    });
    expect(joined.finishReason).toBe('tool_calls');
    expect(joined.toolCalls.map((call) => call.function.name)).toEqual(['get_weather', 'get_time']);
    expect(JSON.parse(joined.toolCalls[1]?.function.arguments ?? '')).toEqual({ timezone: 'Europe/Paris' });
    expect(new Set(joined.toolCalls.map((call) => call.id)).size).toBe(2);
    const indexes = chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []).map((piece) => piece.index);
    expect(indexes).toContain(0);
    expect(indexes).toContain(1);
    expect(indexes.indexOf(1)).toBeGreaterThan(indexes.lastIndexOf(0));
  });

  it('answers tool results by quoting them verbatim (new-turn history)', async () => {
    const first = await streamChat(
      fake,
      { messages: [user('call get_weather and get_time')], tools: [WEATHER_TOOL, TIME_TOOL] },
      { 'X-Session-ID': 'round' },
    );
    expect(first.joined.toolCalls).toHaveLength(2);
    expect(first.joined.content).toBe('Let me check a couple of things first.');
    const results = ['{"city":"Paris","tempC":21}', 'It is 09:30 with ``` backticks'];
    const followUp = await streamChat(
      fake,
      { messages: toolResultsFor(first.joined.toolCalls, results), tools: [WEATHER_TOOL, TIME_TOOL] },
      { 'X-Session-ID': 'round' },
    );
    expect(followUp.joined.finishReason).toBe('stop');
    for (const result of results) expect(followUp.joined.content).toContain(result);
    expect(followUp.joined.content).toContain('`get_weather`');
    expect(followUp.joined.content).toContain('````text');

    const roles = fake.sessions.get('round')?.messages.map((message) => message.role);
    expect(roles).toEqual(['user', 'assistant', 'tool', 'tool', 'assistant']);
  });

  it('answers tool results the same way with full history', async () => {
    const ask = user('call get_weather');
    const first = await streamChat(fake, { messages: [ask], tools: [WEATHER_TOOL] }, { 'X-Session-ID': 'full-round' });
    const messages = [ask, ...toolResultsFor(first.joined.toolCalls, ['sunny'])];
    const followUp = await streamChat(fake, { messages, tools: [WEATHER_TOOL] }, { 'X-Session-ID': 'full-round' });
    expect(followUp.joined.content).toContain('sunny');
    expect(fake.sessions.get('full-round')?.messages).toHaveLength(4);
  });

  it('returns tool calls in a non-streaming completion', async () => {
    const res = await postChat(fake, { messages: [user('get_time please')], tools: [TIME_TOOL] });
    const body = (await res.json()) as ChatCompletion;
    expect(body.choices[0]?.finish_reason).toBe('tool_calls');
    expect(body.choices[0]?.message).toEqual({
      role: 'assistant',
      content: null,
      tool_calls: [
        {
          id: expect.stringMatching(/^call_/),
          type: 'function',
          function: { name: 'get_time', arguments: '{"timezone":"Europe/Paris"}' },
        },
      ],
    });
  });
});

describe('scripts', () => {
  it('uses rules in order: strings, RegExps and functions, with given or generated arguments', async () => {
    const scripted = await startFakeUpstream({
      script: [
        { match: 'refund', reply: 'Refunds take **5 days**.' },
        { match: /order (\d+)/i, toolCalls: [{ name: 'lookup_order', arguments: { id: 7 } }] },
        { match: /broken/, toolCalls: [{ name: 'get_weather', arguments: '{"city":' }] },
        { match: /weather/, toolCalls: [{ name: 'get_weather' }], reply: 'Checking.' },
        {
          match: (ctx) => ctx.phase === 'tool-results',
          reply: (ctx) => `Result: ${ctx.toolResults[0]?.content ?? ''} from ${ctx.toolResults[0]?.name ?? '?'}`,
        },
      ],
    });
    try {
      const refund = await streamChat(scripted, { messages: [user('I want a REFUND')] });
      expect(refund.joined.content).toBe('Refunds take **5 days**.');

      const order = await streamChat(scripted, { messages: [user('where is order 12?')] });
      expect(order.joined.toolCalls[0]?.function).toEqual({ name: 'lookup_order', arguments: '{"id":7}' });

      const broken = await streamChat(scripted, { messages: [user('broken args')] });
      expect(broken.joined.toolCalls[0]?.function.arguments).toBe('{"city":');

      const weather = await streamChat(
        scripted,
        { messages: [user('weather?')], tools: [WEATHER_TOOL] },
        { 'X-Session-ID': 'w' },
      );
      expect(weather.joined.content).toBe('Checking.');
      expect(JSON.parse(weather.joined.toolCalls[0]?.function.arguments ?? '')).toEqual({
        city: 'Paris',
        unit: 'celsius',
      });

      // The /weather/ rule must not fire again on the follow-up that still carries the same user text.
      const followUp = await streamChat(
        scripted,
        { messages: toolResultsFor(weather.joined.toolCalls, ['21C']), tools: [WEATHER_TOOL] },
        { 'X-Session-ID': 'w' },
      );
      expect(followUp.joined.content).toBe('Result: 21C from get_weather');

      const fallback = await streamChat(scripted, { messages: [user('a table please')] });
      expect(fallback.joined.content).toContain('> a table please');
    } finally {
      await scripted.close();
    }
  });
});

describe('the official openai client', () => {
  it('streams tool calls from the v1 layout and reads X-Session-ID', async () => {
    const client = new OpenAI({
      baseURL: `${fake.url}/v1/projects/${fake.projectId}`,
      apiKey: fake.apiKey,
      maxRetries: 0,
    });
    const { data: stream, response } = await client.chat.completions
      .create(
        {
          model: 'pathway-default',
          stream: true,
          tools: [WEATHER_TOOL, TIME_TOOL].map((tool) => ({
            type: 'function' as const,
            function: { ...tool.function, parameters: { ...tool.function.parameters } },
          })),
          messages: [{ role: 'user', content: 'use both tools' }],
        },
        { headers: { 'X-Session-ID': 'openai-1' } },
      )
      .withResponse();
    expect(response.headers.get('x-session-id')).toBe('openai-1');

    const calls: Array<{ id: string; name: string; arguments: string }> = [];
    let finish: string | null = null;
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      for (const piece of choice?.delta.tool_calls ?? []) {
        const call = (calls[piece.index] ??= { id: '', name: '', arguments: '' });
        call.id ||= piece.id ?? '';
        call.name ||= piece.function?.name ?? '';
        call.arguments += piece.function?.arguments ?? '';
      }
      finish = choice?.finish_reason ?? finish;
    }
    expect(finish).toBe('tool_calls');
    expect(calls.map((call) => call.name)).toEqual(['get_weather', 'get_time']);
    expect(calls.map((call) => JSON.parse(call.arguments) as unknown)).toEqual([
      { city: 'Paris', unit: 'celsius' },
      { timezone: 'Europe/Paris' },
    ]);

    const followUp = await client.chat.completions.create(
      {
        model: 'pathway-default',
        messages: [
          {
            role: 'assistant',
            content: null,
            tool_calls: calls.map((call) => ({
              id: call.id,
              type: 'function' as const,
              function: { name: call.name, arguments: call.arguments },
            })),
          },
          ...calls.map((call, i) => ({ role: 'tool' as const, tool_call_id: call.id, content: `result ${i}` })),
        ],
      },
      { headers: { 'X-Session-ID': 'openai-1' } },
    );
    expect(followUp.choices[0]?.message.content).toContain('result 1');
    expect((followUp as unknown as { session_id: string }).session_id).toBe('openai-1');
    expect(fake.requests[0]?.headers['authorization']).toBe(`Bearer ${fake.apiKey}`);
  });

  it('reads a minted session id through asResponse()', async () => {
    const client = new OpenAI({
      baseURL: `${fake.url}/v1/projects/${fake.projectId}`,
      apiKey: fake.apiKey,
      maxRetries: 0,
    });
    const response = await client.chat.completions
      .create({ model: 'pathway-default', stream: true, messages: [{ role: 'user', content: 'hi' }] })
      .asResponse();
    expect(response.headers.get('x-session-id')).toMatch(/^session-/);
    expect(await response.text()).toMatch(/data: \[DONE\]\n\n$/);
  });

  it('surfaces the 401 body through the client', async () => {
    const client = new OpenAI({
      baseURL: `${fake.url}/v1/projects/${fake.projectId}`,
      apiKey: 'sk_wrong',
      maxRetries: 0,
    });
    await expect(
      client.chat.completions.create({ model: 'x', messages: [{ role: 'user', content: 'hi' }] }),
    ).rejects.toMatchObject({
      status: 401,
      error: { message: 'Invalid authentication' },
    });
    expect(authHeaders(fake).Authorization).not.toContain('sk_wrong');
  });
});

describe('unanswered tool calls', () => {
  it('refuses the next turn while a call of the session has no result, as chat APIs do', async () => {
    const session = { headers: authHeaders(fake, { 'X-Session-ID': 'unanswered-1' }) };
    const first = await streamChat(
      fake,
      { messages: [user('What does get_weather say?')], tools: [WEATHER_TOOL] },
      { 'X-Session-ID': 'unanswered-1' },
    );
    expect(first.joined.finishReason).toBe('tool_calls');
    const skipped = await postChat(fake, { messages: [user('never mind')] }, session);
    expect(skipped.status).toBe(400);
    expect(((await skipped.json()) as { error: string }).error).toMatch(/has no tool result/);
    const [call] = first.joined.toolCalls;
    const answered = await postChat(
      fake,
      {
        messages: [{ role: 'tool', tool_call_id: call!.id, content: '{"error":"not run"}' }, user('never mind')],
      },
      session,
    );
    expect(answered.status).toBe(200);
  });
});
