// Streaming cost in the browser (never jsdom: see shared/PITFALLS.md). An ~80 KB reply
// streamed in 4-character tokens: MarkdownStream (append-only) against the naive
// strategy of re-rendering the whole text on every token, measured in the same run
// on the first tokens only (it is quadratic and would not finish). Run it in Chromium:
// test/bench/render.browser-bench.ts calls it (`npm run bench`).
import { MarkdownStream, renderMarkdown } from '../../src/render/index.js';
import { sampleReply } from './sample-reply.mjs';

export { sampleReply };

/** The worst common case: the whole reply is one top-level list, so it stays open. */
export function sampleList(bytes = 20_000): string {
  const items: string[] = [];
  let size = 0;
  for (let i = 1; size < bytes; i++) {
    const pad = ' '.repeat(String(i).length + 2);
    const item =
      `${i}. **Step ${i}**: run the command below and check its *output*.\n\n` +
      `${pad}\`\`\`sh\n${pad}npm run step-${i} -- --verbose\n${pad}\`\`\`\n`;
    items.push(item);
    size += item.length + 1;
  }
  return items.join('\n');
}

function tokens(text: string, size = 4): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

function container(): HTMLElement {
  const div = document.createElement('div');
  document.body.append(div);
  return div;
}

/**
 * Milliseconds (and ratios) for: the whole reply rendered once; streamed with
 * MarkdownStream; and the naive re-render per token over the first `naiveTokens`.
 */
export async function runRenderBench(naiveTokens = 2_000): Promise<Record<string, number>> {
  const text = sampleReply();
  const toks = tokens(text);

  const once = container();
  let t = performance.now();
  renderMarkdown(text, once);
  const wholeOnceMs = performance.now() - t;
  once.remove();

  const live = container();
  t = performance.now();
  const stream = new MarkdownStream(live);
  for (const k of toks) stream.push(k);
  stream.end();
  const streamMs = performance.now() - t;
  live.remove();

  const naive = container();
  let acc = '';
  t = performance.now();
  for (const k of toks.slice(0, naiveTokens)) renderMarkdown((acc += k), naive);
  const naivePrefixMs = performance.now() - t;
  naive.remove();

  const prefix = container();
  const s2 = new MarkdownStream(prefix);
  t = performance.now();
  for (const k of toks.slice(0, naiveTokens)) s2.push(k);
  const streamPrefixMs = performance.now() - t;
  prefix.remove();

  const list = sampleList();
  const listRoot = container();
  t = performance.now();
  const s3 = new MarkdownStream(listRoot);
  for (const k of tokens(list)) s3.push(k);
  s3.end();
  const oneListStreamMs = performance.now() - t;
  listRoot.remove();

  return {
    bytes: text.length,
    tokens: toks.length,
    wholeOnceMs,
    streamMs,
    streamPerTokenUs: (streamMs / toks.length) * 1000,
    naiveTokens,
    naivePrefixMs,
    streamPrefixMs,
    naiveOverStreamOnPrefix: naivePrefixMs / streamPrefixMs,
    // The naive cost grows with the text: the full reply would take at least this long.
    naiveFullEstimateMs: (naivePrefixMs / naiveTokens ** 2) * toks.length ** 2,
    naiveFullEstimateOverStream: ((naivePrefixMs / naiveTokens ** 2) * toks.length ** 2) / streamMs,
    oneListBytes: list.length,
    oneListStreamMs,
  };
}
