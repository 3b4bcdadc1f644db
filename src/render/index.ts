/**
 * Streaming, safe CommonMark (+ GFM tables and strikethrough) for agent replies.
 *
 * - Output is built with createElement and text nodes only, from a fixed set of tags
 *   and attributes; raw HTML in the text is shown as the text it is.
 * - Links keep http, https and mailto URLs, and relative ones (no scheme: they stay on
 *   the page's origin), and open in a new tab with `rel="noopener noreferrer nofollow"`;
 *   any other scheme renders the link's text alone.
 * - Images load only from `imageHosts`, without a referrer; otherwise their alt text shows.
 * - Code blocks get a copy button (`div.code > pre > code` + `button.copy`). A code
 *   block's `pre` and a table scroll sideways, so they take the focus (`tabindex="0"`).
 * - Character references are decoded by the browser's HTML parser, handed one whole
 *   reference at a time (`&`, letters, digits or `#`, `;`: it cannot hold markup).
 *   Under an enforced Trusted Types policy that is refused, and they stay as written.
 */
export { MarkdownStream, renderMarkdown } from './stream.js';
export type { RenderOptions } from './render.js';
