import type { IncomingMessage, ServerResponse } from 'node:http';
import { isFault } from './faults.js';
import { isRecord } from '../shared/http.js';
import { parseJson, readBodyText, sendError, sendJson } from './http-util.js';
import type { ControlAction } from './routes.js';
import type { Fault, FaultOptions, RecordedRequest } from './types.js';
import { FAULTS } from './types.js';

/** What the control routes may do to the fake. */
export interface ControlTarget {
  readonly requests: readonly RecordedRequest[];
  injectFault(fault: Fault, count?: number, options?: FaultOptions): void;
  reset(): void;
}

/** Any origin may drive the fake: it is a test tool on loopback, and browser tests run on another port. */
const CORS_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
  'Access-Control-Allow-Headers': 'Content-Type',
  'Access-Control-Max-Age': '600',
};

/**
 * `/__fake/*`: test-only routes that exist on the fake alone, for browser tests that cannot call
 * its Node methods. No `Authorization` needed.
 *
 * - `GET /__fake/requests`: the recorded chat requests (`?kind=all` for every kind), with the
 *   `authorization` header value redacted.
 * - `POST /__fake/reset`: forget requests, sessions and pending faults.
 * - `POST /__fake/fault` with `{ "fault": "http-500", "count": 1, "delayMs": 3000 }`.
 */
export async function handleControl(
  req: IncomingMessage,
  res: ServerResponse,
  action: ControlAction,
  target: ControlTarget,
): Promise<void> {
  if (req.method === 'OPTIONS') {
    res.writeHead(204, CORS_HEADERS);
    res.end();
    return;
  }
  const expected = action === 'requests' ? 'GET' : 'POST';
  if (req.method !== expected) {
    return sendError(res, 405, 'Method not allowed', { ...CORS_HEADERS, Allow: `${expected}, OPTIONS` });
  }

  if (action === 'requests') {
    const all = new URL(req.url ?? '/', 'http://fake').searchParams.get('kind') === 'all';
    const listed = target.requests.filter((request) => all || request.kind === 'chat').map(redact);
    return sendJson(res, 200, listed, CORS_HEADERS);
  }
  if (action === 'reset') {
    target.reset();
    return sendJson(res, 200, { ok: true }, CORS_HEADERS);
  }

  const text = await readBodyText(req);
  const parsed = parseJson(text === '' ? '{}' : text);
  if (!parsed.ok || !isRecord(parsed.value)) return sendError(res, 400, 'Body must be a JSON object', CORS_HEADERS);
  const { fault, count = 1, delayMs } = parsed.value;
  if (!isFault(fault)) {
    return sendError(res, 400, `fault must be one of ${FAULTS.join(', ')}`, CORS_HEADERS);
  }
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) {
    return sendError(res, 400, 'count must be a positive integer', CORS_HEADERS);
  }
  if (delayMs !== undefined && (typeof delayMs !== 'number' || !(delayMs >= 0))) {
    return sendError(res, 400, 'delayMs must be a non-negative number', CORS_HEADERS);
  }
  target.injectFault(fault, count, delayMs === undefined ? {} : { delayMs });
  sendJson(res, 200, { ok: true, fault, count }, CORS_HEADERS);
}

function redact(request: RecordedRequest): RecordedRequest {
  if (request.headers['authorization'] === undefined) return request;
  return { ...request, headers: { ...request.headers, authorization: '[redacted]' } };
}
