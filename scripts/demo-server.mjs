// The demo's server: static demo pages and dist/, and the proxy mounted at /pathors,
// all on one origin (the setup the README recommends for production too).
// Used by `npm run demo` and by the tests that open the demo in Chromium.
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPathorsProxy, toNodeHandler } from '../dist/proxy/index.js';
import { startFakeUpstream } from '../dist/testing/index.js';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json; charset=utf-8',
  '.ico': 'image/x-icon',
};
/** Served folders: URL prefix -> folder under the project. */
const MOUNTS = [
  ['/dist/', 'dist'],
  ['/react19/', 'dist/demo/react19'],
  ['/vue/', 'dist/demo/vue'],
  ['/', 'demo'],
];
/** A fixed secret is fine for the fake upstream, which only ever runs on loopback. */
const FAKE_SESSION_SECRET = 'demo-only-secret-for-the-fake-upstream-0000';

/**
 * @param {{ host?: string, port?: number,
 *   upstream: { fake: { tokenDelayMs?: number } } | { apiKey: string, projectId: string, baseUrl?: string, sessionSecret: string },
 *   handle?: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse, path: string) => boolean }} options
 *   `handle` answers a request before the demo's own routes when it returns true (a test serves
 *   a page with its own headers, such as a strict CSP, this way).
 */
export async function startDemoServer({ host = '127.0.0.1', port = 5173, upstream, handle }) {
  const fake =
    'fake' in upstream ? await startFakeUpstream({ tokenDelayMs: upstream.fake.tokenDelayMs ?? 25 }) : undefined;
  const server = createServer();
  let origins = [];
  const proxy = toNodeHandler(
    createPathorsProxy({
      apiKey: fake ? fake.apiKey : upstream.apiKey,
      projectId: fake ? fake.projectId : upstream.projectId,
      upstream: fake ? fake.url : upstream.baseUrl || undefined,
      sessionSecret: fake ? FAKE_SESSION_SECRET : upstream.sessionSecret,
      allowedOrigins: (origin) => origins.includes(origin),
      basePath: '/pathors',
    }),
  );
  server.on('request', (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://demo').pathname);
    if (handle?.(req, res, path)) return;
    if (path === '/pathors' || path.startsWith('/pathors/')) {
      proxy(req, res);
      return;
    }
    serveStatic(path, req, res);
  });
  await new Promise((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolveListen(undefined));
  });
  const bound = server.address().port;
  origins = [`http://${host}:${bound}`, `http://localhost:${bound}`, `http://127.0.0.1:${bound}`];
  return {
    url: `http://${host}:${bound}`,
    fake,
    close: async () => {
      server.closeAllConnections();
      await new Promise((done) => server.close(() => done(undefined)));
      await fake?.close();
    },
  };
}

function serveStatic(path, req, res) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    return;
  }
  for (const [prefix, folder] of MOUNTS) {
    if (!path.startsWith(prefix)) continue;
    const base = join(root, folder);
    let file = normalize(join(base, path.slice(prefix.length)));
    if (!file.startsWith(base)) break;
    try {
      if (statSync(file).isDirectory()) file = join(file, 'index.html');
      statSync(file);
    } catch {
      continue;
    }
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Cache-Control': 'no-cache',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
    return;
  }
  res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found');
}
