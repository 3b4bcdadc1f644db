#!/usr/bin/env node
/**
 * `npx pathors-chat-proxy`: the proxy as a command, configured from the environment (see
 * USAGE in env.ts). Bad configuration stops it before it listens, every problem named by its
 * variable. SIGTERM stops it gracefully: no new requests, running streams may finish.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ENV_FOR_OPTION, EnvConfigError, FAULT_MARKERS_HELP, USAGE, configFromEnv } from './env.js';
import type { CliConfig, EnvReadOptions, LogFormat } from './env.js';
import { createPathorsProxy } from './handler.js';
import type { PathorsProxy } from './handler.js';
import { startHealthPort } from './health-port.js';
import type { HealthPort } from './health-port.js';
import { scrub } from './log.js';
import type { ProxyLogEvent } from './log.js';
import { LISTEN_BACKLOG, behindProxies, guardServer } from './node.js';
import { createNodeFetch } from './node-fetch.js';
import { toNodeHandler } from './node-handler.js';
import { serverUrl } from './server-url.js';
import { ProxyOptionsError } from './options.js';

const NAME = 'pathors-chat-proxy';
let apiKey = process.env.PATHORS_API_KEY?.trim();
let logFormat: LogFormat = process.env.PATHORS_LOG_FORMAT?.trim().toLowerCase() === 'json' ? 'json' : 'text';

// Belt and braces: no line this command prints can carry the key, whatever produced it.
function write(stream: NodeJS.WriteStream, text: string): void {
  stream.write(`${apiKey ? scrub(text, apiKey) : text}\n`);
}

/** One operator-facing line: plain text, or a JSON object for log shippers. */
function say(
  level: 'info' | 'warn' | 'error',
  type: string,
  message: string,
  fields: Record<string, unknown> = {},
): void {
  const stream = level === 'info' ? process.stdout : process.stderr;
  if (logFormat === 'json')
    write(stream, JSON.stringify({ time: new Date().toISOString(), level, type, message, ...fields }));
  else write(stream, level === 'info' ? message : `${NAME}: ${message}`);
}

function logEvent(event: ProxyLogEvent): void {
  if (logFormat === 'json') {
    const level = event.type === 'request' || event.type === 'refusal' ? 'info' : 'error';
    write(
      level === 'info' ? process.stdout : process.stderr,
      JSON.stringify({ time: new Date().toISOString(), level, ...event }),
    );
  } else if (event.type === 'request') {
    write(
      process.stdout,
      `${event.method} ${event.path} ${event.status} ${event.durationMs}ms${event.clientIp ? ` ${event.clientIp}` : ''}`,
    );
  } else if (event.type !== 'refusal') {
    write(process.stderr, `${event.type}: ${event.message}`);
  }
}

interface Closer {
  close(): Promise<unknown>;
}

async function startFake(): Promise<{ fake: NonNullable<EnvReadOptions['fake']>; closer: Closer }> {
  const { startFakeUpstream } = await import('../testing/index.js');
  // Typing speed, so a site sees its widget stream.
  const upstream = await startFakeUpstream({ tokenDelayMs: 30 });
  return {
    fake: {
      apiKey: upstream.apiKey,
      projectId: upstream.projectId,
      url: upstream.url,
      sessionSecret: randomBytes(32).toString('hex'),
    },
    closer: upstream,
  };
}

async function sharedStore(
  config: CliConfig,
  closers: Closer[],
): Promise<{ wrap: (proxy: PathorsProxy) => PathorsProxy }> {
  if (!config.redis) return { wrap: (proxy) => proxy };
  const { RedisRateLimitStore, createRedisClient, withStoreHealth } = await import('./redis.js');
  const client = await createRedisClient(config.redis.url, { commandTimeoutMs: config.redis.timeoutMs });
  closers.push({ close: async () => client.disconnect() });
  // Wait briefly for the first connection; a Redis that is down at start is an outage like any other.
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 3000);
    client.on('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  const store = new RedisRateLimitStore({
    client,
    failMode: config.redis.failMode,
    timeoutMs: config.redis.timeoutMs,
    warn: (message) => say('warn', 'store', message),
  });
  config.server.store = store;
  if (client.status !== 'ready') await store.check();
  return { wrap: (proxy) => withStoreHealth(proxy, store) };
}

