import type { Kind } from './lexer.js';

/**
 * Token colours, `[light, dark]`, each at least 4.5:1 on the code block's background in its
 * theme (the panel's background and surface tokens; test/unit/highlight-palette.test.ts checks
 * the ratios). Hues after GitHub's light and dark themes, darkened or lightened for the margin.
 */
export const PALETTE: Record<Kind, readonly [light: string, dark: string]> = {
  keyword: ['#b42318', '#ff7b72'],
  string: ['#0a3069', '#a5d6ff'],
  number: ['#0550ae', '#79c0ff'],
  comment: ['#57606a', '#a0a8b2'],
  function: ['#6f42c1', '#d2a8ff'],
  type: ['#953800', '#ffa657'],
  builtin: ['#0550ae', '#79c0ff'],
  operator: ['#0d6b63', '#56d4dd'],
  punctuation: ['#454f5b', '#b1bac4'],
  property: ['#0550ae', '#79c0ff'],
  tag: ['#116329', '#7ee787'],
  attr: ['#0550ae', '#79c0ff'],
  variable: ['#953800', '#ffa657'],
  regexp: ['#116329', '#7ee787'],
  inserted: ['#116329', '#7ee787'],
  deleted: ['#82071e', '#ffa198'],
  meta: ['#6639ba', '#d2a8ff'],
};

/**
 * One rule per kind. The theme is the `color-scheme` the element inherits (the widget's host
 * sets `dark` for `theme="dark"` and for `theme="auto"` on a dark system), read by
 * `light-dark()`; a page overrides a kind with `--pathors-chat-code-<kind>`. Browsers without
 * `light-dark()` drop the colour and show the code in the text colour.
 */
export function paletteCss(): string {
  let css = '.tok-comment{font-style:italic}';
  for (const [kind, [light, dark]] of Object.entries(PALETTE))
    css += `.tok-${kind}{color:var(--pathors-chat-code-${kind},light-dark(${light},${dark}))}`;
  return css;
}
