// server.ts: the proxy mounted in an Express app (node:http and Connect work the same way).
import express from 'express';
import { createPathorsProxy, toNodeHandler } from 'pathors-chat/proxy';

const proxy = createPathorsProxy({
  apiKey: process.env.PATHORS_API_KEY!,
  projectId: process.env.PATHORS_PROJECT_ID!,
  upstream: process.env.PATHORS_BASE_URL, // unset: https://app.pathors.com
  allowedOrigins: ['https://shop.example'],
  sessionSecret: process.env.PATHORS_SESSION_SECRET!,
  // The only way to set session variables: from your own knowledge of the user.
  sessionVariables: (request) => ({ plan: request.headers.get('Cookie')?.includes('plan=pro') ? 'pro' : 'free' }),
});

const app = express();
app.use('/api/chat', toNodeHandler(proxy)); // Express strips the mount path; other paths go to next()
app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
