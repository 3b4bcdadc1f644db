/**
 * Re-emits an upstream body chunk by chunk, as it arrives. Pull-driven with no queue of its
 * own (`highWaterMark: 0`), so nothing is buffered beyond what the client has asked for, and
 * a client that cancels (disconnects) aborts the upstream request at once.
 */
export function relayBody(
  source: ReadableStream<Uint8Array>,
  options: {
    abortUpstream: () => void;
    idleTimeoutMs: number;
    onError: (message: string) => void;
  },
): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  let finished = false;

  const stopTimer = () => {
    if (idleTimer !== undefined) clearTimeout(idleTimer);
    idleTimer = undefined;
  };

  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        idleTimer = setTimeout(() => {
          finished = true;
          options.onError(`Pathors sent nothing for ${options.idleTimeoutMs} ms; the stream was ended.`);
          options.abortUpstream();
          controller.error(new Error('The upstream stream went idle.'));
        }, options.idleTimeoutMs);
        try {
          const { done, value } = await reader.read();
          stopTimer();
          if (finished) return;
          if (done) {
            finished = true;
            controller.close();
          } else {
            controller.enqueue(value);
          }
        } catch (error) {
          stopTimer();
          if (finished) return;
          finished = true;
          // Passing the failure on (rather than closing) lets the client see a broken stream
          // as broken, instead of a reply that silently stopped.
          options.onError(`The upstream stream failed: ${error instanceof Error ? error.message : String(error)}`);
          controller.error(error);
        }
      },
      async cancel(reason) {
        finished = true;
        stopTimer();
        options.abortUpstream();
        await reader.cancel(reason).catch(() => undefined);
      },
    },
    { highWaterMark: 0 },
  );
}
