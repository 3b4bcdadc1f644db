/**
 * The Node adapter's own ways with bytes, over real loopback sockets: the request body buffered
 * straight from the IncomingMessage (bounded, whatever the client claims or sends), and the
 * upstream's reply written to the client's socket chunk by chunk at the pace the client reads.
 */
import { createServer, request } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createNodeFetch } from '../../src/proxy/index.js';
import { ORIGIN, listen, startBench, userTurn } from './proxy-harness.js';
import type { BenchOptions } from './proxy-harness.js';

const LIMIT = 4096;

function benchWith(options: BenchOptions = {}) {
  return startBench({ ...options, proxy: { fetch: createNodeFetch(), maxBodyBytes: LIMIT, ...options.proxy } });
}

interface Answer {
  status: number;
  body: string;
  /** Bytes of the request body written when the answer's head arrived. */
  sentBeforeAnswer: number;
}

/**
 * POSTs `pieces` one write each, a turn of the event loop apart, and stops writing (without ending
 * the request) as soon as an answer arrives: what a client streaming a body would see. `hold`
 * leaves the request open after the last piece, as a client still about to send would.
 */
function postInPieces(
  url: string,
  pieces: string[],
  { headers = {}, hold = false }: { headers?: Record<string, string>; hold?: boolean } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = request(
      `${url}/chat/completions`,
      { method: 'POST', headers: { 'Content-Type': 'application/json', Origin: ORIGIN, ...headers } },
      (res) => {
        answered = true;
        const sentBeforeAnswer = sent;
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (text: string) => (body += text));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body, sentBeforeAnswer });
          req.destroy();
        });
      },
    );
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    const next = (i: number) => {
      if (answered) return;
      if (i === pieces.length) {
        if (!hold) req.end();
        return;
      }
      req.write(pieces[i]);
      sent += Buffer.byteLength(pieces[i]!);
      setImmediate(() => next(i + 1));
    };
    req.flushHeaders();
    next(0);
  });
}

describe('toNodeHandler: the request body, buffered', () => {
  it('takes a body sent in many small pieces, and sends the chat upstream once', async () => {
    const bench = await benchWith();
    try {
      const json = JSON.stringify(userTurn('Pieced together, one byte at a time'));
      const answer = await postInPieces(bench.url, [...json]);
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.body)).toMatchObject({ choices: [{ message: { role: 'assistant' } }] });
      const chats = bench.fake.requests.filter((r) => r.kind === 'chat');
      expect(chats).toHaveLength(1);
      expect(chats[0]!.body).toMatchObject({
        messages: [{ role: 'user', content: 'Pieced together, one byte at a time' }],
      });
    } finally {
      await bench.close();
    }
  });

  it('answers 413 JSON to a body past the limit without waiting for the rest, and sends nothing upstream', async () => {
    const bench = await benchWith();
    try {
      // No Content-Length (chunked): the proxy counts, and answers once it has read past the limit.
      const piece = 'x'.repeat(1024);
      const pieces = Array.from({ length: 64 }, () => piece);
      const counted = await postInPieces(bench.url, pieces);
      expect(counted.status).toBe(413);
      expect(JSON.parse(counted.body)).toMatchObject({ error: { code: 'payload_too_large' } });
      expect(counted.sentBeforeAnswer).toBeLessThan(piece.length * pieces.length);

      // A declared length past the limit is refused on the head alone: no body byte was sent.
      const declared = await postInPieces(bench.url, [], {
        headers: { 'Content-Length': String(piece.length * pieces.length) },
        hold: true,
      });
      expect(declared.status).toBe(413);
      expect(declared.sentBeforeAnswer).toBe(0);
      expect(bench.upstreamCount()).toBe(0);
      // The server is still fine for the next visitor.
      expect((await bench.chat(userTurn())).status).toBe(200);
    } finally {
      await bench.close();
    }
  });
});

describe('toNodeHandler: the upstream reply, at the pace the client reads', () => {
  it('holds back the upstream while the client reads slowly, instead of buffering the reply', async () => {
    const REPLY_BYTES = 96 * 1024 * 1024;
    const event = `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: 'y'.repeat(16 * 1024) } }] })}\n\n`;
    let written = 0;
    let finishedWith: { written: number; received: number } | undefined;
    let received = 0;
    // An upstream that writes as fast as its socket takes it, and stops only when told to wait.
    const upstream = createServer((req: IncomingMessage, res: ServerResponse) => {
      req.resume();
      if (req.url?.endsWith('/session')) {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      const more = () => {
        while (written < REPLY_BYTES) {
          written += event.length;
          if (!res.write(event)) {
            res.once('drain', more);
            return;
          }
        }
        finishedWith = { written, received };
        res.end('data: [DONE]\n\n');
      };
      more();
    });
    const upstreamUrl = await listen(upstream);
    const bench = await benchWith({ proxy: { upstream: upstreamUrl, maxBodyBytes: 64 * 1024 } });
    try {
      const total = await new Promise<number>((resolve, reject) => {
        const req = request(
          `${bench.url}/chat/completions`,
          { method: 'POST', headers: { 'Content-Type': 'application/json', Origin: ORIGIN } },
          (res) => {
            // A slow reader: one read every few milliseconds, far slower than loopback can carry.
            res.pause();
            const tick = setInterval(() => {
              let chunk: Buffer | null;
              for (let i = 0; i < 4 && (chunk = res.read() as Buffer | null) !== null; i++) received += chunk.length;
            }, 2);
            res.on('end', () => {
              clearInterval(tick);
              resolve(received);
            });
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(JSON.stringify(userTurn('Everything, please', { stream: true })));
      });
      expect(total).toBeGreaterThanOrEqual(REPLY_BYTES);
      // The upstream could only finish once the client had nearly caught up: what lay between them
      // was socket buffers, not the reply held in the proxy's memory.
      expect(finishedWith).toBeDefined();
      expect(finishedWith!.written - finishedWith!.received).toBeLessThan(REPLY_BYTES / 3);
    } finally {
      await bench.close();
      upstream.closeAllConnections();
      upstream.close();
    }
  }, 60_000);
});
