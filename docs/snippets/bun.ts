// server.ts: `bun server.ts`
import { createPathorsProxy } from 'pathors-chat/proxy';

const proxy = createPathorsProxy({
  apiKey: Bun.env.PATHORS_API_KEY!,
  projectId: Bun.env.PATHORS_PROJECT_ID!,
  upstream: Bun.env.PATHORS_BASE_URL, // unset: https://app.pathors.com
  allowedOrigins: ['https://shop.example'],
  sessionSecret: Bun.env.PATHORS_SESSION_SECRET!,
});

Bun.serve({
  hostname: '127.0.0.1',
  port: Number(Bun.env.PORT ?? 3000),
  idleTimeout: 0, // Bun closes a connection silent for 10 s; an agent may think for longer
  fetch: (request, server) => proxy(request, { clientAddress: server.requestIP(request)?.address }),
});
