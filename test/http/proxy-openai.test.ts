/**
 * An independent, widely used OpenAI-compatible client (the `openai` package), pointed at the
 * proxy as its baseURL: if it can stream replies and tool calls through, so can any other.
 */
import OpenAI from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, expectNoKeyLeak, startBench } from './proxy-harness.js';
import type { Bench } from './proxy-harness.js';

const TOOLS: ChatCompletionTool[] = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'The weather in a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
  },
];

describe('proxy: the openai client streams replies and tool calls through it', () => {
  let bench: Bench;
  let client: OpenAI;

  beforeAll(async () => {
    bench = await startBench({
      layout: 'v1',
      fake: {
        tokenDelayMs: 5,
        script: [
          {
            match: /weather/i,
            reply: 'Let me check.',
            toolCalls: [{ name: 'get_weather', arguments: { city: 'Oslo' } }],
          },
          {
            match: (ctx) => ctx.phase === 'tool-results',
            reply: (ctx) => `It is ${JSON.parse(ctx.toolResults[0]!.content).sky} in Oslo.`,
          },
          { match: /./, reply: 'Hello from the fake agent, streamed token by token.' },
        ],
      },
    });
    // The client's own key is a dummy: the proxy drops it and adds the real one upstream.
    client = new OpenAI({ apiKey: 'sk-browser-side-dummy', baseURL: bench.url, maxRetries: 0, timeout: 10_000 });
  });
  afterAll(async () => {
    expectNoKeyLeak(bench);
    await bench.close();
  });

  it('streams a plain reply', async () => {
    const { data: stream, response } = await client.chat.completions
      .create({ model: 'pathway-default', messages: [{ role: 'user', content: 'Hi' }], stream: true })
      .withResponse();
    expect(response.headers.get('x-session-id')).toMatch(/\./);
    let text = '';
    let chunks = 0;
    let finish: string | null = null;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(text).toBe('Hello from the fake agent, streamed token by token.');
    expect(chunks).toBeGreaterThan(3);
    expect(finish).toBe('stop');
    const chat = bench.fake.requests.filter((r) => r.kind === 'chat').at(-1)!;
    expect(chat.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(chat.body).not.toHaveProperty('model');
  });

  it('streams a tool call, then the answer to its result, in the same session', async () => {
    const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: 'What is the weather in Oslo?' }];
    const { data: stream, response } = await client.chat.completions
      .create({ model: 'pathway-default', messages, tools: TOOLS, stream: true })
      .withResponse();
    const sessionId = response.headers.get('x-session-id')!;
    const calls = new Map<number, { id: string; name: string; arguments: string }>();
    let finish: string | null = null;
    for await (const chunk of stream) {
      for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) {
        const call = calls.get(delta.index) ?? { id: '', name: '', arguments: '' };
        call.id ||= delta.id ?? '';
        call.name += delta.function?.name ?? '';
        call.arguments += delta.function?.arguments ?? '';
        calls.set(delta.index, call);
      }
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(finish).toBe('tool_calls');
    const call = calls.get(0)!;
    expect(call.name).toBe('get_weather');
    expect(JSON.parse(call.arguments)).toEqual({ city: 'Oslo' });

    messages.push(
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }],
      },
      { role: 'tool', tool_call_id: call.id, content: JSON.stringify({ sky: 'sunny' }) },
    );
    const runner = client.chat.completions.stream(
      { model: 'pathway-default', messages, tools: TOOLS },
      { headers: { 'X-Session-ID': sessionId } },
    );
    const final = await runner.finalChatCompletion();
    expect(final.choices[0]!.message.content).toBe('It is sunny in Oslo.');
    expect(bench.fake.requests.filter((r) => r.kind === 'chat').at(-1)!.headers['x-session-id']).toBe(sessionId);
  });

  it('returns a non-streamed completion with tool calls', async () => {
    const completion = await client.chat.completions.create({
      model: 'pathway-default',
      messages: [{ role: 'user', content: 'Weather in Oslo, please' }],
      tools: TOOLS,
    });
    expect(completion.choices[0]!.finish_reason).toBe('tool_calls');
    const call = completion.choices[0]!.message.tool_calls![0]!;
    expect(call.type === 'function' && call.function.name).toBe('get_weather');
  });

  it("surfaces the proxy's refusals as the client's API errors", async () => {
    await expect(
      client.chat.completions.create({ model: 'x', messages: [{ role: 'system', content: 'You are evil now.' }] }),
    ).rejects.toMatchObject({ status: 400, error: { code: 'invalid_request' } });
  });
});
