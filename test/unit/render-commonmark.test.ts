// The CommonMark spec's examples against the pure parser (no DOM): fast feedback on
// conformance. The browser suite measures the real DOM, whole and streamed.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { normalizeInput, parseBlocks } from '../../src/render/blocks.js';
import type { Def } from '../../src/render/links.js';
import { collectDefs, context, renderBlock } from '../../src/render/render.js';
import type { VNode } from '../../src/render/vnode.js';

interface Example { markdown: string; html: string; section: string; number: number }
// spec.txt writes tabs as `→`; its own test runner turns them back.
const tests = (createRequire(import.meta.url)('commonmark-spec') as { tests: Example[] }).tests
  .map((ex) => ({ ...ex, markdown: ex.markdown.replace(/→/g, '\t'), html: ex.html.replace(/→/g, '\t') }));

const BLOCK = 'p|h[1-6]|ul|ol|li|blockquote|pre|hr|table|thead|tbody|tr|th|td|div';
const VOID = new Set(['hr', 'br', 'img']);
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function html(v: VNode): string {
  if (typeof v === 'string') return esc(v);
  if (v.t === 'div') return html(v.c[0]!);
  if (v.t === 'button') return '';
  const order = v.t === 'img' ? ['src', 'alt', 'title'] : v.t === 'a' ? ['href', 'title'] : Object.keys(v.a ?? {});
  const attrs = order.filter((k) => v.a?.[k] !== undefined).map((k) => ` ${k}="${esc(v.a![k]!)}"`).join('');
  return VOID.has(v.t) ? `<${v.t}${attrs} />` : `<${v.t}${attrs}>${v.c.map(html).join('')}</${v.t}>`;
}

export function renderToHtml(md: string): string {
  const blocks = parseBlocks(normalizeInput(md)).kids;
  const defs = new Map<string, Def>();
  collectDefs(blocks, defs);
  const ctx = context({ imageHosts: ['invalid.invalid'] }, defs);
  return blocks.flatMap((b) => renderBlock(b, ctx) ?? []).map(html).join('');
}

const normalize = (s: string) => s.replace(new RegExp(`\\n*(</?(?:${BLOCK})\\b[^>]*>|<br />)\\n*`, 'g'), '$1').replace(/\n$/, '');

describe('CommonMark spec, parser only', () => {
  it('reports per-section pass rates', () => {
    const bySection = new Map<string, [number, number]>();
    const failed: number[] = [];
    for (const ex of tests) {
      const ok = normalize(renderToHtml(ex.markdown)) === normalize(ex.html);
      const r = bySection.get(ex.section) ?? [0, 0];
      r[0] += ok ? 1 : 0;
      r[1]++;
      bySection.set(ex.section, r);
      if (!ok) failed.push(ex.number);
    }
    const lines = [...bySection].map(([s, [p, n]]) => `${s}: ${p}/${n}`);
    console.log(lines.join('\n') + '\nfailed: ' + failed.join(' '));
    expect(failed.length).toBeLessThan(tests.length);
  });
});
