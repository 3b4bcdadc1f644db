import { jsonResponse } from '../errors.js';

/** `GET /health`: open to anyone, touches nothing, so a load balancer can poll it. */
export function health(): Promise<Response> {
  return Promise.resolve(jsonResponse(200, { ok: true }));
}
