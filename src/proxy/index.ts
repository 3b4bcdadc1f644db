/**
 * `pathors-chat/proxy`: the server side of pathors-chat. Holds the Pathors API key, guards who
 * may spend it, and passes the agent's stream through untouched. Server-only: the handler uses
 * Web standard APIs alone (Node >= 20, Bun, Deno, Workers); `toNodeHandler` and
 * `startProxyServer` need `node:http`.
 */
export { createPathorsProxy } from './handler.js';
export type { PathorsProxy } from './handler.js';
export { normaliseHistory } from './routes/sessions.js';
export type { SessionHistory } from './routes/sessions.js';
export { DEFAULTS, DEFAULT_UPSTREAM, ProxyOptionsError } from './options.js';
export type {
  BucketOptions,
  PathorsProxyOptions,
  ProxyContext,
  RateLimitOptions,
  UpstreamTemplates,
} from './options.js';
export { MemoryRateLimitStore } from './rate-limit.js';
export type { ConsumeResult, MemoryStoreOptions, RateLimitStore } from './rate-limit.js';
export { ERROR_CODES } from './errors.js';
export type { ProxyErrorBody, ProxyErrorCode } from './errors.js';
export type { ProxyLogEvent } from './log.js';
export { REQUEST_ID_HEADER, SESSION_HEADER } from '../shared/http.js';
export { toNodeHandler } from './node-handler.js';
export { createNodeFetch } from './node-fetch.js';
export type { NodeHandler } from './node-handler.js';
export { SERVER_GUARD_DEFAULTS, guardServer, startProxyServer } from './node.js';
export type { ProxyServer, ProxyServerOptions, ServerGuardOptions } from './node.js';
export { HEALTH_STALL_MS, startHealthPort } from './health-port.js';
export type { HealthPort, HealthPortOptions } from './health-port.js';
