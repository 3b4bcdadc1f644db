// Rows 1 and 5, in Chromium (never jsdom: see shared/PITFALLS.md), through playwright-core.
//   1. One ~80 KB reply streamed in four-character tokens, one SSE event per write (and handed to the
//      page's code one event per task, see probe.js), into: the real <pathors-chat>; deep-chat with its own
//      `connect` streaming; and marked + DOMPurify + innerHTML per event. The quadratic contenders
//      get only the first tokens (a cap), and their whole-reply figure is extrapolated, labelled so.
//   5. A <pathors-chat> restoring 1,000 stored messages against one restoring 10.
// Every page gets test/bench/page/probe.js first, which times the same things for every contender.
import { createServer } from 'node:http';
import { readFileSync, readdirSync, existsSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { findChromium, CHROMIUM_ARGS } from './find-chromium.mjs';
import { median, ms, us, mb, outcome, ratio, table } from './bench-lib.mjs';
import { peerPackage } from './bench-peers.mjs';
import { sampleReply } from '../test/bench/sample-reply.mjs';

const SENTINEL = 'bench-end-of-reply-7f3a';
/** Another build of the widget (its dist/ folder), served at /dist-base/ and streamed as one more contender, interleaved: before and after a change, in one run. */
const BASE_DIST = process.env.BENCH_BASE_DIST;
const PROBE = resolve('test/bench/page/probe.js');
const TYPES = {
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.html': 'text/html',
  '.css': 'text/css',
  '.json': 'application/json',
};

const cut = (text, size = 4) =>
  Array.from({ length: Math.ceil(text.length / size) }, (_, i) => text.slice(i * size, (i + 1) * size));

/** The first `count` tokens of the reply, then the sentinel every contender must show to be done. */
function servedTokens(tokens, count) {
  return cut(`${tokens.slice(0, count).join('')}\n\n${SENTINEL}\n`);
}

function openAiEvent(content, finish = null) {
  return `data: ${JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'pathway-default',
    choices: [{ index: 0, delta: content === undefined ? {} : { content }, finish_reason: finish }],
  })}\n\n`;
}

/** Static files, the peers' browser builds, and the SSE endpoints each contender reads in its own format. */
async function startPageServer(tokens) {
  const files = {};
  const missing = {};
  for (const [route, name, file] of [
    ['/peers/deep-chat.js', 'deep-chat', 'dist/deepChat.bundle.js'],
    ['/peers/marked.js', 'marked', 'lib/marked.umd.js'],
    ['/peers/purify.js', 'dompurify', 'dist/purify.min.js'],
  ]) {
    try {
      files[route] = join(peerPackage(name), file);
    } catch (error) {
      missing[name] = `npm pack ${name} failed: ${error.message.split('\n')[0]}`;
    }
  }
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://localhost');
    const sse = /^\/sse\/(openai|deep-chat)\/(\d+)/.exec(url.pathname);
    if (req.method === 'POST' && sse) {
      req.resume();
      const served = servedTokens(tokens, Number(sse[2]));
      const events =
        sse[1] === 'openai'
          ? [...served.map((token) => openAiEvent(token)), openAiEvent(undefined, 'stop'), 'data: [DONE]\n\n']
          : served.map((text) => `data: ${JSON.stringify({ text })}\n\n`);
      res.writeHead(200, {
        'Content-Type': 'text/event-stream',
        'Cache-Control': 'no-cache',
        'X-Session-ID': 'bench-session',
      });
      res.flushHeaders();
      // One write per event, as fast as the socket takes them: the server is never the bottleneck.
      // However the network groups the bytes, the page's probe hands them over one event per task.
      for (const event of events) {
        if (res.destroyed) return;
        if (!res.write(event)) await new Promise((done) => res.once('drain', done));
      }
      res.end();
      return;
    }
    const base = BASE_DIST && url.pathname.startsWith('/dist-base/');
    const path =
      files[url.pathname] ??
      (base
        ? join(resolve(BASE_DIST), url.pathname.slice('/dist-base/'.length))
        : url.pathname.startsWith('/dist/')
          ? resolve(`.${url.pathname}`)
          : undefined);
    const chunksOf = /^\/(dist|dist-base)-chunks\.json$/.exec(url.pathname);
    if (chunksOf) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(
        JSON.stringify(
          readdirSync(join(chunksOf[1] === 'dist' ? 'dist' : resolve(BASE_DIST), 'chunks'))
            .filter((name) => name.endsWith('.js'))
            .map((name) => `/${chunksOf[1]}/chunks/${name}`),
        ),
      );
    } else if (url.pathname === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bench</title></head><body></body></html>',
      );
    } else if (
      path &&
      (path.startsWith(resolve('.')) || (base && path.startsWith(resolve(BASE_DIST)))) &&
      existsSync(path) &&
      statSync(path).isFile()
    ) {
      res.writeHead(200, {
        'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream',
        'Cache-Control': 'max-age=3600',
      });
      res.end(readFileSync(path));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    missing,
    close: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(done);
      }),
  };
}

