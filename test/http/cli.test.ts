/**
 * The `pathors-chat-proxy` command as a real process. Node 20 cannot run TypeScript, so the
 * suite first bundles src/proxy/cli.ts with rolldown (vite's own bundler, already installed)
 * into a temporary file: the source under test, not a stale dist/.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'rolldown';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream } from '../../src/testing/index.js';
import type { FakeUpstream } from '../../src/testing/index.js';
import { API_KEY, ORIGIN, SECRET, listen } from './proxy-harness.js';

let dir: string;
let cli: string;
let fake: FakeUpstream;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pathors-cli-'));
  cli = join(dir, 'cli.mjs');
  await build({
    input: 'src/proxy/cli.ts',
    platform: 'node',
    logLevel: 'silent',
    output: { file: cli, format: 'esm' },
    write: true,
  });
  fake = await startFakeUpstream({ apiKey: API_KEY });
});

afterAll(async () => {
  await fake?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function baseEnv(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    PATHORS_API_KEY: API_KEY,
    PATHORS_PROJECT_ID: fake.projectId,
    PATHORS_BASE_URL: fake.url,
    PATHORS_ALLOWED_ORIGINS: `${ORIGIN}, https://www.shop.example`,
    PATHORS_SESSION_SECRET: SECRET,
    HOST: '127.0.0.1',
    PORT: '0',
  };
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts the command and resolves once it prints the URL it listens on. */
function serve(env: Record<string, string>) {
  const child = spawn(process.execPath, [cli], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const url = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (match) resolve(match[1]!);
    });
    void exited.then((code) => reject(new Error(`exited ${code}: ${stderr}`)));
    setTimeout(() => reject(new Error(`no URL printed: ${stdout} ${stderr}`)), 10_000);
  });
  return {
    url,
    output: () => stdout + stderr,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

describe('pathors-chat-proxy (the CLI process)', () => {
  it('--help prints the usage and every variable, and exits 0', async () => {
    const result = await run(['--help'], { PATH: process.env.PATH ?? '' });
    expect(result.code).toBe(0);
    for (const name of ['PATHORS_API_KEY', 'PATHORS_PROJECT_ID', 'PATHORS_BASE_URL', 'PATHORS_ALLOWED_ORIGINS', 'PATHORS_SESSION_SECRET', 'HOST', 'PORT', 'openssl rand -hex 32']) {
      expect(result.stdout).toContain(name);
    }
  });

  it('refuses an unknown argument with exit 2', async () => {
    const result = await run(['--port=9'], baseEnv());
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--port=9');
  });

  it.each<[string, Record<string, string | undefined>, string]>([
    ['no API key', { PATHORS_API_KEY: undefined }, 'PATHORS_API_KEY'],
    ['no project ID', { PATHORS_PROJECT_ID: '' }, 'PATHORS_PROJECT_ID'],
    ['no allowed origins', { PATHORS_ALLOWED_ORIGINS: undefined }, 'PATHORS_ALLOWED_ORIGINS'],
    ['only commas for origins', { PATHORS_ALLOWED_ORIGINS: ' , ,' }, 'PATHORS_ALLOWED_ORIGINS'],
    ['a wildcard origin', { PATHORS_ALLOWED_ORIGINS: '*' }, 'PATHORS_ALLOWED_ORIGINS'],
    ['an origin with a path', { PATHORS_ALLOWED_ORIGINS: 'https://shop.example/shop' }, 'PATHORS_ALLOWED_ORIGINS'],
    ['no session secret', { PATHORS_SESSION_SECRET: undefined }, 'PATHORS_SESSION_SECRET'],
    ['a short session secret', { PATHORS_SESSION_SECRET: 'abc123' }, 'PATHORS_SESSION_SECRET'],
    ['a bad base URL', { PATHORS_BASE_URL: 'app.pathors.com' }, 'PATHORS_BASE_URL'],
    ['half a template pair', { PATHORS_CHAT_URL: 'https://api.pathors.com/v1/projects/{projectId}/chat/completions' }, 'PATHORS_SESSION_URL'],
    ['a bad port', { PORT: 'eighty' }, 'PORT'],
    ['a bad base path', { PATHORS_BASE_PATH: 'api/chat/' }, 'PATHORS_BASE_PATH'],
    ['a key with a space', { PATHORS_API_KEY: `${API_KEY} x` }, 'PATHORS_API_KEY'],
  ])('exits non-zero for %s, naming the variable and never printing the key', async (_what, change, variable) => {
    const env: Record<string, string> = baseEnv();
    for (const [name, value] of Object.entries(change)) {
      if (value === undefined) delete env[name];
      else env[name] = value;
    }
    const result = await run([], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(variable);
    expect(result.stdout + result.stderr).not.toContain(API_KEY);
    expect(result.stdout + result.stderr).not.toContain('listening');
  });

  it('says how to generate a missing session secret', async () => {
    const env = baseEnv();
    delete env.PATHORS_SESSION_SECRET;
    const result = await run([], env);
    expect(result.stderr).toContain('openssl rand -hex 32');
  });

  it('exits 1 naming HOST and PORT when the port is taken', async () => {
    const taken = createServer();
    const url = await listen(taken);
    try {
      const result = await run([], { ...baseEnv(), PORT: new URL(url).port });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/HOST and PORT/);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('serves a real chat through the fake upstream, logs without the key, and stops on SIGTERM', async () => {
    fake.reset();
    const proxy = serve(baseEnv());
    const url = await proxy.url;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    try {
      const response = await fetch(`${url}/chat/completions`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Origin: 'https://www.shop.example', Authorization: 'Bearer nope' },
        body: JSON.stringify({ messages: [{ role: 'user', content: 'Hello CLI' }], stream: true }),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      expect(response.headers.get('access-control-allow-origin')).toBe('https://www.shop.example');
      const text = await response.text();
      expect(text).toContain('data: [DONE]');
      expect(text).not.toContain(API_KEY);
      expect(fake.requests.find((r) => r.kind === 'chat')!.headers.authorization).toBe(`Bearer ${API_KEY}`);

      const refused = await fetch(`${url}/chat/completions`, { method: 'POST', headers: { Origin: 'https://evil.example' } });
      expect(refused.status).toBe(403);
      expect((await fetch(`${url}/health`)).status).toBe(200);
    } finally {
      expect(await proxy.stop()).toBe(0);
    }
    expect(proxy.output()).toContain('POST /chat/completions 200');
    expect(proxy.output()).not.toContain(API_KEY);
  });

  it('serves the newer host layout from PATHORS_CHAT_URL and PATHORS_SESSION_URL, under PATHORS_BASE_PATH', async () => {
    fake.reset();
    const env = baseEnv();
    delete env.PATHORS_BASE_URL;
    const proxy = serve({
      ...env,
      PATHORS_CHAT_URL: `${fake.url}/v1/projects/{projectId}/chat/completions`,
      PATHORS_SESSION_URL: `${fake.url}/project/{projectId}/session`,
      PATHORS_BASE_PATH: '/api/chat',
    });
    const url = await proxy.url;
    try {
      const created = await fetch(`${url}/api/chat/sessions`, { method: 'POST', headers: { Origin: ORIGIN } });
      expect(created.status).toBe(201);
      const { sessionId } = (await created.json()) as { sessionId: string };
      expect(fake.requests[0]!.path).toBe(new URL(fake.v1SessionUrl).pathname);
      const history = await fetch(`${url}/api/chat/sessions/${sessionId}`, { headers: { Origin: ORIGIN } });
      expect(await history.json()).toEqual({ sessionId, messages: [] });
      expect((await fetch(`${url}/sessions`, { method: 'POST' })).status).toBe(404);
    } finally {
      await proxy.stop();
    }
    expect(proxy.output()).not.toContain(API_KEY);
  });
});
