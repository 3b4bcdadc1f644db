/** A module fetched on first use, once; a failed fetch is forgotten, so the next use tries again. */
export function lazily<T>(load: () => Promise<T>): () => Promise<T> {
  let module: Promise<T> | undefined;
  return () =>
    (module ??= load().catch((error: unknown) => {
      module = undefined;
      throw error;
    }));
}

/**
 * Running page tools is code only pages with tools need: it loads with the first request
 * that offers tools (or earlier, when the panel sees `tools` set). Here rather than beside the
 * conversation, so that the send chunk, which runs tools, does not import the conversation back.
 */
export const loadTools = lazily(() => import('./tools.js'));