/** One timed run in a new page (each run uses storage keys of its own): set up, measure the timed part, read the probe. */
async function runOnce(context, origin, driver, options, { extraScripts = [], heap = false, trace = false } = {}) {
  const page = await context.newPage();
  try {
    await page.addInitScript({ path: PROBE });
    await page.goto(`${origin}/`);
    for (const url of extraScripts) await page.addScriptTag({ url });
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const metrics = async () =>
      Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
    await page.evaluate(([name, opts]) => window.__benchPrepare(name, opts), [driver, options]);
    const before = await metrics();
    if (trace) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
      await cdp.send('Profiler.start');
      await context.browser().startTracing(page, { categories: TRACE_CATEGORIES });
    }
    const timed = await page.evaluate(() => window.__benchGo());
    const after = await metrics();
    const traced = trace
      ? longTasksInTrace(JSON.parse(await context.browser().stopTracing()), (await cdp.send('Profiler.stop')).profile)
      : undefined;
    const probe = await page.evaluate(() => window.__bench);
    let heapBytes;
    if (heap) {
      await cdp.send('HeapProfiler.collectGarbage');
      heapBytes = (await metrics()).JSHeapUsedSize;
    }
    const during = (entry) => entry.start >= timed.start && entry.start <= timed.painted;
    const longTasks = probe.longTasks?.filter(during);
    const longFrames = probe.longFrames?.filter(during);
    return {
      ...timed,
      wallMs: timed.painted - timed.start,
      shownMs: timed.shown - timed.start,
      busyMs: (after.TaskDuration - before.TaskDuration) * 1000,
      longestTaskMs: longTasks ? Math.max(0, ...longTasks.map((task) => task.duration)) : Number.NaN,
      longTasksOver50: longTasks?.length ?? Number.NaN,
      longFrames,
      traced,
      reads: probe.reads,
      firstByteAt: probe.firstByteAt,
      lastByteAt: probe.lastByteAt,
      heapBytes,
    };
  } finally {
    await page.close();
  }
}

const TRACE_CATEGORIES = ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8'];
/** What the main thread did inside a task, by trace event name (the coarse steps of a frame). */
const TASK_PARTS = {
  script: ['FunctionCall', 'EvaluateScript', 'TimerFire', 'FireAnimationFrame', 'EventDispatch', 'v8.callFunction'],
  style: ['UpdateLayoutTree', 'RecalculateStyles'],
  layout: ['Layout'],
  paint: ['PrePaint', 'Paint', 'Layerize', 'UpdateLayer', 'CompositeLayers', 'Commit'],
  gc: ['MajorGC', 'MinorGC', 'V8.GC_MARK_COMPACTOR', 'V8.GC_SCAVENGER'],
};

/**
 * The renderer main thread's tasks over 50 ms in a Chrome trace, each with its wall time, the CPU
 * time the thread got (`tdur`: far less than the wall time means the system took the core away,
 * not that the page worked), and the time of its outermost script, style, layout, paint and GC steps.
 */
