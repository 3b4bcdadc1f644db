/**
 * Small helpers written once for the browser core, the proxy and the fake upstream alike.
 * Web-standard and dependency-free on purpose: the proxy imports this module, and the proxy
 * must run unchanged on Node, Bun, Deno and Workers (test/http/proxy-portability.test.ts).
 */
import { isRecord } from './record.js';

/** A plain JSON object (not null, not an array); its own module, for the widget (see record.ts). */
export { isRecord };

/** The header that carries the session ID both ways, as in Pathors' API. */
export const SESSION_HEADER = 'X-Session-ID';
/** The browser's idempotency key: one per user action, refused when seen again. */
export const REQUEST_ID_HEADER = 'X-Request-ID';

/** The media type of a `Content-Type` value, lowercased and without parameters: `text/event-stream`. */
export function mediaType(contentType: string | null | undefined): string {
  return (contentType ?? '').split(';', 1)[0]!.trim().toLowerCase();
}

/** Reads `{"error": "..."}` and `{"error": {"message": "..."}}`, the two shapes Pathors sends (and `{"message"}`). */
export function errorMessageOf(body: unknown): string | undefined {
  if (!isRecord(body)) return undefined;
  const message = isRecord(body.error) ? body.error.message : (body.error ?? body.message);
  return typeof message === 'string' && message.trim() !== '' ? message : undefined;
}
