// Rows 3 and 4: the proxy against the upstream directly, against nginx in front of it, and against
// a bare node:http relay (the floor for any relay on Node: what is left over it is the proxy's own).
//   3. time to first token and to the last byte, p50 and p99, requests interleaved;
//   4. a burst of concurrent streams: every chunk and [DONE] arrived (checked per stream), errors,
//      the relay's RSS and CPU seconds, and /health latency during the burst.
// The fake upstream and the proxy each run in a process of their own (bench-servers.mjs).
import { fork } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { splitIntoTokens } from '../dist/testing/index.js';
import { findNginx, startNginx } from './bench-nginx.mjs';
import { median, mb, ms, outcome, p99, processTree, ratio, table, usage } from './bench-lib.mjs';

/** A reply of about `bytes` characters: markdown prose, like an agent's answer. */
function replyText(bytes) {
  const sentences = [
    'The **refund** takes five working days.',
    'Open `Settings` then *Billing* to see it.',
    'Ask again if the amount looks wrong; we check every case.',
    'Here is a [guide](https://example.com/r).',
  ];
  let text = '';
  for (let i = 0; text.length < bytes; i++) text += `${sentences[i % sentences.length]} `;
  return text.trim();
}

/** The reference row with no proxy logic at all: node:http in, node:http out (bench-servers.mjs). */
const NODE_RELAY = 'node:http relay';

function startChild(role, settings, { profileDir } = {}) {
  // Settings through the environment: a reply in argv would fill every `ps` line.
  const child = fork(new URL('./bench-servers.mjs', import.meta.url), [role], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
    env: { ...process.env, BENCH_SETTINGS: JSON.stringify(settings) },
  });
  return new Promise((resolve, reject) => {
    child.once('message', (info) => resolve({ ...info, pid: child.pid, stop: () => stopChild(child) }));
    child.once('exit', (code) => reject(new Error(`${role} exited (${code}) before listening`)));
  });
}

async function stopChild(child) {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.send('stop');
  await Promise.race([exited, sleep(5000)]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

/**
 * One streamed chat request over node:http: times to the first `data:` byte and to the end,
 * and what arrived (the joined deltas, the chunk count, whether `[DONE]` came).
 */
function stream(url, { headers, body, agent }) {
  return new Promise((resolve) => {
    const start = performance.now();
    const result = {
      status: 0,
      ttft: Number.NaN,
      total: Number.NaN,
      content: '',
      chunks: 0,
      done: false,
      error: undefined,
    };
    let buffer = '';
    const req = request(
      url,
      { method: 'POST', agent, headers: { 'Content-Type': 'application/json', ...headers } },
      (res) => {
        result.status = res.statusCode;
        res.setEncoding('utf8');
        res.on('data', (text) => {
          if (Number.isNaN(result.ttft)) result.ttft = performance.now() - start;
          buffer += text;
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const event = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            for (const line of event.split('\n')) {
              if (!line.startsWith('data:')) continue;
              const data = line.slice(5).trim();
              if (data === '[DONE]') {
                result.done = true;
                continue;
              }
              try {
                result.content += JSON.parse(data).choices?.[0]?.delta?.content ?? '';
                result.chunks++;
              } catch {
                result.error ??= 'malformed chunk';
              }
            }
          }
        });
        res.on('end', () => {
          result.total = performance.now() - start;
          resolve(result);
        });
        res.on('error', (error) => {
          result.error ??= error.message;
          resolve(result);
        });
      },
    );
    req.on('error', (error) => {
      result.error ??= error.code ?? error.message;
      resolve(result);
    });
    req.end(body);
  });
}

/**
 * Probes `url`/health every 50 ms from a thread of its own (the load generator's busy event loop
 * must not count as the relay's latency): on a fresh connection each time, what a load balancer's
 * probe pays, or with `keepAlive` on one kept-alive connection, which skips the wait to be
 * accepted and so shows the relay's event loop alone. `stop()` resolves with each probe's
 * milliseconds (NaN for a failed one).
 */
function healthProber(url, { keepAlive = false } = {}) {
  const worker = new Worker(
    `
    const { parentPort, workerData } = require('node:worker_threads');
    const { Agent, request } = require('node:http');
    const { setTimeout: sleep } = require('node:timers/promises');
    const agent = workerData.keepAlive ? new Agent({ keepAlive: true, maxSockets: 1 }) : false;
    const probe = () => new Promise((resolve) => {
      const start = performance.now();
      const req = request(workerData.url + '/health', { agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode === 200 ? performance.now() - start : Number.NaN));
      });
      req.on('error', () => resolve(Number.NaN));
      req.end();
    });
    let running = true;
    parentPort.once('message', () => (running = false));
    (async () => {
      const samples = [];
      while (running) {
        samples.push(await probe());
        await sleep(50);
      }
      if (agent) agent.destroy();
      parentPort.postMessage(samples);
    })();
    `,
    { eval: true, workerData: { url, keepAlive } },
  );
  return {
    stop() {
      const samples = new Promise((resolve) => worker.once('message', resolve));
      worker.postMessage('stop');
      return samples.finally(() => worker.terminate());
    },
  };
}

/** Mints `count` proxy sessions (each one a session create upstream), a few at a time. */
async function mintSessions(proxyUrl, count) {
  const ids = new Array(count);
  let next = 0;
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < count) {
        const i = next++;
        ids[i] = await new Promise((resolve, reject) => {
          request(`${proxyUrl}/sessions`, { method: 'POST', agent }, (res) => {
            res.resume();
            res.on('end', () =>
              res.statusCode === 201
                ? resolve(res.headers['x-session-id'])
                : reject(new Error(`POST /sessions: ${res.statusCode}`)),
            );
          })
            .on('error', reject)
            .end();
        });
      }
    }),
  );
  agent.destroy();
  return ids;
}

