import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../src/core/wire.js';
import { mergeHistory } from '../../src/testing/history.js';
import { readMarkers } from '../../src/testing/faults.js';
import { mentionedTools } from '../../src/testing/script.js';
import { sampleFromSchema, splitIntoTokens } from '../../src/testing/index.js';
import { TIME_TOOL, WEATHER_TOOL } from './fake-upstream-helpers.js';

describe('splitIntoTokens', () => {
  it('cuts text into small word-ish pieces that join back exactly', () => {
    const text = 'Hello, world! A **bold** claim:\n\n```ts\nconst x = 1;\n```\n\nSupercalifragilistic 👋🏽 é';
    const pieces = splitIntoTokens(text);
    expect(pieces.join('')).toBe(text);
    expect(pieces.length).toBeGreaterThan(8);
    for (const piece of pieces.slice(0, -1)) {
      expect(piece.length).toBeGreaterThanOrEqual(3);
      expect(piece.length).toBeLessThanOrEqual(12);
    }
    expect(pieces.some((piece) => piece.includes('\uD83D') && !piece.includes('👋'))).toBe(false);
    expect(splitIntoTokens('')).toEqual([]);
  });
});

describe('sampleFromSchema', () => {
  it('fills required properties with plausible values by name, type and enum', () => {
    expect(
      sampleFromSchema({
        type: 'object',
        properties: {
          city: { type: 'string' },
          email: { type: 'string' },
          count: { type: 'integer' },
          price: { type: 'number' },
          urgent: { type: 'boolean' },
          unit: { enum: ['c', 'f'] },
          tags: { type: 'array', items: { type: 'string' } },
          address: { type: 'object', properties: { country: { type: 'string' } }, required: ['country'] },
          maybe: { type: ['string', 'null'] },
          withDefault: { type: 'string', default: 'given' },
          optional: { type: 'string' },
        },
        required: ['city', 'email', 'count', 'price', 'urgent', 'unit', 'tags', 'address', 'maybe', 'withDefault'],
      }),
    ).toEqual({
      city: 'Paris',
      email: 'ada@example.com',
      count: 2,
      price: 19.99,
      urgent: true,
      unit: 'c',
      tags: ['sample'],
      address: { country: 'France' },
      maybe: 'sample',
      withDefault: 'given',
    });
  });

  it('copes with schemas that are missing or odd', () => {
    expect(sampleFromSchema(undefined)).toEqual({});
    expect(sampleFromSchema({ type: 'object' })).toEqual({});
    expect(sampleFromSchema({ properties: { q: { type: 'string' } } })).toEqual({ q: 'sample' });
    expect(sampleFromSchema('nonsense')).toEqual({});
  });
});

describe('mentionedTools', () => {
  const tools = [WEATHER_TOOL, TIME_TOOL];
  it('finds tools by name or in words, in the order the text names them', () => {
    expect(mentionedTools('get_time then get_weather', tools)).toEqual(['get_time', 'get_weather']);
    expect(mentionedTools('could you Get Weather?', tools)).toEqual(['get_weather']);
    expect(mentionedTools('use all the tools', tools)).toEqual(['get_weather', 'get_time']);
    expect(mentionedTools('get_weathers', tools)).toEqual([]);
  });
});

describe('readMarkers', () => {
  it('reads faults and delays and strips them from the text', () => {
    expect(readMarkers('hi [[fault:slow-first-byte:3000]] there')).toEqual({
      text: 'hi there',
      fault: { fault: 'slow-first-byte', delayMs: 3000 },
      tokenDelayMs: undefined,
      unknownFault: undefined,
    });
    expect(readMarkers('[[FAULT:http-500]][[delay:30]] x')).toMatchObject({
      text: 'x',
      fault: { fault: 'http-500', delayMs: 2000 },
      tokenDelayMs: 30,
    });
    expect(readMarkers('[[fault:oops]]').unknownFault).toBe('oops');
  });
});

describe('mergeHistory', () => {
  const u1: ChatMessage = { role: 'user', content: 'one' };
  const a1: ChatMessage = { role: 'assistant', content: 'reply one' };
  const u2: ChatMessage = { role: 'user', content: 'two' };
  const call: ChatMessage = {
    role: 'assistant',
    content: 'checking',
    tool_calls: [{ id: 'c1', type: 'function', function: { name: 't', arguments: '{}' } }],
  };
  const result: ChatMessage = { role: 'tool', tool_call_id: 'c1', content: 'r' };

  it('appends a new turn', () => {
    expect(mergeHistory([u1, a1], [u2])).toEqual([u1, a1, u2]);
    expect(mergeHistory([u1, a1], [u1])).toEqual([u1, a1, u1]);
  });
  it('takes a full transcript as is', () => {
    expect(mergeHistory([u1, a1], [u1, a1, u2])).toEqual([u1, a1, u2]);
    expect(mergeHistory([u1, a1], [{ role: 'system', content: 's' }, u1, a1, u2])).toHaveLength(4);
  });
  it('drops the re-sent tool-call message of a tool round, whatever its content', () => {
    expect(mergeHistory([u1, call], [{ ...call, content: null }, result])).toEqual([u1, call, result]);
  });
});
