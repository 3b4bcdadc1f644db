// app/api/chat/[...path]/route.ts (Next.js App Router; Vercel and Netlify functions take the same shape)
import { createPathorsProxy } from 'pathors-chat/proxy';

const proxy = createPathorsProxy({
  apiKey: process.env.PATHORS_API_KEY!,
  projectId: process.env.PATHORS_PROJECT_ID!,
  upstream: process.env.PATHORS_BASE_URL, // unset: https://app.pathors.com
  allowedOrigins: ['https://shop.example'],
  sessionSecret: process.env.PATHORS_SESSION_SECRET!,
  basePath: '/api/chat', // these platforms pass the full URL
  clientIp: (request) => request.headers.get('x-real-ip') ?? undefined,
});
export const GET = (request: Request) => proxy(request);
export const POST = GET;
export const DELETE = GET;
export const OPTIONS = GET;
