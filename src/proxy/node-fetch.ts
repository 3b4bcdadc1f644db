// Types only at module scope: index.ts re-exports node.ts, which imports this, and a Workers bundle must not need node:http.
import type { Agent, IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';

/**
 * A `fetch` for the upstream calls on Node, over node:http with a keep-alive agent. Node's own
 * fetch (undici) costs a web stream per response and work per chunk; under a thousand streams
 * that was most of the proxy's CPU and memory. The Node adapter pipes a response body made here
 * straight to the client's socket (`nodeBodySource`); anyone else reads it as a web stream.
 * It implements what upstream.ts uses: string URL, method, a header record, a string body,
 * `signal` and `redirect`.
 */

const sources = new WeakMap<ReadableStream<Uint8Array>, Readable>();

/** The Node stream behind a body this fetch made, for an adapter that pipes it; only before anyone read it. */
export function nodeBodySource(body: ReadableStream<Uint8Array>): Readable | undefined {
  const source = sources.get(body);
  return source && !body.locked ? source : undefined;
}

/**
 * A web stream over a Node one that starts reading only when read: a 'data' listener starts the
 * flow, so until then another reader (a pipe to the client, the next handler) may take the Node
 * stream instead. `cancel` is what a reader's cancel does to the source: destroy it by default.
 */
export function lazyWebStream(
  source: Readable,
  cancel: (source: Readable) => void = (stream) => stream.destroy(),
): ReadableStream<Uint8Array> {
  let cancelled = false;
  let attached = false;
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (attached) {
          source.resume();
          return;
        }
        attached = true;
        source.on('data', (chunk: Buffer) => {
          if (cancelled) return;
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((controller.desiredSize ?? 0) <= 0) source.pause();
        });
        source.once('end', () => {
          if (!cancelled) controller.close();
        });
        source.once('error', (error) => {
          if (!cancelled) controller.error(error);
        });
        // A stream cut before its end emits 'aborted'/'close' without 'end' on some versions.
        source.once('close', () => {
          if (!cancelled && !source.readableEnded) controller.error(new Error('The connection closed mid-body.'));
        });
      },
      cancel() {
        cancelled = true;
        cancel(source);
      },
      // Zero, or the stream would pull (and start the flow) at construction.
    },
    { highWaterMark: 0 },
  );
}

const NO_BODY = new Set([101, 204, 205, 304]);

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

export function createNodeFetch(): typeof fetch {
  const http = process.getBuiltinModule('node:http');
  const https = process.getBuiltinModule('node:https');
  const zlib = process.getBuiltinModule('node:zlib');
  const stream = process.getBuiltinModule('node:stream');
  const agents: Record<string, Agent> = {
    'http:': new http.Agent({ keepAlive: true }),
    'https:': new https.Agent({ keepAlive: true }),
  };

  return (async (input: string | URL | Request, init: RequestInit = {}) => {
    if (input instanceof Request) throw new TypeError('createNodeFetch takes a URL.');
    const url = new URL(input);
    const lib = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : undefined;
    if (!lib) throw new TypeError(`Unsupported protocol ${url.protocol}`);
    const signal = init.signal ?? undefined;
    if (signal?.aborted) throw abortError(signal);
    const headers: Record<string, string> = {
      'Accept-Encoding': 'gzip, deflate, br',
      ...(init.headers as Record<string, string> | undefined),
    };
    const body = init.body;
    if (body !== undefined && body !== null && typeof body !== 'string')
      throw new TypeError('createNodeFetch sends string bodies only.');
    if (typeof body === 'string') headers['Content-Length'] = String(new TextEncoder().encode(body).byteLength);

    const incoming = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = lib.request(url, { method: init.method ?? 'GET', headers, agent: agents[url.protocol] });
      const onAbort = () => req.destroy(abortError(signal!) as Error);
      signal?.addEventListener('abort', onAbort, { once: true });
      req.once('response', (res) => {
        // From here on, aborting cuts the body.
        signal?.removeEventListener('abort', onAbort);
        const onBodyAbort = () => res.destroy(abortError(signal!) as Error);
        signal?.addEventListener('abort', onBodyAbort, { once: true });
        // Removed once the body is done: Node keeps a composite signal (AbortSignal.any) alive while
        // it has an abort listener, and with it this response, its socket's buffers, every closure.
        res.once('close', () => signal?.removeEventListener('abort', onBodyAbort));
        resolve(res);
      });
      req.once('error', (error) => {
        signal?.removeEventListener('abort', onAbort);
        reject(signal?.aborted ? abortError(signal) : new TypeError('fetch failed', { cause: error }));
      });
      req.end(body ?? undefined);
    });

    const status = incoming.statusCode ?? 502;
    if (status >= 300 && status < 400 && incoming.headers.location !== undefined && init.redirect !== 'manual') {
      incoming.destroy();
      throw new TypeError('fetch failed', { cause: new Error(`unexpected redirect to ${incoming.headers.location}`) });
    }
    const responseHeaders = new Headers();
    for (const [name, value] of Object.entries(incoming.headers)) {
      if (value === undefined) continue;
      for (const one of Array.isArray(value) ? value : [value]) responseHeaders.append(name, one);
    }
    if (NO_BODY.has(status) || init.method === 'HEAD') {
      incoming.resume();
      return new Response(null, { status, headers: responseHeaders });
    }
    // Decoded as fetch does, so the bytes passed on match the headers the proxy writes.
    const encoding = (incoming.headers['content-encoding'] ?? '').trim().toLowerCase();
    const decoder =
      encoding === 'gzip' || encoding === 'x-gzip'
        ? zlib.createGunzip()
        : encoding === 'deflate'
          ? zlib.createInflate()
          : encoding === 'br'
            ? zlib.createBrotliDecompress()
            : undefined;
    let source: Readable = incoming;
    if (decoder) {
      // pipeline, not pipe: a decoder destroyed before anyone reads (the body is refused unread)
      // destroys the socket's response too, so the socket is freed, and its error has a listener
      // (with pipe, an unhandled 'error' took the whole process down).
      stream.pipeline(incoming, decoder, () => undefined);
      incoming.once('close', () => {
        if (!incoming.complete) decoder.destroy(new Error('The upstream connection closed mid-body.'));
      });
      source = decoder;
    }
    const webBody = lazyWebStream(source);
    sources.set(webBody, source);
    return new Response(webBody, { status, statusText: incoming.statusMessage ?? '', headers: responseHeaders });
  }) as typeof fetch;
}
