/**
 * Thrown when a turn was stopped by its caller (the visitor, a reset); not an error to show.
 * Apart from errors.ts: only the send chunk throws and catches it, and errors.ts loads with
 * the open widget.
 */
export class AbortedError extends Error {
  override readonly name = 'AbortError';
}
