// src/worker.ts (wrangler.toml: a `durable_objects` binding PATHORS_RATE_LIMITER of class
// PathorsRateLimiter, and its migration; see "Rate limits across instances")
import { createPathorsProxy, type PathorsProxy } from 'pathors-chat/proxy';
import { DurableObjectRateLimitStore, PathorsRateLimiter } from 'pathors-chat/proxy/durable-object';

export { PathorsRateLimiter };

interface Env {
  PATHORS_API_KEY: string; // `wrangler secret put PATHORS_API_KEY`
  PATHORS_PROJECT_ID: string;
  PATHORS_SESSION_SECRET: string;
  PATHORS_BASE_URL?: string;
  PATHORS_RATE_LIMITER: DurableObjectNamespace;
}

let proxy: PathorsProxy | undefined;
export default {
  fetch(request: Request, env: Env, ctx: ExecutionContext) {
    proxy ??= createPathorsProxy({
      apiKey: env.PATHORS_API_KEY,
      projectId: env.PATHORS_PROJECT_ID,
      upstream: env.PATHORS_BASE_URL, // unset: https://app.pathors.com
      allowedOrigins: ['https://shop.example'],
      sessionSecret: env.PATHORS_SESSION_SECRET,
      clientIp: (req) => req.headers.get('CF-Connecting-IP') ?? undefined,
      // One limit for every isolate and every data centre.
      store: new DurableObjectRateLimitStore(env.PATHORS_RATE_LIMITER),
    });
    return proxy(request, { waitUntil: (p) => ctx.waitUntil(p) });
  },
};