/**
 * `parts`: which of the two to run (both by default); `profileDir`: where the proxy process writes
 * a V8 CPU profile (`--cpu-prof`) of what it did, to open in Chrome's DevTools.
 */
export async function benchProxy({ short, parts = ['ttft', 'burst'], profileDir }) {
  const sizes = short
    ? { rounds: 20, warmup: 10, streams: 100, replyBytes: 200, delayMs: 5, burstRounds: 1 }
    : { rounds: 200, warmup: 300, streams: 1000, replyBytes: 300, delayMs: 30, burstRounds: 3 };
  const reply = replyText(sizes.replyBytes);
  const expectedChunks = splitIntoTokens(reply).length + 1; // + the closing chunk with finish_reason
  const nginxBinary = findNginx();

  const upstream = await startChild('upstream', { reply });
  const proxy = await startChild('proxy', { upstream: upstream.url }, { profileDir });
  const nodeRelay = await startChild('node-relay', { upstream: upstream.url });
  let nginx;
  let nginxReason = nginxBinary.reason;
  if (nginxBinary.path) {
    try {
      nginx = await startNginx(nginxBinary.path, upstream.url);
    } catch (error) {
      nginxReason = `nginx did not start: ${error.message}`;
    }
  }
  const chatPath = new URL(upstream.chatUrl).pathname;
  const auth = { Authorization: `Bearer ${upstream.apiKey}` };
  let request = 0;
  const requestId = () => `bench-${process.pid}-${request++}`;

  /** The ways to reach the upstream; each builds the request for one stream. */
  const targets = {
    direct: { url: upstream.chatUrl, headers: (session) => ({ ...auth, 'X-Session-ID': session }) },
    proxy: {
      url: `${proxy.url}/chat/completions`,
      headers: (session) => ({ 'X-Session-ID': session, 'X-Request-ID': requestId() }),
    },
    [NODE_RELAY]: {
      url: `${nodeRelay.url}${chatPath}`,
      headers: (session) => ({ ...auth, 'X-Session-ID': session }),
    },
    ...(nginx
      ? { nginx: { url: `${nginx.url}${chatPath}`, headers: (session) => ({ ...auth, 'X-Session-ID': session }) } }
      : {}),
  };
  const relayPids = {
    proxy: () => [proxy.pid],
    [NODE_RELAY]: () => [nodeRelay.pid],
    ...(nginx ? { nginx: () => processTree(nginx.pid) } : {}),
  };
  // The proxy's on its health port; its traffic port's /health is probed too, for comparison.
  const healthUrl = { proxy: proxy.healthUrl, [NODE_RELAY]: nodeRelay.url, ...(nginx ? { nginx: nginx.url } : {}) };

  const results = {};
  try {
    if (parts.includes('ttft'))
      results.ttft = await timeToFirstToken({ sizes, targets, proxyUrl: proxy.url, nginxReason });
    if (parts.includes('burst'))
      results.burst = await burst({
        sizes,
        targets,
        proxyUrl: proxy.url,
        relayPids,
        healthUrl,
        trafficHealthUrl: { proxy: proxy.url },
        reply,
        expectedChunks,
        nginxReason,
        upstreamPid: upstream.pid,
      });
  } finally {
    await proxy.stop();
    await nodeRelay.stop();
    await nginx?.stop();
    await upstream.stop();
  }
  return results;
}

