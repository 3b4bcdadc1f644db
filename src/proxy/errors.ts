/**
 * Every refusal the proxy gives, as `{ "error": { "code", "message" } }`. Codes are stable
 * snake_case strings a program can switch on; messages are for people.
 */
export const ERROR_CODES = {
  invalid_json: 400,
  invalid_request: 400,
  upstream_bad_request: 400,
  origin_not_allowed: 403,
  invalid_session: 403,
  not_found: 404,
  session_not_found: 404,
  method_not_allowed: 405,
  duplicate_request: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  upstream_rate_limited: 429,
  internal_error: 500,
  proxy_misconfigured: 502,
  upstream_error: 502,
  upstream_unreachable: 502,
  upstream_bad_response: 502,
  upstream_timeout: 504,
} as const;

/** The proxy's refusal codes (`error.code` in its JSON); the widget's own are `ErrorCode` in the main entry. */
export type ProxyErrorCode = keyof typeof ERROR_CODES;

export interface ProxyErrorBody {
  error: { code: ProxyErrorCode; message: string; field?: string };
}

/** A refusal on its way to becoming a response. */
export class ProxyError extends Error {
  readonly code: ProxyErrorCode;
  readonly status: number;
  readonly field: string | undefined;
  readonly headers: Record<string, string>;

  constructor(code: ProxyErrorCode, message: string, extra: { field?: string; headers?: Record<string, string> } = {}) {
    super(message);
    this.name = 'ProxyError';
    this.code = code;
    this.status = ERROR_CODES[code];
    this.field = extra.field;
    this.headers = extra.headers ?? {};
  }
}

/** 400 naming the offending field in both the message and `error.field`. */
export function invalidField(field: string, problem: string): ProxyError {
  return new ProxyError('invalid_request', `${field} ${problem}`, { field });
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      // Session histories are private; nothing the proxy answers belongs in a shared cache.
      'Cache-Control': 'no-store',
      ...headers,
    },
  });
}

export function errorResponse(error: ProxyError): Response {
  const body: ProxyErrorBody = { error: { code: error.code, message: error.message } };
  if (error.field !== undefined) body.error.field = error.field;
  return jsonResponse(error.status, body, error.headers);
}
