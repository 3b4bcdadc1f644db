import { describe, expect, it } from 'vitest';
import { DEFAULTS, ProxyOptionsError, createPathorsProxy } from '../../src/proxy/index.js';
import type { PathorsProxyOptions } from '../../src/proxy/index.js';
import { API_KEY, ORIGIN, SECRET } from './proxy-harness.js';

const VALID: PathorsProxyOptions = {
  apiKey: API_KEY,
  projectId: 'proj_1',
  allowedOrigins: [ORIGIN],
  sessionSecret: SECRET,
};

function refusal(options: unknown): ProxyOptionsError {
  try {
    createPathorsProxy(options as PathorsProxyOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(ProxyOptionsError);
    const refused = error as ProxyOptionsError;
    expect(refused.message).not.toContain(API_KEY);
    expect(String(refused.stack)).not.toContain(API_KEY);
    return refused;
  }
  throw new Error('createPathorsProxy accepted bad options');
}

describe('createPathorsProxy: options are checked at creation, naming the option', () => {
  it.each<[string, Partial<Record<keyof PathorsProxyOptions, unknown>>, string]>([
    ['a missing apiKey', { apiKey: undefined }, 'apiKey'],
    ['an empty apiKey', { apiKey: '  ' }, 'apiKey'],
    ['an apiKey with a newline', { apiKey: `${API_KEY}\n` }, 'apiKey'],
    ['a missing projectId', { projectId: undefined }, 'projectId'],
    ['missing allowedOrigins', { allowedOrigins: undefined }, 'allowedOrigins'],
    ['a wildcard origin', { allowedOrigins: ['*'] }, 'allowedOrigins'],
    ['an origin with a path', { allowedOrigins: ['https://shop.example/'] }, 'allowedOrigins'],
    ['an origin that is not a URL', { allowedOrigins: ['shop.example'] }, 'allowedOrigins'],
    ['a missing sessionSecret', { sessionSecret: undefined }, 'sessionSecret'],
    ['a short sessionSecret', { sessionSecret: 'too-short' }, 'sessionSecret'],
    ['the key as sessionSecret', { sessionSecret: API_KEY }, 'sessionSecret'],
    ['a bad upstream URL', { upstream: 'not a url' }, 'upstream'],
    ['an ftp upstream', { upstream: 'ftp://pathors.example' }, 'upstream'],
    ['credentials in the upstream URL', { upstream: 'https://user:pw@app.pathors.com' }, 'upstream'],
    [
      'a template without session',
      { upstream: { chatCompletions: 'https://api.pathors.com/v1/projects/{projectId}/chat/completions' } },
      'upstream.session',
    ],
    ['a bad basePath', { basePath: 'api/' }, 'basePath'],
    ['a zero maxBodyBytes', { maxBodyBytes: 0 }, 'maxBodyBytes'],
    ['a fractional maxMessages', { maxMessages: 1.5 }, 'maxMessages'],
    ['a negative upstreamTimeoutMs', { upstreamTimeoutMs: -1 }, 'upstreamTimeoutMs'],
    ['a bad bucket', { rateLimit: { perIp: { capacity: 0, refillPerMinute: 1 } } }, 'rateLimit.perIp.capacity'],
    [
      'a bad refill',
      { rateLimit: { perSession: { capacity: 5, refillPerMinute: 0 } } },
      'rateLimit.perSession.refillPerMinute',
    ],
    ['a store without claim', { store: { consume: async () => ({ allowed: true, retryAfterSeconds: 0 }) } }, 'store'],
    ['a non-function hook', { sessionVariables: { plan: 'gold' } }, 'sessionVariables'],
    ['bad allowedHeaders', { allowedHeaders: ['X Bad'] }, 'allowedHeaders'],
  ])('refuses %s', (_what, change, option) => {
    const error = refusal({ ...VALID, ...change });
    expect(error.option).toBe(option);
    expect(error.message).toContain(`\`${option}\``);
  });

  it('says how to generate a session secret', () => {
    expect(refusal({ ...VALID, sessionSecret: 'short' }).message).toContain('openssl rand -hex 32');
  });

  it('accepts the minimum, both upstream forms and a function for origins', () => {
    expect(typeof createPathorsProxy(VALID)).toBe('function');
    expect(typeof createPathorsProxy({ ...VALID, upstream: 'https://app.pathors.com/' })).toBe('function');
    expect(
      typeof createPathorsProxy({
        ...VALID,
        upstream: {
          chatCompletions: 'https://api.pathors.com/v1/projects/{projectId}/chat/completions',
          session: 'https://api.pathors.com/project/{projectId}/session',
        },
        allowedOrigins: (origin) => origin.endsWith('.shop.example'),
      }),
    ).toBe('function');
  });

  it('documents its defaults', () => {
    expect(DEFAULTS).toEqual({
      maxBodyBytes: 262144,
      maxMessages: 100,
      maxMessageChars: 16000,
      maxTools: 32,
      perIp: { capacity: 60, refillPerMinute: 30 },
      perSession: { capacity: 20, refillPerMinute: 10 },
      requestIdTtlMs: 600000,
      sessionTtlMs: 2592000000,
      upstreamTimeoutMs: 30000,
      streamIdleTimeoutMs: 300000,
    });
  });

  it('fills {projectId} in templates, URL-encoded', async () => {
    const urls: string[] = [];
    const proxy = createPathorsProxy({
      ...VALID,
      projectId: 'proj/1',
      upstream: {
        chatCompletions: 'https://api.pathors.com/v1/projects/{projectId}/chat/completions',
        session: 'https://api.pathors.com/project/{projectId}/session',
      },
      fetch: async (input) => {
        urls.push(String(input));
        return Response.json({});
      },
    });
    const response = await proxy(new Request('https://proxy.example/sessions', { method: 'POST' }));
    expect(response.status).toBe(201);
    expect(urls).toEqual(['https://api.pathors.com/project/proj%2F1/session']);
  });
});