function listenError(error: unknown, host: string, port: number, variable = 'PORT'): string | undefined {
  const code = (error as { code?: unknown }).code;
  if (code === 'EADDRINUSE')
    return `cannot listen on ${host}:${port}: port ${port} is already in use. Stop what holds it, or set ${variable} to another port.`;
  if (code === 'EACCES')
    return `cannot listen on ${host}:${port}: permission denied (ports below 1024 need privileges). Set ${variable} to a port above 1023.`;
  if (code === 'EADDRNOTAVAIL')
    return `cannot listen on ${host}:${port}: ${host} is not an address of this machine. Check HOST.`;
  return undefined;
}

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    write(process.stdout, USAGE);
    return 0;
  }
  const unknown = argv.find((arg) => arg !== '--fake');
  if (unknown !== undefined) {
    write(
      process.stderr,
      `${NAME}: unknown argument ${JSON.stringify(unknown)}; it is configured from the environment.\n\n${USAGE}`,
    );
    return 2;
  }
  const closers: Closer[] = [];
  const closeAll = () =>
    Promise.allSettled(
      closers
        .splice(0)
        .reverse()
        .map((closer) => closer.close()),
    );

  let config: CliConfig;
  let handler: PathorsProxy;
  try {
    let fake: EnvReadOptions['fake'];
    if (argv.includes('--fake')) {
      const started = await startFake();
      fake = started.fake;
      closers.push(started.closer);
    }
    config = configFromEnv(process.env, { fake, readFile: (path) => readFileSync(path, 'utf8') });
    apiKey = config.server.apiKey;
    logFormat = config.logFormat;
    const { wrap } = await sharedStore(config, closers);
    const { host: _host, port: _port, healthPort: _healthPort, ...proxyOptions } = config.server;
    // Upstream over node:http: its bodies pipe socket to socket (see node-fetch.ts).
    handler = wrap(createPathorsProxy({ ...proxyOptions, fetch: createNodeFetch(), log: logEvent }));
    if (fake) {
      say(
        'info',
        'fake',
        `--fake: a fake Pathors upstream runs at ${fake.url} (no key needed; nothing leaves this machine).`,
        { upstream: fake.url },
      );
      if (logFormat === 'text') write(process.stdout, FAULT_MARKERS_HELP);
    }
  } catch (error) {
    await closeAll();
    if (error instanceof EnvConfigError) {
      const count = error.problems.length;
      say(
        'error',
        'config',
        `${count} configuration ${count === 1 ? 'problem' : 'problems'}:\n${error.problems.map((p) => `  ${p.variable} ${p.message}`).join('\n')}\nRun ${NAME} --help for the configuration.`,
        { problems: error.problems },
      );
      return 1;
    }
    if (error instanceof ProxyOptionsError) {
      const variable = ENV_FOR_OPTION[error.option];
      say('error', 'config', variable ? `${variable} ${error.problem}` : error.message);
      return 1;
    }
    throw error;
  }

  const { host = '127.0.0.1', port = 8787 } = config.server;
  const nodeHandler = toNodeHandler(handler);
  const open = new Set<ServerResponse>();
  let stopping = false;
  // Silent and headerless connections are closed, and each client address gets a capped number
  // (not behind a proxy of yours, where every connection comes from its address).
  const server = guardServer(
    createServer((req, res) => {
      open.add(res);
      res.on('close', () => open.delete(res));
      // A request that slipped in on a kept-alive connection while stopping is served, then the connection closes.
      if (stopping) res.setHeader('Connection', 'close');
      nodeHandler(req, res);
    }),
    { maxConnectionsPerIp: behindProxies(config.server) ? false : undefined },
  );
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port, host, backlog: LISTEN_BACKLOG }, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await closeAll();
    const message = listenError(error, host, port);
    if (message) {
      say('error', 'listen', message, { host, port });
      return 1;
    }
    throw error;
  }
  const url = serverUrl(server.address() as AddressInfo);
  const { healthPort } = config.server;
  let health: HealthPort | undefined;
  if (healthPort !== undefined) {
    try {
      health = await startHealthPort(handler, { host, port: healthPort, basePath: config.server.basePath });
    } catch (error) {
      server.close();
      await closeAll();
      const message = listenError(error, host, healthPort, 'PATHORS_HEALTH_PORT');
      if (message) {
        say('error', 'listen', message, { host, port: healthPort });
        return 1;
      }
      throw error;
    }
  }
  // Only once both listen: a command that then exits 1 never said it was up.
  say('info', 'listening', `${NAME} listening on ${url}`, { url });
  if (health) say('info', 'listening', `GET /health also on ${health.url}/health`, { healthUrl: health.url });

  const stop = (signal: string) => {
    if (stopping) {
      // A second signal: the operator wants out now.
      process.exit(1);
    }
    stopping = true;
    const running = open.size;
    say(
      'info',
      'shutdown',
      `${signal}: no new requests; ${running} running ${running === 1 ? 'request' : 'requests'} may finish within ${config.shutdownTimeoutMs / 1000} s.`,
      { signal, running },
    );
    // Stops listening and closes idle kept-alive connections; busy ones close after their response.
    server.close();
    // So that the load balancer stops sending visitors while the running streams finish.
    void health?.close();
    const deadline = setTimeout(() => {
      say(
        'warn',
        'shutdown',
        `${open.size} ${open.size === 1 ? 'request' : 'requests'} still running after ${config.shutdownTimeoutMs / 1000} s; closing ${open.size === 1 ? 'it' : 'them'}.`,
        { cut: open.size },
      );
      server.closeAllConnections();
    }, config.shutdownTimeoutMs);
    const poll = setInterval(() => {
      if (open.size > 0) return;
      clearInterval(poll);
      clearTimeout(deadline);
      void closeAll().then(() => {
        say('info', 'shutdown', 'stopped.');
        process.exit(0);
      });
    }, 50);
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  return -1;
}

main(process.argv.slice(2)).then(
  (status) => {
    if (status >= 0) process.exitCode = status;
  },
  (error: unknown) => {
    say('error', 'internal', error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  },
);
