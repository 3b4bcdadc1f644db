/**
 * Starts the deploy snippets of docs/proxy.md (docs/snippets/*.ts) on their own runtimes, on
 * free loopback ports, against a fake upstream. Each snippet is bundled with rolldown, its
 * `pathors-chat/proxy` imports pointed at src/proxy (the source under test, not a stale dist/),
 * then run as a user would: `node` for Express, `bun`, `deno`, and workerd through Miniflare.
 * A runtime that cannot start throws with what it printed: the suite fails, it never skips.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { build } from 'rolldown';

const ROOT = resolve(import.meta.dirname, '../..');
/** Inside the repository, so a bundle's bare imports (express) resolve from its node_modules. */
const OUT = resolve(ROOT, 'node_modules/.cache/pathors-runtimes');
const BIN = resolve(ROOT, 'node_modules/.bin');

export const SNIPPETS = {
  express: 'docs/snippets/express.ts',
  serverless: 'docs/snippets/serverless.ts',
  bun: 'docs/snippets/bun.ts',
  deno: 'docs/snippets/deno.ts',
  workers: 'docs/snippets/worker.ts',
  redis: 'docs/snippets/redis.ts',
} as const;

export interface Running {
  /** Where the proxy's routes live, e.g. http://127.0.0.1:41234/api/chat. */
  base: string;
  stop(): Promise<void>;
}

export interface SnippetEnv {
  PATHORS_API_KEY: string;
  PATHORS_PROJECT_ID: string;
  PATHORS_SESSION_SECRET: string;
  PATHORS_BASE_URL: string;
}

/** Bundles written by this process, removed when it exits. */
const written = new Set<string>();
process.once('exit', () => {
  for (const file of written) rmSync(file, { force: true });
});