function longTasksInTrace({ traceEvents }, profile) {
  // Samples of the CPU profile (same clock as the trace), as [time, leaf node].
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map(profile.nodes.flatMap((n) => (n.children ?? []).map((c) => [c, n.id])));
  let at = profile.startTime;
  const samples = profile.samples.map((id, i) => [(at += profile.timeDeltas[i]), id]);
  const frameName = (id) => {
    const f = nodes.get(id).callFrame;
    return `${f.functionName || '(anon)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}:${f.columnNumber + 1}`;
  };
  const main = new Set(
    traceEvents
      .filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
      .map((e) => `${e.pid}:${e.tid}`),
  );
  const events = traceEvents
    .filter((e) => e.ph === 'X' && main.has(`${e.pid}:${e.tid}`) && e.dur !== undefined)
    .sort((a, b) => a.ts - b.ts);
  const partOf = new Map(Object.entries(TASK_PARTS).flatMap(([part, names]) => names.map((n) => [n, part])));
  const tasks = events.filter((e) => e.name === 'ThreadControllerImpl::RunTask');
  return tasks
    .filter((task) => task.dur > 50_000)
    .map((task) => {
      const parts = { wallMs: task.dur / 1000, cpuMs: (task.tdur ?? Number.NaN) / 1000 };
      // Outermost steps only: a style recalc forced inside a script counts as script.
      let covered = 0;
      for (const e of events) {
        const part = partOf.get(e.name);
        if (!part || e.ts < task.ts || e.ts + e.dur > task.ts + task.dur || e.ts < covered) continue;
        parts[part] = (parts[part] ?? 0) + e.dur / 1000;
        covered = e.ts + e.dur;
        const data = e.args?.data;
        if (part === 'script' && e.dur > 10_000)
          (parts.scripts ??= []).push(
            `${e.name} ${data?.functionName || data?.type || ''} ${(data?.url ?? '').split('/').pop()}:${data?.lineNumber ?? ''} ${ms(e.dur / 1000)}`,
          );
      }
      // Where the CPU went, by the function on top of the stack and by our outermost frame in dist.
      const self = new Map();
      const ours = new Map();
      for (const [time, id] of samples) {
        if (time < task.ts || time > task.ts + task.dur) continue;
        const leaf = frameName(id);
        self.set(leaf, (self.get(leaf) ?? 0) + 1);
        const chain = [];
        for (let n = id; n !== undefined; n = parent.get(n)) chain.push(n);
        const seen = new Set(chain.map(frameName).filter((name) => name.includes('chunks/') || name.includes('-')));
        for (const name of seen) ours.set(name, (ours.get(name) ?? 0) + 1);
      }
      const top = (map) =>
        [...map]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 6)
          .map(([name, count]) => `${name} x${count}`);
      parts.self = top(self);
      parts.inclusive = top(ours);
      return parts;
    });
}

/**
 * Per-token cost over the first and the last `window` events, from the probe's read log: each entry
 * is [time the contender asked for more bytes, events handed to it before that].
 */
function perToken(run, window) {
  const reads = run.reads;
  const total = reads[reads.length - 1][1];
  const first = reads.find(([, events]) => events >= window) ?? reads[reads.length - 1];
  const firstUs = ((first[0] - run.firstByteAt) / Math.max(1, first[1])) * 1000;
  const end = reads[reads.length - 1];
  const before = [...reads].reverse().find(([, events]) => events <= total - window) ?? reads[0];
  const lastUs = ((end[0] - before[0]) / (total - before[1])) * 1000;
  return { events: total, firstUs, lastUs };
}

/** Time from the first byte to the moment `count` events had been taken in (for a like-for-like prefix). */
function timeToEvents(run, count) {
  const read = run.reads.find(([, events]) => events >= count);
  return read ? read[0] - run.firstByteAt : Number.NaN;
}

/**
 * `streamOnly`: the harness floor and the real element only, no peers and no restore row
 * (`node scripts/bench-browser.mjs --stream-only`), to look at the element's long tasks alone.
 */
