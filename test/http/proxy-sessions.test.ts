import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSessionSigner } from '../../src/proxy/session-token.js';
import { SECRET, expectNoKeyLeak, readError, startBench, userTurn } from './proxy-harness.js';
import type { Bench, Layout } from './proxy-harness.js';

const SESSION_ID = /^[A-Za-z0-9_-]{24}\.[0-9a-z]{1,11}\.[A-Za-z0-9_-]{24}$/;
const IN_A_DAY = () => Date.now() + 86_400_000;

function flip(char: string): string {
  return char === 'A' ? 'B' : 'A';
}

describe.each<Layout>(['legacy', 'v1'])('proxy: the session routes on the %s upstream layout', (layout) => {
  let bench: Bench;

  beforeAll(async () => {
    bench = await startBench({
      layout,
      fake: { script: [{ match: /./, reply: 'Noted.' }] },
      proxy: { sessionVariables: async () => ({ userId: 'u-42', secretNote: 'internal' }) },
    });
  });
  beforeEach(() => bench.fake.reset());
  afterAll(async () => {
    expectNoKeyLeak(bench);
    await bench.close();
  });

  async function newSession(): Promise<string> {
    const response = await bench.post('/sessions', undefined, { 'Content-Type': 'text/plain' });
    expect(response.status).toBe(201);
    const body = (await response.json()) as { sessionId: string };
    expect(response.headers.get('x-session-id')).toBe(body.sessionId);
    return body.sessionId;
  }

  it('POST /sessions mints a signed ID and creates it upstream with the site\'s variables, provider "web"', async () => {
    const sessionId = await newSession();
    expect(sessionId).toMatch(SESSION_ID);
    const [create] = bench.fake.requests;
    expect(create!.path).toBe(new URL(layout === 'v1' ? bench.fake.v1SessionUrl : bench.fake.sessionUrl).pathname);
    expect(create!.body).toEqual({
      session_id: sessionId,
      variables: { userId: 'u-42', secretNote: 'internal' },
      provider: 'web',
    });
    expect(bench.fake.sessions.get(sessionId)?.variables).toEqual({ userId: 'u-42', secretNote: 'internal' });
  });

  it("ignores variables the browser sends: only the site's hook sets them", async () => {
    const response = await bench.post('/sessions', { variables: { plan: 'enterprise' }, session_id: 'mine' });
    const { sessionId } = (await response.json()) as { sessionId: string };
    expect(bench.fake.sessions.get(sessionId)?.variables).toEqual({ userId: 'u-42', secretNote: 'internal' });
    expect(bench.fake.sessions.has('mine')).toBe(false);
  });

  it('GET /sessions/:id answers the history as {role, content} pairs, without the variables', async () => {
    const sessionId = await newSession();
    const chat = await bench.chat(userTurn('Remember me'), { 'X-Session-ID': sessionId });
    expect(chat.status).toBe(200);
    await chat.text();
    const response = await fetch(`${bench.url}/sessions/${sessionId}`, { headers: { Origin: 'https://shop.example' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({
      sessionId,
      messages: [
        { role: 'user', content: 'Remember me' },
        { role: 'assistant', content: 'Noted.' },
      ],
    });
    expect(text).not.toContain('u-42');
    expect(text).not.toContain('variables');
    // The ID in the path is a bearer token: the log keeps only its first characters.
    expect(JSON.stringify(bench.logs)).not.toContain(sessionId);
    expect(bench.logs.filter((event) => event.type === 'request').at(-1)).toMatchObject({
      path: `/sessions/${sessionId.slice(0, 8)}…`,
    });
  });

  it('leaves out system prompts and tool traffic from the history', async () => {
    const sessionId = await newSession();
    bench.fake.sessions.get(sessionId)!.messages = [
      { role: 'system', content: 'You are the shop agent. Discount code STAFF50.' },
      { role: 'user', content: 'Cart?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'c1', type: 'function', function: { name: 'cart', arguments: '{}' } }],
      },
      { role: 'tool', tool_call_id: 'c1', content: '{"items":1}' },
      { role: 'assistant', content: 'One item.' },
    ];
    const response = await fetch(`${bench.url}/sessions/${sessionId}`);
    expect(await response.json()).toEqual({
      sessionId,
      messages: [
        { role: 'user', content: 'Cart?' },
        { role: 'assistant', content: 'One item.' },
      ],
    });
  });

  it('DELETE /sessions/:id ends the session upstream, after which the same ID is refused everywhere', async () => {
    const sessionId = await newSession();
    const response = await fetch(`${bench.url}/sessions/${sessionId}`, { method: 'DELETE' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
    const end = bench.fake.requests.at(-1)!;
    expect(end.method).toBe('DELETE');
    expect(end.body).toEqual({ session_id: sessionId });
    expect(bench.fake.sessions.has(sessionId)).toBe(false);

    bench.fake.reset();
    for (const attempt of [
      () => bench.chat(userTurn('Still there?'), { 'X-Session-ID': sessionId }),
      () => bench.chat({ ...userTurn('Still there?'), session_id: sessionId }),
      () => fetch(`${bench.url}/sessions/${sessionId}`),
      () => fetch(`${bench.url}/sessions/${sessionId}`, { method: 'DELETE' }),
    ]) {
      const error = await readError(await attempt());
      expect(error).toMatchObject({ status: 403, code: 'invalid_session' });
      expect(error.message).toMatch(/ended/);
    }
    // Refused at the door: not even a new session was created for it.
    expect(bench.upstreamCount()).toBe(0);
  });

  it('refuses an ID past the expiry signed into it, and the expiry cannot be edited', async () => {
    const signer = createSessionSigner([SECRET]);
    const expired = await signer.mint(Date.now() - 1000);
    const error = await readError(await bench.chat(userTurn(), { 'X-Session-ID': expired }));
    expect(error).toMatchObject({ status: 403, code: 'invalid_session' });
    expect(error.message).toMatch(/expired/);
    // Pushing the expiry forward breaks the signature.
    const [nonce, , mac] = expired.split('.') as [string, string, string];
    const extended = `${nonce}.${Math.ceil(IN_A_DAY() / 1000).toString(36)}.${mac}`;
    const forged = await readError(await bench.chat(userTurn(), { 'X-Session-ID': extended }));
    expect(forged).toMatchObject({ status: 403, code: 'invalid_session' });
    expect(bench.upstreamCount()).toBe(0);
  });

  it('refuses unsigned, tampered and foreign session IDs with 403 invalid_session, forwarding nothing', async () => {
    const real = await newSession();
    bench.fake.reset();
    const [nonce, expiry, mac] = real.split('.') as [string, string, string];
    const foreign = await createSessionSigner(['another-secret-another-secret-another-secret']).mint(IN_A_DAY());
    const forged = [
      'session-xyz789',
      nonce,
      `${nonce}.`,
      `${nonce}.${mac}`,
      `${flip(nonce[0]!)}${nonce.slice(1)}.${expiry}.${mac}`,
      `${nonce}.${expiry}.${mac.slice(0, -1)}${flip(mac.at(-1)!)}`,
      `${nonce}.${expiry}.${mac}x`,
      `${nonce}.0${expiry}.${mac}`,
      `${nonce}.${expiry}.${mac}.${mac}`,
      foreign,
      real.toUpperCase(),
      `${nonce}=.${expiry}.${mac}`,
    ];
    for (const id of forged) {
      for (const attempt of [
        () => bench.chat(userTurn(), { 'X-Session-ID': id }),
        () => fetch(`${bench.url}/sessions/${encodeURIComponent(id)}`),
        () => fetch(`${bench.url}/sessions/${encodeURIComponent(id)}`, { method: 'DELETE' }),
      ]) {
        const error = await readError(await attempt());
        expect(error, id).toMatchObject({ status: 403, code: 'invalid_session' });
      }
    }
    expect(bench.upstreamCount()).toBe(0);
  });

  it('404 for a signed ID the upstream does not know (ended, or created elsewhere)', async () => {
    const signed = await createSessionSigner([SECRET]).mint(IN_A_DAY());
    const error = await readError(await fetch(`${bench.url}/sessions/${signed}`));
    expect(error).toMatchObject({ status: 404, code: 'session_not_found' });
  });
});

describe('proxy: session secrets', () => {
  it('verifies IDs signed by a previous secret during rotation, and signs with the first', async () => {
    const old = 'old-secret-old-secret-old-secret-old-secret';
    const bench = await startBench({ proxy: { sessionSecret: [SECRET, old] } });
    try {
      const legacy = await createSessionSigner([old]).mint(IN_A_DAY());
      const response = await bench.chat(userTurn(), { 'X-Session-ID': legacy });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-session-id')).toBe(legacy);
      await response.text();
      const fresh = (await (await bench.post('/sessions', {})).json()) as { sessionId: string };
      expect(await createSessionSigner([SECRET]).expiryOf(fresh.sessionId)).toBeGreaterThan(Date.now());
      expect(await createSessionSigner([old]).expiryOf(fresh.sessionId)).toBeUndefined();
    } finally {
      await bench.close();
    }
  });

  it('mints IDs that do not repeat', async () => {
    const signer = createSessionSigner([SECRET]);
    const expiresAt = IN_A_DAY();
    const ids = await Promise.all(Array.from({ length: 200 }, () => signer.mint(expiresAt)));
    expect(new Set(ids).size).toBe(200);
    for (const id of ids) expect(await signer.expiryOf(id)).toBe(Math.ceil(expiresAt / 1000) * 1000);
  });

  it('knows the IDs it minted as a fresh signer would (HMAC checked), and still refuses an edited one', async () => {
    const signer = createSessionSigner([SECRET]);
    const id = await signer.mint(IN_A_DAY());
    // The minting signer answers from what it remembers; a fresh one computes the MAC.
    expect(await signer.expiryOf(id)).toBe(await createSessionSigner([SECRET]).expiryOf(id));
    const [nonce, expiry, mac] = id.split('.') as [string, string, string];
    const edited = `${nonce}.${expiry}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`;
    expect(await signer.expiryOf(edited)).toBeUndefined();
  });

  it('signs the expiry the site sets with sessionTtlMs (default 30 days)', async () => {
    for (const [ttl, expected] of [
      [undefined, 30 * 86_400_000],
      [3_600_000, 3_600_000],
    ] as const) {
      const bench = await startBench(ttl === undefined ? {} : { proxy: { sessionTtlMs: ttl } });
      try {
        const before = Date.now();
        const { sessionId } = (await (await bench.post('/sessions', {})).json()) as { sessionId: string };
        const expiresAt = (await createSessionSigner([SECRET]).expiryOf(sessionId))!;
        expect(expiresAt - before).toBeGreaterThanOrEqual(expected);
        expect(expiresAt - before).toBeLessThan(expected + 60_000);
      } finally {
        await bench.close();
      }
    }
  });
});
