// Time to first token straight from the fake upstream, and through the proxy in
// front of it, measured in the same run, interleaved, on loopback.
import { startProxyServer } from '../dist/proxy/index.js';
import { startFakeUpstream } from '../dist/testing/index.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 150);
const fake = await startFakeUpstream();
const proxy = await startProxyServer({
  apiKey: fake.apiKey, projectId: fake.projectId, upstream: fake.url, port: 0,
  sessionSecret: 'bench-session-secret-0123456789abcdef', allowedOrigins: [],
  rateLimit: { perIp: false, perSession: false },
});

const body = JSON.stringify({ messages: [{ role: 'user', content: 'hello' }], stream: true });

/** Milliseconds from sending the POST to the first byte of the first chunk, and to the end. */
async function time(url, headers) {
  const start = performance.now();
  const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body });
  const reader = response.body.getReader();
  const first = await reader.read();
  const ttft = performance.now() - start;
  if (first.done) throw new Error(`no body (${response.status})`);
  while (!(await reader.read()).done);
  return { ttft, total: performance.now() - start };
}

// A conversation under way: the session already exists (a new one costs one upstream create).
const session = (await fetch(`${proxy.url}/sessions`, { method: 'POST' })).headers.get('X-Session-ID');
const direct = { ttft: [], total: [] };
const proxied = { ttft: [], total: [] };
let request = 0;
// Warm both paths (connection pools, JIT) before measuring.
for (let round = -10; round < ROUNDS; round++) {
  const a = await time(fake.v1ChatCompletionsUrl, { Authorization: `Bearer ${fake.apiKey}` });
  const b = await time(`${proxy.url}/chat/completions`,
    { 'X-Request-ID': `bench-${request++}-${Date.now()}`, 'X-Session-ID': session });
  if (round < 0) continue;
  direct.ttft.push(a.ttft); direct.total.push(a.total);
  proxied.ttft.push(b.ttft); proxied.total.push(b.total);
}
await proxy.close();
await fake.close();

const median = (values) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];
const p95 = (values) => [...values].sort((x, y) => x - y)[Math.floor(values.length * 0.95)];
const row = (name, values) => `${name.padEnd(26)} median ${median(values).toFixed(2).padStart(6)} ms   p95 ${p95(values).toFixed(2).padStart(6)} ms`;
console.log(`\nproxy: time to first token, ${ROUNDS} streamed requests each, interleaved, loopback`);
console.log(row('direct to upstream', direct.ttft));
console.log(row('through the proxy', proxied.ttft));
console.log(`added by the proxy: ${(median(proxied.ttft) - median(direct.ttft)).toFixed(2)} ms median `
  + `(ratio ${(median(proxied.ttft) / median(direct.ttft)).toFixed(2)}x against a zero-latency upstream; `
  + 'a real agent takes hundreds of ms to its first token)');
console.log(row('whole reply, direct', direct.total));
console.log(row('whole reply, proxy', proxied.total));
