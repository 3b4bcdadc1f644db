// Injected into every page of the Chromium benchmark (scripts/bench-browser.mjs) before any of the
// page's own scripts. It observes, the same way for every contender:
//  - long tasks (PerformanceObserver 'longtask');
//  - the SSE body as the contender's code reads it: `fetch` is wrapped so that a `/sse/` body is
//    handed over one event per read, each in a task of its own (the contender's microtasks and any
//    frame it asked for run first), and each read is logged with its time and the events handed
//    over before it. The body is pulled, never pushed (highWaterMark 0): the log is the contender's
//    consumption timeline, whatever the network did to the bytes. The hop between events has a cost
//    of its own: the `floor` driver, which reads and renders nothing, measures it.
// and it holds the per-contender drivers the bench calls with page.evaluate.
(() => {
  const bench = { longTasks: [], reads: [], firstByteAt: undefined, lastByteAt: undefined };
  window.__bench = bench;
  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) bench.longTasks.push({ start: entry.startTime, duration: entry.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    bench.longTasks = undefined; // This browser has no long-task timing; the bench reports n/a.
  }
  // What made each frame over 50 ms long: script (the sum of its script entries) or the browser's
  // own style and layout (from styleAndLayoutStart to the frame's end), plus style and layout a
  // script forced by reading geometry.
  bench.longFrames = [];
  try {
    new PerformanceObserver((list) => {
      for (const f of list.getEntries()) {
        const end = f.startTime + f.duration;
        const scripts = f.scripts ?? [];
        bench.longFrames.push({
          start: f.startTime,
          duration: f.duration,
          scriptMs: scripts.reduce((sum, s) => sum + s.duration, 0),
          forcedStyleLayoutMs: scripts.reduce((sum, s) => sum + (s.forcedStyleAndLayoutDuration ?? 0), 0),
          styleLayoutMs: f.styleAndLayoutStart ? end - f.styleAndLayoutStart : 0,
          renderMs: f.renderStart ? end - f.renderStart : 0,
        });
      }
    }).observe({ type: 'long-animation-frame', buffered: true });
  } catch {
    bench.longFrames = undefined;
  }

  const realFetch = window.fetch.bind(window);
  window.fetch = async (input, init) => {
    const response = await realFetch(input, init);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!url.includes('/sse/') || !response.body) return response;
    const reader = response.body.getReader();
    const pending = [];
    let partial = new Uint8Array(0);
    let ended = false;
    let events = 0;
    const body = new ReadableStream(
      {
        async pull(controller) {
          while (!pending.length && !ended) {
            const { done, value } = await reader.read();
            if (done) {
              ended = true;
              bench.lastByteAt = performance.now();
              if (partial.length) pending.push(partial);
              break;
            }
            bench.firstByteAt ??= performance.now();
            // Split at the blank line that ends each event, wherever the network cut the bytes.
            const bytes = new Uint8Array(partial.length + value.length);
            bytes.set(partial);
            bytes.set(value, partial.length);
            let from = 0;
            for (let i = 1; i < bytes.length; i++) {
              if (bytes[i] === 10 && bytes[i - 1] === 10) {
                pending.push(bytes.subarray(from, i + 1));
                from = i + 1;
              }
            }
            partial = bytes.slice(from);
          }
          // A task of its own per event, as when events arrive apart: the contender's work for the
          // previous event (microtasks, frames it asked for) is done before the next is handed over.
          await new Promise((resolve) => {
            const channel = new MessageChannel();
            channel.port1.onmessage = resolve;
            channel.port2.postMessage(0);
          });
          bench.reads.push([performance.now(), events]);
          if (!pending.length) {
            controller.close();
            return;
          }
          events++;
          controller.enqueue(pending.shift());
        },
        cancel: (reason) => reader.cancel(reason),
      },
      { highWaterMark: 0 },
    );
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };

  /** All text under `node`, through the shadow roots inside it. */
  function deepText(node) {
    let text = node.textContent ?? '';
    const elements = node.querySelectorAll ? node.querySelectorAll('*') : [];
    for (const element of elements) if (element.shadowRoot) text += deepText(element.shadowRoot);
    return text;
  }

  const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve(performance.now())));
  /** Resolves after the next paint: a task queued from a frame callback runs once that frame is drawn. */
  const nextPaint = () =>
    new Promise((resolve) => requestAnimationFrame(() => setTimeout(() => resolve(performance.now()), 0)));

  /** Checks `found()` once per frame until it holds; the time of that frame, or throws after `timeoutMs`. */
  async function until(found, timeoutMs) {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const now = await frame();
      if (found()) return now;
      if (now > deadline) throw new Error('timed out');
    }
  }

  function mount(html) {
    const host = document.createElement('div');
    host.style.cssText = 'width: 420px; height: 700px; display: flex; flex-direction: column;';
    host.innerHTML = html;
    document.body.append(host);
    return host.firstElementChild;
  }

  /** The last message of a <pathors-chat>'s panel, or undefined before the panel is there. */
  function lastPathorsMessage(chat) {
    const panel = chat.shadowRoot?.querySelector('pathors-chat-panel');
    const messages = panel?.shadowRoot?.querySelectorAll('[part~="message"]');
    return messages?.length ? { element: messages[messages.length - 1], count: messages.length } : undefined;
  }

  /** Seeds the transcript a <pathors-chat> with `storageKey` restores: `count` messages, alternating. */
  function seed(storageKey, count) {
    const entries = [];
    for (let i = 0; i < count; i++) {
      entries.push(
        i % 2 === 0
          ? { id: `u${i}`, role: 'user', content: `Question ${i}: how do I set up step ${i}?` }
          : {
              id: `a${i}`,
              role: 'assistant',
              status: 'done',
              content:
                `Answer ${i}: run \`step ${i}\`, then **check** it.\n\n` +
                `- open the *settings* page\n- pick [the guide](https://example.com/${i})\n\n\`\`\`sh\nnpm run step-${i}\n\`\`\`\n`,
            },
      );
    }
    if (count > 0) entries[count - 1].content += `\n\nlast-message-${count}`;
    localStorage.setItem(`${storageKey}:transcript`, JSON.stringify(entries));
  }

  /** Loads the widget and every chunk it may import, so that timed parts never wait for a download. */
  async function loadWidget(dist = '/dist') {
    await import(`${dist}/pathors-chat.js`);
    const chunks = await (await fetch(`${dist}-chunks.json`)).json();
    await Promise.all(chunks.map((chunk) => import(chunk)));
  }

  const drivers = {
    /** Reads the stream and renders nothing: the harness's own cost per event. */
    async floor({ base }) {
      await nextPaint();
      return async () => {
        const start = performance.now();
        const response = await fetch(`${base}/chat/completions`, { method: 'POST', body: '{}' });
        const reader = response.body.getReader();
        while (!(await reader.read()).done);
        const shown = performance.now();
        return { start, shown, painted: await nextPaint() };
      };
    },
    /** The real element, `send()` as a visitor would, its reply streamed from `base`/chat/completions. */
    async pathors({ base, sentinel, timeoutMs, stored = 0, dist }) {
      await loadWidget(dist);
      const key = `bench-stream-${stored}-${Math.random()}`;
      seed(key, stored);
      const chat = mount(
        `<pathors-chat mode="inline" ${stored ? '' : 'no-persist'} proxy-url="${base}" storage-key="${key}"></pathors-chat>`,
      );
      await until(
        () => chat.shadowRoot?.querySelector('pathors-chat-panel')?.shadowRoot?.querySelector('textarea'),
        timeoutMs,
      );
      if (stored) await until(() => (lastPathorsMessage(chat)?.count ?? 0) > 0, timeoutMs);
      await nextPaint();
      return async () => {
        const start = performance.now();
        void chat.send('Explain every step.');
        const shown = await until(
          () =>
            bench.lastByteAt !== undefined &&
            deepText(lastPathorsMessage(chat)?.element ?? document.createElement('p')).includes(sentinel),
          timeoutMs,
        );
        return { start, shown, painted: await nextPaint() };
      };
    },
    /** deep-chat: its own `connect` streaming (its SSE event format is `data: {"text": ...}`). */
    async deepChat({ base, sentinel, timeoutMs }) {
      await import('/peers/deep-chat.js');
      const chat = mount('<deep-chat style="width: 400px; height: 680px"></deep-chat>');
      chat.connect = { url: base, stream: true };
      await until(
        () => chat.shadowRoot?.querySelector('#input, .text-input-container, textarea, [contenteditable]'),
        timeoutMs,
      );
      await nextPaint();
      return async () => {
        const start = performance.now();
        chat.submitUserMessage({ text: 'Explain every step.' });
        const shown = await until(
          () => bench.lastByteAt !== undefined && deepText(chat.shadowRoot).includes(sentinel),
          timeoutMs,
        );
        return { start, shown, painted: await nextPaint() };
      };
    },
    /** The usual hand-rolled approach: re-parse the whole reply with marked, DOMPurify it, innerHTML, per event. */
    async marked({ base, sentinel, timeoutMs }) {
      const target = mount('<div class="reply"></div>');
      await nextPaint();
      return async () => {
        const start = performance.now();
        const response = await fetch(`${base}/chat/completions`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ messages: [{ role: 'user', content: 'Explain every step.' }], stream: true }),
        });
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        let text = '';
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          buffer += value;
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const data = buffer.slice(0, end).replace(/^data: ?/, '');
            buffer = buffer.slice(end + 2);
            if (data === '[DONE]') continue;
            text += JSON.parse(data).choices[0].delta.content ?? '';
            target.innerHTML = window.DOMPurify.sanitize(window.marked.parse(text));
          }
        }
        const shown = await until(() => target.textContent.includes(sentinel), timeoutMs);
        return { start, shown, painted: await nextPaint() };
      };
    },
    /** A <pathors-chat> restoring `count` stored messages: time to the last one shown, then painted. */
    async restore({ count, timeoutMs }) {
      await loadWidget();
      const key = `bench-restore-${count}-${Math.random()}`;
      seed(key, count);
      await nextPaint();
      return async () => {
        const start = performance.now();
        const chat = mount(`<pathors-chat mode="inline" proxy-url="/sse/none" storage-key="${key}"></pathors-chat>`);
        const marker = `last-message-${count}`;
        const shown = await until(() => {
          const last = lastPathorsMessage(chat);
          return last && deepText(last.element).includes(marker);
        }, timeoutMs);
        const painted = await nextPaint();
        const panelRoot = chat.shadowRoot.querySelector('pathors-chat-panel').shadowRoot;
        let nodes = 0;
        const walk = (root) => {
          for (const el of root.querySelectorAll('*')) {
            nodes++;
            if (el.shadowRoot) walk(el.shadowRoot);
          }
        };
        walk(chat.shadowRoot);
        return {
          start,
          shown,
          painted,
          messagesInDom: panelRoot.querySelectorAll('[part~="message"]').length,
          elements: nodes,
        };
      };
    },
  };
  /** Sets a contender up (not timed); `__benchGo` then runs the timed part. */
  window.__benchPrepare = async (name, options) => {
    const go = await drivers[name](options);
    window.__benchGo = go;
  };
})();
