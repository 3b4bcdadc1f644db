/** The header that carries the session ID both ways, as in Pathors' API. */
export const SESSION_HEADER = 'X-Session-ID';
/** The browser's idempotency key: one per user action, refused when seen again. */
export const REQUEST_ID_HEADER = 'X-Request-ID';