export async function benchBrowser({ short, streamOnly = false, trace = false }) {
  const sizes = short
    ? { replyBytes: 8_000, cap: 400, window: 100, repeats: 1, restore: [10, 100], restoreRepeats: 1, stored: 100 }
    : {
        replyBytes: 80_000,
        cap: 2_000,
        window: 1_000,
        repeats: 3,
        restore: [10, 1_000],
        restoreRepeats: 5,
        stored: 1_000,
      };
  const reply = sampleReply(sizes.replyBytes);
  const tokens = cut(reply);
  const all = servedTokens(tokens, tokens.length).length;
  const server = await startPageServer(tokens);
  const browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS, headless: true });
  // A contender that never shows the end of the reply is a broken row, not a hung run.
  const timeoutMs = short ? 120_000 : 600_000;
  try {
    const context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
    return {
      stream: await streamRow({
        context,
        origin: server.url,
        missing: server.missing,
        sizes,
        tokens,
        all,
        timeoutMs,
        streamOnly,
        trace,
      }),
      restore: streamOnly
        ? outcome('skipped', '--stream-only')
        : await restoreRow({ context, origin: server.url, sizes, timeoutMs }),
    };
  } finally {
    await browser.close();
    await server.close();
  }
}

async function streamRow({ context, origin, missing, sizes, tokens, all, timeoutMs, streamOnly, trace }) {
  const capped = servedTokens(tokens, sizes.cap).length;
  const contenders = {
    'harness floor: reads, renders nothing': {
      driver: 'floor',
      options: { base: `/sse/openai/${tokens.length}` },
      tokens: all,
    },
    'pathors-chat': {
      driver: 'pathors',
      options: { base: `/sse/openai/${tokens.length}`, sentinel: SENTINEL, timeoutMs },
      tokens: all,
    },
    ...(BASE_DIST && {
      [`pathors-chat, base build (${BASE_DIST})`]: {
        driver: 'pathors',
        options: { base: `/sse/openai/${tokens.length}`, sentinel: SENTINEL, timeoutMs, dist: '/dist-base' },
        tokens: all,
      },
    }),
    // The same first tokens as the capped contenders: enough for the per-token windows, and it
    // keeps the run short while the per-token cost still grows with the stored messages.
    [`pathors-chat, ${sizes.stored.toLocaleString('en')} stored messages`]: {
      driver: 'pathors',
      options: { base: `/sse/openai/${sizes.cap}`, sentinel: SENTINEL, timeoutMs, stored: sizes.stored },
      tokens: capped,
      partial: true,
    },
    'deep-chat 2.4.2': {
      needs: ['deep-chat'],
      driver: 'deepChat',
      options: { base: `/sse/deep-chat/${sizes.cap}`, sentinel: SENTINEL, timeoutMs },
      tokens: capped,
      capped: true,
    },
    'marked 18 + DOMPurify 3, innerHTML per event': {
      needs: ['marked', 'dompurify'],
      driver: 'marked',
      options: { base: `/sse/openai/${sizes.cap}`, sentinel: SENTINEL, timeoutMs },
      tokens: capped,
      capped: true,
      extraScripts: [`${origin}/peers/marked.js`, `${origin}/peers/purify.js`],
    },
  };
  const skipped = {};
  if (streamOnly)
    for (const name of Object.keys(contenders).slice(BASE_DIST ? 3 : 2)) {
      skipped[name] = outcome('skipped', '--stream-only');
      delete contenders[name];
    }
  // A peer that could not be fetched is reported as not measured, with the reason; never dropped silently.
  for (const [name, c] of Object.entries(contenders)) {
    const reason = c.needs?.map((peer) => missing[peer]).find(Boolean);
    if (reason) {
      skipped[name] = outcome('skipped', reason);
      delete contenders[name];
    }
  }
  const runs = Object.fromEntries(Object.keys(contenders).map((name) => [name, []]));
  const failures = [];
  const names = Object.keys(contenders);
  // A warm-up (not counted): the first page of a browser pays for compiling what every later one reuses.
  await runOnce(context, origin, 'pathors', { base: `/sse/openai/${sizes.cap}`, sentinel: SENTINEL, timeoutMs }).catch(
    () => {},
  );
  for (let repeat = 0; repeat < sizes.repeats; repeat++) {
    // Interleaved, and in a rotated order each repeat, so a busy spell does not land on one contender.
    for (const name of [...names.slice(repeat % names.length), ...names.slice(0, repeat % names.length)]) {
      const c = contenders[name];
      process.stdout.write(`  [render] ${name}, repeat ${repeat + 1}/${sizes.repeats}...`);
      try {
        const run = await runOnce(context, origin, c.driver, c.options, { extraScripts: c.extraScripts, trace });
        runs[name].push({
          ...run,
          ...perToken(run, Math.min(sizes.window, Math.floor(c.tokens / 4))),
          // From the first byte, so that the request's own set-up is not counted as rendering.
          wallMs: run.painted - run.firstByteAt,
          prefixMs: timeToEvents(run, Math.min(capped, c.tokens)),
        });
        console.log(` ${ms(run.wallMs)}`);
        for (const task of run.traced ?? [])
          console.log(
            `    task over 50 ms: ${Object.entries(task)
              .map(([part, time]) => `${part} ${Array.isArray(time) ? time.join('\n        ') : ms(time)}`)
              .join(', ')}`,
          );
      } catch (error) {
        console.log(' failed');
        failures.push(`${name}: ${error.message.split('\n')[0]}`);
      }
    }
  }
  const figures = {};
  for (const [name, c] of Object.entries(contenders)) {
    const r = runs[name];
    if (!r.length) continue;
    const m = (key) => median(r.map((run) => run[key]));
    const f = {
      tokens: c.tokens,
      capped: Boolean(c.capped),
      partial: Boolean(c.partial || c.capped),
      repeats: r.length,
      wallMs: m('wallMs'),
      busyMs: m('busyMs'),
      longestTaskMs: m('longestTaskMs'),
      longTasks: m('longTasksOver50'),
      firstUs: m('firstUs'),
      lastUs: m('lastUs'),
      prefixMs: m('prefixMs'),
      // After the last byte was read: what the renderer still had to do before the reply was on screen.
      renderAfterLastByteMs: median(r.map((run) => run.painted - run.lastByteAt)),
      // Every frame over 50 ms of every repeat, with what it spent its time on.
      longFrames: r.flatMap((run) => run.longFrames ?? []),
    };
    if (c.capped) {
      // Per-token cost grows with the text already there (a full re-render each event): fit a line
      // through the two windows' averages and sum it over the whole reply. An estimate, and labelled so.
      const w = Math.min(sizes.window, Math.floor(c.tokens / 4));
      const slope = (f.lastUs - f.firstUs) / (c.tokens - w);
      const at0 = f.firstUs - slope * (w / 2);
      f.extrapolatedFullMs = (at0 * all + (slope * all * all) / 2) / 1000;
      f.extrapolatedLastUs = at0 + slope * (all - w / 2);
    }
    figures[name] = f;
  }
  const ours = figures['pathors-chat'];
  console.log(
    `\n1. streaming render in Chromium: ${(sizes.replyBytes / 1000).toFixed(0)} KB reply, ${all.toLocaleString('en')} ` +
      `four-character tokens, one SSE event per write; medians of ${sizes.repeats}`,
  );
  console.log(
    `   the quadratic contenders and the stored-messages run get the first ${capped.toLocaleString('en')} tokens only;` +
      ' "*" marks an extrapolation to the whole reply',
  );
  table([
    [
      'contender',
      'tokens',
      `first ${capped} tokens`,
      'ratio',
      'whole reply',
      'ratio',
      'busy',
      'longest task',
      'tasks >50ms',
      `per token, first ${sizes.window}`,
      `last ${sizes.window}`,
    ],
    ...Object.entries(figures).map(([name, f]) => [
      name,
      f.tokens.toLocaleString('en'),
      ms(f.partial ? f.wallMs : f.prefixMs),
      ratio(f.partial ? f.wallMs : f.prefixMs, ours?.prefixMs),
      f.capped ? `${ms(f.extrapolatedFullMs)}*` : f.partial ? 'not run' : ms(f.wallMs),
      f.capped ? ratio(f.extrapolatedFullMs, ours?.wallMs) : f.partial ? '' : ratio(f.wallMs, ours?.wallMs),
      ms(f.busyMs),
      ms(f.longestTaskMs),
      f.longTasks,
      us(f.firstUs),
      f.capped ? `${us(f.lastUs)} (${us(f.extrapolatedLastUs)}* at the end)` : us(f.lastUs),
    ]),
  ]);
  console.log(
    '   per token: the time a contender takes to ask for more bytes, over the events it was handed (its consumption rate);' +
      ' busy: main-thread task time (CDP TaskDuration) from send to paint',
  );
  for (const [name, f] of Object.entries(figures)) {
    const frames = f.longFrames;
    if (!name.startsWith('pathors-chat') || !frames?.length) continue;
    const sum = (key) => frames.reduce((total, frame) => total + frame[key], 0);
    console.log(
      `   ${name}, frames over 50 ms in all ${f.repeats} repeats (long-animation-frame): ${frames.length},` +
        ` ${ms(sum('duration'))} in all: script ${ms(sum('scriptMs'))} (of which forced style/layout` +
        ` ${ms(sum('forcedStyleLayoutMs'))}), style/layout ${ms(sum('styleLayoutMs'))}; longest:` +
        ` ${[...frames]
          .sort((x, y) => y.duration - x.duration)
          .slice(0, 3)
          .map(
            (frame) => `${ms(frame.duration)} (script ${ms(frame.scriptMs)}, style/layout ${ms(frame.styleLayoutMs)})`,
          )
          .join(', ')}`,
    );
  }
  for (const [name, row] of Object.entries(skipped)) console.log(`  ${name}: not measured: ${row.reason}`);
  for (const line of failures) console.log(`  BROKEN: ${line}`);
  return outcome(failures.length ? 'broken' : 'ok', failures.join('; '), {
    skipped,
    replyBytes: sizes.replyBytes,
    tokens: all,
    cap: capped,
    window: sizes.window,
    repeats: sizes.repeats,
    figures,
  });
}

