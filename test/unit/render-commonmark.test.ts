// The CommonMark spec's examples against the pure parser (no DOM): fast feedback on
// conformance. The browser suite measures the real DOM, whole and streamed.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { BLOCK, renderToHtml } from './render-html.js';

interface Example { markdown: string; html: string; section: string; number: number }
// spec.txt writes tabs as `→`; its own test runner turns them back.
const tests = (createRequire(import.meta.url)('commonmark-spec') as { tests: Example[] }).tests
  .map((ex) => ({ ...ex, markdown: ex.markdown.replace(/→/g, '\t'), html: ex.html.replace(/→/g, '\t') }));

const normalize = (s: string) => s.replace(new RegExp(`\\n*(</?(?:${BLOCK})\\b[^>]*>|<br />)\\n*`, 'g'), '$1').replace(/\n$/, '');

describe('CommonMark spec, parser only', () => {
  it('passes at least 95% outside the raw HTML and reference sections', () => {
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
    let passed = 0;
    let total = 0;
    for (const [s, [p, n]] of bySection) {
      // References are decoded by the browser's HTML parser: the browser suite has them.
      if (s === 'HTML blocks' || s === 'Raw HTML' || s === 'Entity and numeric character references') continue;
      passed += p;
      total += n;
    }
    console.log(`parser only: ${passed}/${total}`);
    expect(passed / total).toBeGreaterThanOrEqual(0.95);
  });
});
