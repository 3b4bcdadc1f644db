// Types for scripts/find-chromium.mjs, for the TypeScript that imports it.
export const CHROMIUM_ARGS: string[];
export function findChromium(): string;
