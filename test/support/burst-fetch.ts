/**
 * A `fetch` whose reply is `text` as server-sent events of `size` characters each, in network
 * reads of `bursts` events in turn (a busy tab or a fast network batches them), each read in a
 * task of its own.
 */
export function burstFetch(text: string, size: number, bursts: readonly number[]): typeof fetch {
  return async () => {
    const encoder = new TextEncoder();
    let at = 0;
    let read = 0;
    const channel = new MessageChannel();
    const nextTask = () =>
      new Promise<void>((resolve) => {
        channel.port1.onmessage = () => resolve();
        channel.port2.postMessage(0);
      });
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        await nextTask();
        let chunk = '';
        for (let count = bursts[read++ % bursts.length]!; count > 0 && at < text.length; count--) {
          chunk += `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: text.slice(at, at + size) } }] })}\n\n`;
          at += size;
        }
        if (at >= text.length) {
          chunk += 'data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n';
          controller.enqueue(encoder.encode(chunk));
          controller.close();
          return;
        }
        controller.enqueue(encoder.encode(chunk));
      },
    });
    return new Response(body, { headers: { 'Content-Type': 'text/event-stream', 'X-Session-ID': 'burst.session' } });
  };
}
