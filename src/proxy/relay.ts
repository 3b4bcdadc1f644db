/**
 * Passing the upstream body on. Two ways, same rules: `relayBody` re-emits it as a web stream
 * (any runtime), and an adapter that owns a socket takes the upstream stream itself with
 * `takeRelaySource` and writes its bytes straight out (the Node adapter does), skipping one
 * stream layer and its per-chunk work.
 */

export interface RelayOptions {
  abortUpstream: () => void;
  /** Time allowed waiting for the next upstream chunk; the client reading slowly does not count. */
  idleTimeoutMs: number;
  onError: (message: string) => void;
}

export interface RelaySource extends RelayOptions {
  source: ReadableStream<Uint8Array>;
}

const sources = new WeakMap<ReadableStream<Uint8Array>, RelaySource>();

/** The upstream stream behind a relayed body, for an adapter to read directly; only once, and only before anyone read the relay. */
export function takeRelaySource(body: ReadableStream<Uint8Array>): RelaySource | undefined {
  const relay = sources.get(body);
  sources.delete(body);
  return relay && !relay.source.locked ? relay : undefined;
}

export function idleMessage(ms: number): string {
  return `Pathors sent nothing for ${ms} ms; the stream was ended.`;
}

export function failureMessage(error: unknown): string {
  return `The upstream stream failed: ${error instanceof Error ? error.message : String(error)}`;
}

/**
 * A deadline on waiting for upstream, with one timer per stream rather than one per chunk:
 * `waiting()` before a read, `got()` after it; the timer re-arms itself for what is left.
 * Timed with performance.now(): a step of the wall clock must not cut a stream, or spare one.
 */
export function idleWatch(ms: number, onIdle: () => void): { waiting(): void; got(): void; stop(): void } {
  let since = 0;
  let waiting = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const check = () => {
    timer = undefined;
    const waited = waiting ? performance.now() - since : 0;
    if (waited >= ms) onIdle();
    else timer = setTimeout(check, ms - waited);
  };
  return {
    waiting() {
      since = performance.now();
      waiting = true;
      timer ??= setTimeout(check, ms);
    },
    got() {
      waiting = false;
    },
    stop() {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}

/**
 * Re-emits an upstream body chunk by chunk, as it arrives. Pull-driven with no queue of its
 * own (`highWaterMark: 0`), so nothing is buffered beyond what the client has asked for, and
 * a client that cancels (disconnects) aborts the upstream request at once.
 */
export function relayBody(source: ReadableStream<Uint8Array>, options: RelayOptions): ReadableStream<Uint8Array> {
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let finished = false;
  let fail: ((error: Error) => void) | undefined;
  const watch = idleWatch(options.idleTimeoutMs, () => {
    finished = true;
    options.onError(idleMessage(options.idleTimeoutMs));
    options.abortUpstream();
    fail?.(new Error('The upstream stream went idle.'));
  });

  const relayed = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        // Taken on first read, so an adapter that reads the source itself finds it unlocked.
        reader ??= source.getReader();
        fail = (error) => controller.error(error);
        watch.waiting();
        try {
          const { done, value } = await reader.read();
          watch.got();
          if (finished) return;
          if (done) {
            finished = true;
            watch.stop();
            controller.close();
          } else {
            controller.enqueue(value);
          }
        } catch (error) {
          watch.got();
          if (finished) return;
          finished = true;
          watch.stop();
          // Passing the failure on (rather than closing) lets the client see a broken stream
          // as broken, instead of a reply that silently stopped.
          options.onError(failureMessage(error));
          controller.error(error);
        }
      },
      async cancel(reason) {
        finished = true;
        watch.stop();
        options.abortUpstream();
        await (reader ?? source).cancel(reason).catch(() => undefined);
      },
    },
    { highWaterMark: 0 },
  );
  sources.set(relayed, { source, ...options });
  return relayed;
}