async function timeToFirstToken({ sizes, targets, proxyUrl, nginxReason }) {
  const body = JSON.stringify({ messages: [{ role: 'user', content: 'hello' }], stream: true });
  // A conversation under way has its session; a first message makes the proxy create one upstream.
  const sessions = await mintSessions(proxyUrl, sizes.rounds);
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  const variants = {
    direct: (i) => ({ url: targets.direct.url, headers: targets.direct.headers(`direct-${i}`) }),
    proxy: (i) => ({ url: targets.proxy.url, headers: targets.proxy.headers(sessions[i]) }),
    'proxy, first message': () => ({
      url: targets.proxy.url,
      headers: { 'X-Request-ID': `first-${performance.now()}` },
    }),
    [NODE_RELAY]: (i) => ({ url: targets[NODE_RELAY].url, headers: targets[NODE_RELAY].headers(`node-${i}`) }),
    ...(targets.nginx
      ? { nginx: (i) => ({ url: targets.nginx.url, headers: targets.nginx.headers(`nginx-${i}`) }) }
      : {}),
  };
  const samples = Object.fromEntries(Object.keys(variants).map((name) => [name, { ttft: [], total: [] }]));
  const failures = [];
  // Warm-up rounds first (connection pools, and enough calls for V8 to optimise each path, as on a
  // server that has been up a while: after 10 rounds the proxy's path was still 0.5 ms slower than
  // after 300), then the measured ones, the variants interleaved.
  for (let round = -sizes.warmup; round < sizes.rounds; round++) {
    for (const [name, build] of Object.entries(variants)) {
      const { url, headers } = build((round + sizes.warmup) % sizes.rounds);
      const r = await stream(url, { headers, body, agent });
      if (r.status !== 200 || !r.done || r.error)
        failures.push(`${name}: ${r.status} ${r.error ?? (r.done ? '' : 'no [DONE]')}`);
      if (round < 0) continue;
      samples[name].ttft.push(r.ttft);
      samples[name].total.push(r.total);
    }
  }
  agent.destroy();
  const figures = Object.fromEntries(
    Object.entries(samples).map(([name, s]) => [
      name,
      {
        ttftP50: median(s.ttft),
        ttftP99: p99(s.ttft),
        totalP50: median(s.total),
        totalP99: p99(s.total),
      },
    ]),
  );
  const direct = figures.direct;
  console.log(
    `\n3. proxy: time to first token and to the last byte, ${sizes.rounds} requests each after ${sizes.warmup} to warm up, interleaved, loopback`,
  );
  table([
    ['path', 'first token p50', 'p99', 'added p50', 'last byte p50', 'p99', 'ratio p50'],
    ...Object.entries(figures).map(([name, f]) => [
      name,
      ms(f.ttftP50),
      ms(f.ttftP99),
      name === 'direct' ? '' : ms(f.ttftP50 - direct.ttftP50),
      ms(f.totalP50),
      ms(f.totalP99),
      ratio(f.totalP50, direct.totalP50),
    ]),
  ]);
  if (!targets.nginx) console.log(`  nginx: not measured: ${nginxReason}`);
  const added = (name) => figures[name] && figures[name].ttftP50 - direct.ttftP50;
  if (figures.nginx) {
    console.log(
      `  added time to first token, conversation under way: proxy ${ms(added('proxy'))} against nginx ${ms(added('nginx'))}` +
        ` (${ratio(added('proxy'), added('nginx'))}; target within 2x); a bare node:http relay adds ${ms(added(NODE_RELAY))}`,
    );
  }
  return outcome(failures.length ? 'broken' : 'ok', failures.slice(0, 5).join('; '), {
    rounds: sizes.rounds,
    figures,
    failures: failures.length,
    ...(targets.nginx ? {} : { nginx: outcome('skipped', nginxReason) }),
  });
}

/**
 * One burst of `count` concurrent streams through `target`: each stream's result, the relay's RSS
 * and CPU around it, and the /health probes' milliseconds during it.
 */
