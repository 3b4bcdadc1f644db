/**
 * Streaming, safe CommonMark (+ GFM tables and strikethrough) for agent replies.
 * Output is built with createElement and text nodes only; links keep only http,
 * https and mailto (and scheme-less relative) URLs; images load only from
 * `imageHosts`; raw HTML is shown as text.
 */
export { MarkdownStream, renderMarkdown } from './stream.js';
export type { RenderOptions } from './render.js';
