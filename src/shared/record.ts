/**
 * A plain JSON object (not null, not an array). In a module of its own: the widget's storage
 * and transcript checks need it without the headers of src/shared/http.ts, which only a send
 * needs (they load with the send chunk, not with the open widget).
 */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