async function restoreRow({ context, origin, sizes, timeoutMs }) {
  const runs = Object.fromEntries(sizes.restore.map((count) => [count, []]));
  const failures = [];
  await runOnce(context, origin, 'restore', { count: sizes.restore[0], timeoutMs }).catch(() => {}); // warm-up, not counted
  for (let repeat = 0; repeat < sizes.restoreRepeats; repeat++) {
    for (const count of repeat % 2 ? [...sizes.restore].reverse() : sizes.restore) {
      try {
        runs[count].push(await runOnce(context, origin, 'restore', { count, timeoutMs }, { heap: true }));
      } catch (error) {
        failures.push(`${count} messages: ${error.message.split('\n')[0]}`);
      }
    }
  }
  const figures = Object.fromEntries(
    Object.entries(runs)
      .filter(([, r]) => r.length)
      .map(([count, r]) => {
        const m = (key) => median(r.map((run) => run[key]));
        return [
          count,
          {
            shownMs: m('shownMs'),
            paintMs: m('wallMs'),
            busyMs: m('busyMs'),
            longestTaskMs: m('longestTaskMs'),
            heapBytes: m('heapBytes'),
            messagesInDom: m('messagesInDom'),
            elements: m('elements'),
          },
        ];
      }),
  );
  const [small, large] = sizes.restore;
  const base = figures[small];
  console.log(
    `\n5. restoring a stored conversation in Chromium: ${large.toLocaleString('en')} messages against ${small}; medians of ${sizes.restoreRepeats}`,
  );
  table([
    [
      'messages',
      'last one shown',
      'ratio',
      'next paint',
      'ratio',
      'busy',
      'longest task',
      'messages in DOM',
      'elements',
      'JS heap',
      'ratio',
    ],
    ...Object.entries(figures).map(([count, f]) => [
      Number(count).toLocaleString('en'),
      ms(f.shownMs),
      ratio(f.shownMs, base?.shownMs),
      ms(f.paintMs),
      ratio(f.paintMs, base?.paintMs),
      ms(f.busyMs),
      ms(f.longestTaskMs),
      f.messagesInDom,
      f.elements,
      mb(f.heapBytes),
      ratio(f.heapBytes, base?.heapBytes),
    ]),
  ]);
  if (figures[large] && base)
    console.log(`   target: next paint within 2x of ${small} messages: ${ratio(figures[large].paintMs, base.paintMs)}`);
  for (const line of failures) console.log(`  BROKEN: ${line}`);
  return outcome(failures.length ? 'broken' : 'ok', failures.join('; '), {
    counts: sizes.restore,
    repeats: sizes.restoreRepeats,
    figures,
  });
}

if (import.meta.url === `file://${process.argv[1]}`)
  await benchBrowser({
    short: process.argv.includes('--short'),
    streamOnly: process.argv.includes('--stream-only'),
    trace: process.argv.includes('--trace'),
  });