async function oneBurst({ count, body, target, headersFor, pids, healthUrl, trafficHealthUrl, upstreamPid }) {
  // Let the last burst's sockets close, so each one starts from the same place.
  await sleep(1000);
  const before = pids && usage(pids);
  const upstreamBefore = usage([upstreamPid]);
  let peak = before?.rss ?? Number.NaN;
  const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
  const prober = healthUrl && healthProber(healthUrl);
  const keptAliveProber = healthUrl && healthProber(healthUrl, { keepAlive: true });
  const trafficProber = trafficHealthUrl && healthProber(trafficHealthUrl);
  let running = true;
  const sampler = (async () => {
    while (running) {
      if (pids) peak = Math.max(peak, usage(pids)?.rss ?? 0);
      await sleep(50);
    }
  })();
  const pending = [];
  // Bounded: all `count` streams open at once, started 50 at a time so the listen backlog holds.
  for (let i = 0; i < count; i++) {
    pending.push(stream(target.url, { headers: target.headers(headersFor(i)), body, agent }));
    if (i % 50 === 49) await sleep(5);
  }
  const streams = await Promise.all(pending);
  running = false;
  await sampler;
  const health = prober ? await prober.stop() : [];
  const keptAlive = keptAliveProber ? await keptAliveProber.stop() : [];
  const trafficHealth = trafficProber ? await trafficProber.stop() : [];
  const atEnd = pids && usage(pids);
  await sleep(2000);
  const after = pids && usage(pids);
  agent.destroy();
  return {
    streams,
    health,
    keptAlive,
    trafficHealth,
    before,
    peak: Math.max(peak, atEnd?.rss ?? 0),
    after,
    cpuSeconds: (atEnd?.cpu ?? Number.NaN) - (before?.cpu ?? Number.NaN),
    upstreamCpuSeconds: (usage([upstreamPid])?.cpu ?? Number.NaN) - (upstreamBefore?.cpu ?? Number.NaN),
  };
}

