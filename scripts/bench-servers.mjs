// A server the proxy benchmark runs in a process of its own, so that its RSS and CPU time can be
// read from outside and the load generator does not share its event loop:
//   BENCH_SETTINGS='{"reply":"..."}' node scripts/bench-servers.mjs upstream   the fake Pathors upstream
//   BENCH_SETTINGS='{"upstream":"http://..."}' node scripts/bench-servers.mjs proxy   the real proxy from dist/
//   BENCH_SETTINGS='{"upstream":"http://..."}' node scripts/bench-servers.mjs node-relay   a bare node:http relay
// It sends `{ url, ... }` over IPC once listening, and closes on the message 'stop'.
import { Agent, createServer, request } from 'node:http';
import { startProxyServer } from '../dist/proxy/index.js';
import { startFakeUpstream } from '../dist/testing/index.js';

const role = process.argv[2];
const settings = JSON.parse(process.env.BENCH_SETTINGS ?? '{}');
const API_KEY = 'sk_bench_key';
const PROJECT_ID = 'proj_bench';

let server;
if (role === 'upstream') {
  // Every message gets the same reply, so a client can check each stream byte for byte.
  const fake = await startFakeUpstream({
    apiKey: API_KEY,
    projectId: PROJECT_ID,
    script: [{ match: () => true, reply: settings.reply }],
  });
  server = fake;
  process.send({ url: fake.url, chatUrl: fake.v1ChatCompletionsUrl, apiKey: API_KEY });
} else if (role === 'proxy') {
  const proxy = await startProxyServer({
    apiKey: API_KEY,
    projectId: PROJECT_ID,
    upstream: settings.upstream,
    port: 0,
    // Probes of /health go to its own thread, as a deployment's load balancer would be told to.
    healthPort: 0,
    sessionSecret: 'bench-session-secret-0123456789abcdef',
    allowedOrigins: [],
    // One client IP sends every request here: the limits have their own tests.
    rateLimit: { perIp: false, perSession: false },
    // A row that breaks says why: upstream and stream failures go to stderr (requests do not).
    log: (event) => {
      if (event.type !== 'request' && event.type !== 'refusal') console.error(`[bench proxy] ${JSON.stringify(event)}`);
    },
  });
  server = proxy;
  process.send({ url: proxy.url, healthUrl: proxy.healthUrl });
} else if (role === 'node-relay') {
  server = await startNodeRelay(settings.upstream);
  process.send({ url: server.url });
} else {
  throw new Error(`unknown role ${role}`);
}

/**
 * The floor for any relay written on node:http: the request read whole and sent upstream over a
 * keep-alive agent, the reply written to the client chunk by chunk as it arrives, and nothing
 * else (no checks, no sessions, no Fetch objects). What the proxy adds over it is the proxy's
 * own cost; what it adds over nginx is Node's.
 */
async function startNodeRelay(upstreamUrl) {
  const upstream = new URL(upstreamUrl);
  const agent = new Agent({ keepAlive: true });
  const relay = createServer((req, res) => {
    if (req.url === '/health') {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');
      return;
    }
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const headers = { 'Content-Type': 'application/json', 'Content-Length': body.length };
      for (const name of ['authorization', 'x-session-id']) if (req.headers[name]) headers[name] = req.headers[name];
      const call = request(
        { host: upstream.hostname, port: upstream.port, path: req.url, method: 'POST', agent, headers },
        (reply) => {
          res.writeHead(reply.statusCode, { 'Content-Type': reply.headers['content-type'] });
          res.flushHeaders();
          reply.on('data', (chunk) => {
            if (!res.write(chunk)) reply.pause();
          });
          res.on('drain', () => reply.resume());
          reply.on('end', () => res.end());
          reply.on('error', () => res.destroy());
        },
      );
      call.on('error', () => res.destroy());
      // The client left mid-reply: stop the upstream call, as the proxy does.
      res.on('close', () => {
        if (!res.writableEnded) call.destroy();
      });
      call.end(body);
    });
  });
  await new Promise((resolve) => relay.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve));
  return {
    url: `http://127.0.0.1:${relay.address().port}`,
    close: () =>
      new Promise((resolve) => {
        relay.close(() => resolve());
        relay.closeAllConnections();
        agent.destroy();
      }),
  };
}

process.on('message', async (message) => {
  if (message !== 'stop') return;
  await server.close();
  process.exit(0);
});
// The parent died without saying stop: do not outlive it.
process.on('disconnect', () => process.exit(0));
