/** Gzip sizes of the script-tag build; see bundle-size.mjs. */
export interface BundleSizes {
  firstLoad: number;
  whole: number;
  wholeFiles: string[];
  classic: number;
  lazy: Record<string, number>;
  files: Record<string, number>;
}
export function measureBundle(): BundleSizes;
/** The source files a built file was made from, as its source map lists them. */
export function sourcesOf(file: string): string[];
/** The size budgets in gzip bytes, shared by the size test and the bench. */
export const BUDGETS: { firstLoad: number; whole: number; lazy: Record<string, number>; classic: number };
