/**
 * One error taxonomy for everything that can go wrong with a turn. Each
 * error has a machine `code` (for the page's `pathors-error` listener) and
 * names the string the panel shows (`messageKey`, see `src/i18n`).
 */
export const ErrorCode = {
  /** The browser says it is offline. */
  offline: 'offline',
  /** The request never got an answer (DNS, refused, CORS, TLS). */
  network: 'network',
  /** No first byte within `firstByteTimeoutMs`. */
  timeout: 'timeout',
  /** 429: too many messages; `retryAfter` holds the seconds to wait. */
  rateLimited: 'rate_limited',
  /** Any other 4xx/5xx; `status` and the server's own `detail`. */
  http: 'http',
  /** The connection dropped after the reply had started. */
  interrupted: 'interrupted',
  /** Not a chat stream: wrong content type, or a chunk that is not JSON. */
  malformed: 'malformed',
  /** The reply ended without a word. */
  empty: 'empty',
  /** The element is missing a setting (`proxy-url`). */
  config: 'config',
  /** The agent kept calling tools past the limit of rounds in one turn. */
  toolLimit: 'tool_limit',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export type ErrorMessageKey =
  | 'errorOffline'
  | 'errorNetwork'
  | 'errorTimeout'
  | 'errorRateLimited'
  | 'errorServer'
  | 'errorClient'
  | 'errorSession'
  | 'errorInterrupted'
  | 'errorMalformed'
  | 'errorEmpty'
  | 'errorConfig'
  | 'errorToolLimit';

export class ChatError extends Error {
  override readonly name = 'ChatError';
  readonly code: ErrorCode;
  /** HTTP status, when the server answered. */
  readonly status: number | undefined;
  /** The server's own words, when it gave any. */
  readonly detail: string | undefined;
  /** Seconds to wait before trying again (429). */
  readonly retryAfter: number | undefined;
  /** The server's own machine code (`error.code` in the proxy's JSON), e.g. `invalid_session`. */
  readonly serverCode: string | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    extra: {
      status?: number;
      detail?: string;
      retryAfter?: number;
      serverCode?: string;
      cause?: unknown;
    } = {},
  ) {
    super(message, { cause: extra.cause });
    this.code = code;
    this.status = extra.status;
    this.detail = extra.detail;
    this.retryAfter = extra.retryAfter;
    this.serverCode = extra.serverCode;
  }

  /** Which string of the language table describes this error to a visitor: `rate_limited` reads `errorRateLimited`. */
  get messageKey(): ErrorMessageKey {
    const { status = 500 } = this;
    if (this.code === 'http') {
      return status === 401 || status === 403 ? 'errorSession' : status < 500 ? 'errorClient' : 'errorServer';
    }
    return `error${this.code.replace(/(?:^|_)(\w)/g, (_, letter: string) => letter.toUpperCase())}` as ErrorMessageKey;
  }
}

/** Reads `{"error": "..."}` and `{"error": {"message": "..."}}`, the two shapes Pathors sends. */
export function errorMessageOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || !('error' in body)) return undefined;
  const { error } = body;
  if (typeof error === 'string') return error;
  if (typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string')
    return error.message;
  return undefined;
}

/** Turns a non-2xx response into a ChatError, with the server's message when it sent one. */
export async function errorFromResponse(response: Response): Promise<ChatError> {
  const text = await response.text().catch(() => '');
  let detail: string | undefined;
  let serverCode: string | undefined;
  try {
    const body: unknown = JSON.parse(text);
    detail = errorMessageOf(body);
    const code = (body as { error?: { code?: unknown } }).error?.code;
    if (typeof code === 'string') serverCode = code;
  } catch {
    // An HTML error page from a gateway: its text is no use to a visitor.
  }
  const { status } = response;
  if (status === 429) {
    const seconds = Number(response.headers.get('Retry-After'));
    return new ChatError('rate_limited', `Rate limited (429)${detail ? `: ${detail}` : ''}`, {
      status,
      detail,
      serverCode,
      retryAfter: Number.isFinite(seconds) && seconds > 0 ? seconds : undefined,
    });
  }
  return new ChatError('http', `HTTP ${status}${detail ? `: ${detail}` : ''}`, { status, detail, serverCode });
}
