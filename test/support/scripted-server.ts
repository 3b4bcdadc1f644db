import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback server that answers each POST exactly as its URL describes, for
 * the transport's edge cases that no well-behaved upstream produces:
 * `POST /reply?status=500&type=text/html&body=<text>` or, to stream,
 * `POST /reply?type=text/event-stream&chunks=<JSON array of strings>&delay=20&drop=1`.
 * `GET /count?key=k` tells how many POSTs carried `key=k`. CORS is open.
 */
export async function startScriptedServer(): Promise<{ url: string; close(): Promise<void> }> {
  const counts = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const cors = {
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Allow-Headers': '*',
      'Access-Control-Expose-Headers': 'X-Session-ID, Retry-After',
    };
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { ...cors, 'Access-Control-Allow-Methods': 'POST, GET' }).end();
      return;
    }
    if (req.method === 'GET' && url.pathname === '/count') {
      res
        .writeHead(200, { ...cors, 'Content-Type': 'application/json' })
        .end(JSON.stringify(counts.get(url.searchParams.get('key') ?? '') ?? 0));
      return;
    }
    const key = url.searchParams.get('key') ?? '';
    counts.set(key, (counts.get(key) ?? 0) + 1);
    req.resume();
    const headers: Record<string, string> = {
      ...cors,
      'Content-Type': url.searchParams.get('type') ?? 'application/json',
    };
    for (const name of ['X-Session-ID', 'Retry-After']) {
      const value = url.searchParams.get(name);
      if (value) headers[name] = value;
    }
    const status = Number(url.searchParams.get('status') ?? 200);
    const chunks: string[] = JSON.parse(url.searchParams.get('chunks') ?? 'null') ?? [
      url.searchParams.get('body') ?? '',
    ];
    const delay = Number(url.searchParams.get('delay') ?? 0);
    const wait = Number(url.searchParams.get('wait') ?? 0);
    setTimeout(async () => {
      res.writeHead(status, headers);
      res.flushHeaders();
      for (const chunk of chunks) {
        if (res.destroyed) return;
        res.write(chunk);
        if (delay) await new Promise((done) => setTimeout(done, delay));
      }
      if (url.searchParams.get('drop')) res.destroy();
      else res.end();
    }, wait);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
