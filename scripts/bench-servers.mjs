// A server the proxy benchmark runs in a process of its own, so that its RSS and CPU time can be
// read from outside and the load generator does not share its event loop:
//   BENCH_SETTINGS='{"reply":"..."}' node scripts/bench-servers.mjs upstream   the fake Pathors upstream
//   BENCH_SETTINGS='{"upstream":"http://..."}' node scripts/bench-servers.mjs proxy   the real proxy from dist/
// It sends `{ url, ... }` over IPC once listening, and closes on the message 'stop'.
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
    sessionSecret: 'bench-session-secret-0123456789abcdef',
    allowedOrigins: [],
    // One client IP sends every request here: the limits have their own tests.
    rateLimit: { perIp: false, perSession: false },
  });
  server = proxy;
  process.send({ url: proxy.url });
} else {
  throw new Error(`unknown role ${role}`);
}

process.on('message', async (message) => {
  if (message !== 'stop') return;
  await server.close();
  process.exit(0);
});
// The parent died without saying stop: do not outlive it.
process.on('disconnect', () => process.exit(0));
