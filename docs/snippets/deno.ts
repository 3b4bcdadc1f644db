// server.ts: `deno run --allow-net --allow-env server.ts`
import { createPathorsProxy } from 'pathors-chat/proxy'; // 'npm:pathors-chat/proxy' without a package.json

const proxy = createPathorsProxy({
  apiKey: Deno.env.get('PATHORS_API_KEY')!,
  projectId: Deno.env.get('PATHORS_PROJECT_ID')!,
  upstream: Deno.env.get('PATHORS_BASE_URL'), // unset: https://app.pathors.com
  allowedOrigins: ['https://shop.example'],
  sessionSecret: Deno.env.get('PATHORS_SESSION_SECRET')!,
});

Deno.serve(
  { hostname: '127.0.0.1', port: Number(Deno.env.get('PORT') ?? 8000) },
  (request, info) => proxy(request, { clientAddress: info.remoteAddr.hostname }),
);
