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
      // A refused origin is the site's setup, not the visitor's session: its own words say which.
      return (status === 401 || status === 403) && this.serverCode !== 'origin_not_allowed'
        ? 'errorSession'
        : status < 500
          ? 'errorClient'
          : 'errorServer';
    }
    return `error${this.code.replace(/(?:^|_)(\w)/g, (_, letter: string) => letter.toUpperCase())}` as ErrorMessageKey;
  }
}
