/** Gzip sizes of the script-tag build; see bundle-size.mjs. */
export interface BundleSizes {
  firstLoad: number;
  whole: number;
  everything: number;
  classic: number;
  optional: Record<string, number>;
  files: Record<string, number>;
}
export function measureBundle(): BundleSizes;
/** The size budgets in gzip bytes, shared by the size test and the bench. */
export const BUDGETS: { firstLoad: number; whole: number; highlight: number; optional: number; classic: number };