async function burst({
  sizes,
  targets,
  proxyUrl,
  relayPids,
  healthUrl,
  trafficHealthUrl,
  reply,
  expectedChunks,
  nginxReason,
  upstreamPid,
}) {
  const count = sizes.streams;
  const body = JSON.stringify({
    messages: [{ role: 'user', content: `burst [[delay:${sizes.delayMs}]]` }],
    stream: true,
  });
  const names = Object.keys(targets);
  const runs = Object.fromEntries(names.map((name) => [name, []]));
  // The machine is shared: a row run once, after another, meets another load. Every round runs each
  // path once, in an order rotated by one each round, and the figures pool or take medians over rounds.
  const proxySessions = await mintSessions(proxyUrl, count);
  for (let round = 0; round < sizes.burstRounds; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(k + round) % names.length];
      runs[name].push(
        await oneBurst({
          count,
          body,
          target: targets[name],
          headersFor: (i) => (name === 'proxy' ? proxySessions[i] : `${name}-burst-${round}-${i}-${Date.now()}`),
          pids: relayPids[name]?.(),
          healthUrl: healthUrl[name],
          trafficHealthUrl: trafficHealthUrl[name],
          upstreamPid,
        }),
      );
    }
  }
  const rows = {};
  for (const [name, list] of Object.entries(runs)) {
    const streams = list.flatMap((run) => run.streams);
    const complete = streams.filter(
      (s) => s.status === 200 && s.done && s.content === reply && s.chunks === expectedChunks,
    );
    const errors = streams.filter((s) => s.error || s.status !== 200);
    const health = list.flatMap((run) => run.health);
    const probes = health.filter(Number.isFinite);
    const keptAlive = list.flatMap((run) => run.keptAlive).filter(Number.isFinite);
    const measured = list[0].before !== undefined;
    rows[name] = {
      rounds: list.length,
      streams: streams.length,
      complete: complete.length,
      errors: errors.length,
      firstError: errors[0] && (errors[0].error ?? `HTTP ${errors[0].status}`),
      incomplete: streams.length - complete.length - errors.length,
      // Each round's median, then the median of those: one slow round moves it least.
      streamP50: median(list.map((run) => median(run.streams.map((s) => s.total)))),
      streamP50ByRound: list.map((run) => median(run.streams.map((s) => s.total))),
      streamP99: p99(streams.map((s) => s.total)),
      ttftP50: median(streams.map((s) => s.ttft)),
      ttftP99: p99(streams.map((s) => s.ttft)),
      ...(measured
        ? {
            rssBefore: list[0].before.rss,
            rssPeak: Math.max(...list.map((run) => run.peak)),
            rssPeakByRound: list.map((run) => run.peak),
            rssAfter: list.at(-1).after?.rss,
            cpuSeconds: median(list.map((run) => run.cpuSeconds)),
          }
        : {}),
      upstreamCpuSeconds: median(list.map((run) => run.upstreamCpuSeconds)),
      ...(healthUrl[name]
        ? {
            healthProbes: health.length,
            healthFailed: health.length - probes.length,
            healthP50: median(probes),
            healthP99: p99(probes),
            healthMax: Math.max(...probes),
            healthKeptAliveP99: p99(keptAlive),
            healthKeptAliveMax: Math.max(...keptAlive),
          }
        : {}),
      ...(trafficHealthUrl[name]
        ? { trafficHealthP99: p99(list.flatMap((run) => run.trafficHealth).filter(Number.isFinite)) }
        : {}),
    };
  }
  const nominal = (expectedChunks - 1) * sizes.delayMs;
  console.log(
    `\n4. burst: ${count} concurrent streams (${expectedChunks} chunks each, ${sizes.delayMs} ms apart: ` +
      `${ms(nominal)} each with no load), loopback; ` +
      (sizes.burstRounds === 1
        ? 'one round'
        : `${sizes.burstRounds} rounds, the paths interleaved (stream p50: the median of the rounds' medians; ` +
          'p99, /health: over every round; RSS peak: the highest)'),
  );
  const d = rows.direct;
  table([
    [
      'path',
      'complete',
      'errors',
      'stream p50',
      'p99',
      'ratio p50',
      'RSS before',
      'peak',
      'after',
      'relay CPU',
      '/health p50',
      'p99',
      'max',
      'kept-alive p99',
      'max',
    ],
    ...Object.entries(rows).map(([name, r]) => [
      name,
      `${r.complete}/${r.streams}`,
      r.errors,
      ms(r.streamP50),
      ms(r.streamP99),
      ratio(r.streamP50, d.streamP50),
      mb(r.rssBefore),
      mb(r.rssPeak),
      mb(r.rssAfter),
      Number.isFinite(r.cpuSeconds) ? `${r.cpuSeconds.toFixed(1)} s` : 'n/a',
      ms(r.healthP50),
      ms(r.healthP99),
      ms(r.healthMax),
      ms(r.healthKeptAliveP99),
      ms(r.healthKeptAliveMax),
    ]),
  ]);
  console.log(
    '  direct: no relay between client and upstream, so no relay RSS, CPU or /health (the fake upstream has none)',
  );
  if (!targets.nginx) console.log(`  nginx: not measured: ${nginxReason}`);
  if (rows.nginx) {
    const p = rows.proxy;
    const n = rows[NODE_RELAY];
    console.log(
      `  bare node:http relay against nginx: stream p50 ${ratio(n.streamP50, rows.nginx.streamP50)}, ` +
        `/health p99 ${ms(n.healthP99)} (${ms(n.healthKeptAliveP99)} kept alive)`,
    );
    console.log(
      `  proxy against nginx: stream p50 ${ratio(p.streamP50, rows.nginx.streamP50)} (target within 1.2x), ` +
        `RSS peak ${mb(p.rssPeak)} (target under 150 MB), /health p99 on its health port ${ms(p.healthP99)} ` +
        `(target under 50 ms; ${ms(p.healthKeptAliveP99)} kept alive; on its traffic port, behind the ` +
        `streams: ${ms(p.trafficHealthP99)})`,
    );
    const byRound = p.streamP50ByRound.map((value, i) => ratio(value, rows.nginx.streamP50ByRound[i]));
    console.log(
      `  proxy against nginx, stream p50 round by round: ${byRound.join(', ')}; ` +
        `proxy RSS peak round by round: ${p.rssPeakByRound.map(mb).join(', ')}`,
    );
  }
  const broken = Object.entries(rows)
    .filter(([, r]) => r.complete !== r.streams)
    .map(
      ([name, r]) =>
        `${name}: ${r.streams - r.complete} of ${r.streams} streams incomplete (${r.errors} errors${r.firstError ? `, first: ${r.firstError}` : ''})`,
    );
  for (const line of broken) console.log(`  BROKEN: ${line}`);
  return outcome(broken.length ? 'broken' : 'ok', broken.join('; '), {
    streams: count,
    chunksPerStream: expectedChunks,
    delayMs: sizes.delayMs,
    nominalStreamMs: nominal,
    rows,
    ...(targets.nginx ? {} : { nginx: outcome('skipped', nginxReason) }),
  });
}

// `node scripts/bench-proxy.mjs [--short] [--part ttft|burst] [--cpu-prof]`, after `npm run build`.
if (import.meta.url === `file://${process.argv[1]}`) {
  const part = process.argv.indexOf('--part');
  await benchProxy({
    short: process.argv.includes('--short'),
    parts: part >= 0 ? [process.argv[part + 1]] : undefined,
    profileDir: process.argv.includes('--cpu-prof') ? '.cache/bench/profiles' : undefined,
  });
}
