// server.ts: every instance shares one set of limits through Redis (npm install ioredis)
import { createServer } from 'node:http';
import { createPathorsProxy, toNodeHandler } from 'pathors-chat/proxy';
import { RedisRateLimitStore, createRedisClient, withStoreHealth } from 'pathors-chat/proxy/redis';

const store = new RedisRateLimitStore({
  client: await createRedisClient(process.env.REDIS_URL!), // e.g. redis://10.0.0.5:6379
  // Redis down: 'open' serves without limits, warns once and reports /health degraded;
  // 'closed' refuses (500) and answers /health 503. Either way no request waits over 500 ms.
  failMode: 'open',
});

const proxy = createPathorsProxy({
  apiKey: process.env.PATHORS_API_KEY!,
  projectId: process.env.PATHORS_PROJECT_ID!,
  upstream: process.env.PATHORS_BASE_URL, // unset: https://app.pathors.com
  allowedOrigins: ['https://shop.example'],
  sessionSecret: process.env.PATHORS_SESSION_SECRET!, // the same on every instance
  store,
});

createServer(toNodeHandler(withStoreHealth(proxy, store))).listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
