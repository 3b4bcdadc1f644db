// Types only at module scope: index.ts re-exports this file, and a Workers bundle must not need node:http.
import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createPathorsProxy } from './handler.js';
import { startHealthPort } from './health-port.js';
import type { HealthPort } from './health-port.js';
import { createNodeFetch } from './node-fetch.js';
import { toNodeHandler } from './node-handler.js';
import type { PathorsProxyOptions } from './options.js';
import { serverUrl } from './server-url.js';

export interface ServerGuardOptions {
  /**
   * A connection that has not sent a complete request head within this time is closed; this
   * covers connections that send nothing at all, which node:http alone keeps open forever.
   * Default 10000.
   */
  headersTimeoutMs?: number;
  /** The whole request (head and body) must arrive within this time; the response may stream for longer. Default 30000. */
  requestTimeoutMs?: number;
  /** An idle keep-alive connection is closed after this time. Default 5000. */
  keepAliveTimeoutMs?: number;
  /**
   * Open connections allowed from one peer address; past it, new ones are closed at once.
   * Default 64, and off when `trustProxy` or `clientIp` is set (visitors come through proxies
   * of yours). `false` turns it off: do so behind a load balancer on another host, whose one
   * address carries every visitor.
   */
  maxConnectionsPerIp?: number | false;
  /** Peers the cap never applies to. Default: loopback (a reverse proxy on the same host). */
  exemptFromCap?: (address: string) => boolean;
}

/**
 * Whether visitors reach this server through proxies of the site's (it trusts their
 * X-Forwarded-For, or reads the client's address its own way): then one peer address carries
 * every visitor, and a per-address connection cap would cap them all.
 */
export function behindProxies(options: Pick<PathorsProxyOptions, 'trustProxy' | 'clientIp'>): boolean {
  return Boolean(options.trustProxy || options.clientIp);
}

export const SERVER_GUARD_DEFAULTS = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnectionsPerIp: 64,
} as const;

/**
 * Connections the kernel holds for the proxy to accept while it is busy (Node's default is 511;
 * Linux caps it at net.core.somaxconn). Past it, a new connection's SYN is dropped and its client
 * tries again only a second later, then three, then seven: a burst of a thousand visitors would
 * leave a load balancer's health probe waiting seconds.
 */
export const LISTEN_BACKLOG = 4096;

function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

/**
 * Closes connections that hold a file descriptor without using it, and caps them per peer.
 * `startProxyServer` applies it to its own server; when the proxy is mounted in Express or
 * Connect the site owns the server, so apply it there: `guardServer(app.listen(3000))`.
 */
export function guardServer<T extends Server>(server: T, options: ServerGuardOptions = {}): T {
  const headersTimeoutMs = options.headersTimeoutMs ?? SERVER_GUARD_DEFAULTS.headersTimeoutMs;
  const requestTimeoutMs = Math.max(
    options.requestTimeoutMs ?? SERVER_GUARD_DEFAULTS.requestTimeoutMs,
    headersTimeoutMs,
  );
  server.headersTimeout = headersTimeoutMs;
  server.requestTimeout = requestTimeoutMs;
  server.keepAliveTimeout = options.keepAliveTimeoutMs ?? SERVER_GUARD_DEFAULTS.keepAliveTimeoutMs;
  // How often node:http checks the two timeouts above (default 30 s, far too coarse for them).
  (server as { connectionsCheckingInterval?: number }).connectionsCheckingInterval = Math.min(1000, headersTimeoutMs);

  const cap = options.maxConnectionsPerIp ?? SERVER_GUARD_DEFAULTS.maxConnectionsPerIp;
  const exempt = options.exemptFromCap ?? isLoopback;
  const open = new Map<string, number>();
  const awaitFirstBytes = (socket: Socket) => {
    // node:http times out a request head only once its first byte arrived (then its own
    // headersTimeout runs): a silent connection is ours to close. Not the first 'request': an
    // upgraded connection (a WebSocket of the site's) never has one.
    const timer = setTimeout(() => socket.destroy(), headersTimeoutMs);
    timer.unref();
    socket.once('data', () => clearTimeout(timer));
    socket.once('close', () => clearTimeout(timer));
  };
  // Over TLS the handshake has its own timeout, and the request comes on the TLS socket: timed
  // from the end of the handshake, on that socket.
  const tls = 'setSecureContext' in server;
  if (tls) server.on('secureConnection', awaitFirstBytes);
  server.on('connection', (socket: Socket) => {
    if (!tls) awaitFirstBytes(socket);
    const address = socket.remoteAddress;
    if (cap === false || address === undefined || exempt(address)) return;
    const count = open.get(address) ?? 0;
    if (count >= cap) {
      socket.destroy();
      return;
    }
    open.set(address, count + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    });
  });
  return server;
}

export interface ProxyServerOptions extends PathorsProxyOptions, ServerGuardOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 8787; 0 picks a free port. */
  port?: number;
  /**
   * Also answer `GET /health` on this port (same host), from a thread of its own: in milliseconds
   * even while the proxy relays a burst of streams. Point a load balancer's probe here. Default off.
   */
  healthPort?: number;
}

export interface ProxyServer {
  /** `http://host:port`, with the port actually bound. */
  url: string;
  /** The health port's `http://host:port`, when `healthPort` was given. */
  healthUrl?: string;
  close(): Promise<void>;
}

/** Starts the proxy on its own node:http server, as the CLI and the demo do. */
export async function startProxyServer(options: ProxyServerOptions): Promise<ProxyServer> {
  const {
    host = '127.0.0.1',
    port = 8787,
    healthPort,
    headersTimeoutMs,
    requestTimeoutMs,
    keepAliveTimeoutMs,
    maxConnectionsPerIp,
    exemptFromCap,
    ...proxyOptions
  } = options;
  // Upstream over node:http unless the site brings its own fetch: its bodies pipe socket to socket.
  const proxy = createPathorsProxy({ ...proxyOptions, fetch: proxyOptions.fetch ?? createNodeFetch() });
  const handler = toNodeHandler(proxy);
  // Not `import 'node:http'`: index.ts re-exports this module, and edge bundlers (wrangler's
  // esbuild) fail on any node:http import, even a dynamic one. getBuiltinModule is Node >= 20.16.
  const { createServer } = process.getBuiltinModule('node:http');
  const server = guardServer(
    createServer((req, res) => handler(req, res)),
    {
      headersTimeoutMs,
      requestTimeoutMs,
      keepAliveTimeoutMs,
      maxConnectionsPerIp: maxConnectionsPerIp ?? (behindProxies(proxyOptions) ? false : undefined),
      exemptFromCap,
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, backlog: LISTEN_BACKLOG }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const close = () =>
    new Promise<void>((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
      server.closeAllConnections();
    });
  let health: HealthPort | undefined;
  try {
    if (healthPort !== undefined)
      health = await startHealthPort(proxy, { host, port: healthPort, basePath: proxyOptions.basePath });
  } catch (error) {
    await close();
    throw error;
  }
  return {
    url: serverUrl(server.address() as AddressInfo),
    ...(health ? { healthUrl: health.url } : {}),
    close: async () => {
      await health?.close();
      await close();
    },
  };
}
