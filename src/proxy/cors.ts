import { REQUEST_ID_HEADER, SESSION_HEADER } from '../shared/http.js';
import { ProxyError } from './errors.js';
import type { ResolvedOptions } from './options.js';

export const ALLOWED_METHODS = 'GET, POST, DELETE, OPTIONS';
const BASE_HEADERS = ['Content-Type', SESSION_HEADER, REQUEST_ID_HEADER];
const EXPOSED_HEADERS = `${SESSION_HEADER}, Retry-After`;
const PREFLIGHT_MAX_AGE = '600';

export type OriginVerdict =
  | { kind: 'none' }
  | { kind: 'same-origin' }
  | { kind: 'allowed'; origin: string }
  | { kind: 'refused'; origin: string };

export function judgeOrigin(request: Request, options: ResolvedOptions): OriginVerdict {
  const origin = request.headers.get('Origin');
  // The browser's word that a page of the proxy's own origin sent this: no page script can set
  // or forge the header, so the site's own pages need no listing, on localhost as in production.
  // A browser's same-origin POST or DELETE always carries Origin too: without it, the request is
  // a script's, and `allowNoOrigin` decides.
  const read = request.method === 'GET' || request.method === 'HEAD';
  if (request.headers.get('Sec-Fetch-Site') === 'same-origin' && (origin !== null || read))
    return { kind: 'same-origin' };
  if (origin === null) return { kind: 'none' };
  return options.isOriginAllowed(origin) ? { kind: 'allowed', origin } : { kind: 'refused', origin };
}

/** Refuses a refused origin, and a request with none unless `allowNoOrigin` (a preflight always has one). */
export function requireAllowedOrigin(verdict: OriginVerdict, allowNoOrigin: boolean): void {
  if (verdict.kind === 'refused') {
    // Cut short: the header is the client's to make as long as it likes.
    throw new ProxyError(
      'origin_not_allowed',
      `${verdict.origin.slice(0, 100)} is not in the chat proxy's allowed origins.`,
    );
  }
  if (verdict.kind === 'none' && !allowNoOrigin) {
    throw new ProxyError('origin_not_allowed', 'Requests without an Origin header are not accepted.');
  }
}

/**
 * Headers for every answer. `Vary: Origin` goes on all of them, allowed or not, so a shared
 * cache never hands one origin's answer to another.
 */
export function corsHeaders(verdict: OriginVerdict, options: ResolvedOptions): Record<string, string> {
  if (verdict.kind !== 'allowed') return { Vary: 'Origin' };
  const headers: Record<string, string> = {
    'Access-Control-Allow-Origin': verdict.origin,
    'Access-Control-Expose-Headers': EXPOSED_HEADERS,
    Vary: 'Origin',
  };
  if (options.allowCredentials) headers['Access-Control-Allow-Credentials'] = 'true';
  return headers;
}

export function preflightHeaders(verdict: OriginVerdict, options: ResolvedOptions): Record<string, string> {
  return {
    ...corsHeaders(verdict, options),
    'Access-Control-Allow-Methods': ALLOWED_METHODS,
    'Access-Control-Allow-Headers': [...BASE_HEADERS, ...options.allowedHeaders].join(', '),
    'Access-Control-Max-Age': PREFLIGHT_MAX_AGE,
    Vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
  };
}
