/**
 * Streaming, safe CommonMark (+ GFM tables and strikethrough) for agent replies.
 *
 * - Output is built with createElement and text nodes only, from a fixed set of tags
 *   and attributes; raw HTML in the text is shown as the text it is.
 * - Links keep http, https and mailto URLs, and relative ones (no scheme: they stay on
 *   the page's origin), and open in a new tab with `rel="noopener noreferrer nofollow"`;
 *   any other scheme renders the link's text alone.
 * - Images load only from `imageHosts`, without a referrer; otherwise their alt text shows.
 * - Code blocks get a header bar with the language and a copy button
 *   (`div.code > div.code-header > span.code-lang + button.copy`, then `pre > code`);
 *   `onCodeBlock` gets each fenced block once it is final. Tables sit in `div.table`.
 *   A code block's `pre` and a table's wrapper scroll sideways, so they take the focus.
 * - Bare URLs, `www.` addresses and emails become links (GFM autolinks), as links do.
 * - Hostile input costs linear time, whole or streamed: containers and inline elements
 *   nest at most 32 deep (deeper markers are text), a reply is cut at 1,000,000
 *   characters with a note, and a rendering failure shows the reply as plain text.
 * - Character references are decoded by the browser's HTML parser, handed one whole
 *   reference at a time (`&`, letters, digits or `#`, `;`: it cannot hold markup).
 *   Under an enforced Trusted Types policy that is refused, and they stay as written.
 */
export { MarkdownStream, renderMarkdown } from './stream.js';
export type { RenderOptions } from './render.js';