export async function bundleSnippet(name: keyof typeof SNIPPETS, platform: 'node' | 'neutral'): Promise<string> {
  mkdirSync(OUT, { recursive: true });
  const file = resolve(OUT, `${name}-${process.pid}.mjs`);
  written.add(file);
  await build({
    input: resolve(ROOT, SNIPPETS[name]),
    platform,
    logLevel: 'silent',
    external: ['express', 'ioredis'],
    resolve: {
      alias: {
        'pathors-chat/proxy/durable-object': resolve(ROOT, 'src/proxy/durable-object.ts'),
        'pathors-chat/proxy/redis': resolve(ROOT, 'src/proxy/redis.ts'),
        'pathors-chat/proxy': resolve(ROOT, 'src/proxy/index.ts'),
      },
    },
    output: { file, format: 'esm' },
    write: true,
  });
  return file;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

/** Polls `${base}/health` until it answers 200; fails early, with the output, if the process died. */
async function waitHealthy(
  runtime: string,
  base: string,
  child: ChildProcess | undefined,
  output: () => string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: number | null | undefined;
  child?.once('exit', (code) => {
    exited = code;
  });
  while (Date.now() < deadline) {
    if (exited !== undefined) throw new Error(`${runtime} could not start the proxy (exit ${exited}):\n${output()}`);
    try {
      const response = await fetch(`${base}/health`);
      if (response.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`${runtime} did not answer ${base}/health within ${timeoutMs} ms:\n${output()}`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

async function runProcess(
  runtime: string,
  command: string,
  args: string[],
  env: SnippetEnv & { REDIS_URL?: string },
  basePath: string,
): Promise<Running> {
  const port = await freePort();
  let output = '';
  let child: ChildProcess;
  try {
    child = spawn(command, args, {
      cwd: OUT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        ...env,
        PORT: String(port),
        NO_COLOR: '1',
        DENO_NO_UPDATE_CHECK: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    throw new Error(`${runtime} could not be started (${command}): ${String(error)}`, { cause: error });
  }
  const spawnFailed = new Promise<never>((_, reject) =>
    child.once('error', (error) => reject(new Error(`${runtime} could not be started (${command}): ${error.message}`))),
  );
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const base = `http://127.0.0.1:${port}${basePath}`;
  try {
    await Promise.race([waitHealthy(runtime, base, child, () => output), spawnFailed]);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return { base, stop: () => stopChild(child) };
}

/** The Express snippet under Node, as its own process. */
export async function startExpress(env: SnippetEnv): Promise<Running> {
  const file = await bundleSnippet('express', 'node');
  return runProcess('Node (Express)', process.execPath, [file], env, '/api/chat');
}

/** The Redis snippet under Node: a node:http server whose limits live in Redis at `REDIS_URL`. */
export async function startRedisSnippet(env: SnippetEnv & { REDIS_URL: string }): Promise<Running> {
  const file = await bundleSnippet('redis', 'node');
  return runProcess('Node (Redis snippet)', process.execPath, [file], env, '');
}

export async function startBun(env: SnippetEnv): Promise<Running> {
  const file = await bundleSnippet('bun', 'neutral');
  return runProcess('Bun', resolve(BIN, 'bun'), [file], env, '');
}

export async function startDeno(env: SnippetEnv): Promise<Running> {
  const file = await bundleSnippet('deno', 'neutral');
  return runProcess(
    'Deno',
    resolve(BIN, 'deno'),
    ['run', '--no-config', '--no-lock', '--allow-net', '--allow-env', file],
    env,
    '',
  );
}

/**
 * The serverless route module, served the way a platform serves it: each request goes, as a
 * `Request` with the full URL, to the export named by its method.
 */
export async function startServerless(env: SnippetEnv): Promise<Running> {
  const file = await bundleSnippet('serverless', 'node');
  const saved = Object.entries(env).map(([name]) => [name, process.env[name]] as const);
  Object.assign(process.env, env);
  let route: Record<string, ((request: Request) => Promise<Response>) | undefined>;
  try {
    // A fresh URL per run: the module reads its environment once, at import.
    route = (await import(`${file}?t=${Date.now()}`)) as typeof route;
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
  const { toNodeHandler } = await import('../../src/proxy/node-handler.js');
  const dispatch = async (request: Request): Promise<Response> => {
    const handler = route[request.method];
    return handler ? handler(request) : new Response(null, { status: 405 });
  };
  const server = createServer(toNodeHandler(dispatch));
  const port = await freePort();
  await new Promise<void>((done) => server.listen(port, '127.0.0.1', done));
  const base = `http://127.0.0.1:${port}/api/chat`;
  await waitHealthy('Node (serverless route)', base, undefined, () => '');
  return {
    base,
    stop: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

/** The Worker snippet on workerd, through Miniflare's API, with its Durable Object store bound. */
export async function startWorkerd(env: SnippetEnv): Promise<Running> {
  const file = await bundleSnippet('workers', 'neutral');
  let Miniflare: typeof import('miniflare').Miniflare;
  try {
    ({ Miniflare } = await import('miniflare'));
  } catch (error) {
    throw new Error(`workerd (Miniflare) could not be loaded: ${String(error)}`, { cause: error });
  }
  const port = await freePort();
  const mf = new Miniflare({
    modules: true,
    scriptPath: file,
    compatibilityDate: '2025-09-01',
    host: '127.0.0.1',
    port,
    bindings: { ...env },
    durableObjects: { PATHORS_RATE_LIMITER: 'PathorsRateLimiter' },
  });
  try {
    await mf.ready;
    await waitHealthy('workerd (Miniflare)', `http://127.0.0.1:${port}`, undefined, () => '');
  } catch (error) {
    await mf.dispose().catch(() => undefined);
    throw new Error(
      `workerd (Miniflare) could not start the Worker: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  return { base: `http://127.0.0.1:${port}`, stop: () => mf.dispose() };
}

/**
 * The `pathors-chat-proxy` command bundled from src (Node 20 cannot run TypeScript), inside
 * the repository so its optional `ioredis` import resolves from node_modules.
 */
export async function bundleCli(): Promise<string> {
  mkdirSync(OUT, { recursive: true });
  const file = resolve(OUT, `cli-${process.pid}.mjs`);
  written.add(file);
  await build({
    input: resolve(ROOT, 'src/proxy/cli.ts'),
    platform: 'node',
    logLevel: 'silent',
    output: { file, format: 'esm', inlineDynamicImports: true },
    write: true,
  });
  return file;
}

export interface CliProcess {
  url: string;
  /** Everything it printed so far. */
  output(): string;
  stop(): Promise<void>;
}

/** Runs the bundled command with `env` on a free port; resolves once it listens. */
export async function startCli(file: string, env: Record<string, string>): Promise<CliProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [file], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitHealthy('pathors-chat-proxy', url, child, () => output);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return { url, output: () => output, stop: () => stopChild(child) };
}
