// Issue 12 §2, long tasks: whatever the reply's size and however many events arrive in one task,
// the element renders within a time budget per frame and carries the rest to the next, in order.
// Every frame callback of the reply view is timed (long-animation-frame entries, which would say
// which script ran, are not reported to the test's frame). No wall-clock limit on a whole run: a
// busy machine stretches any frame now and then, so a control measured in the same frames (a
// script as long as the render's budget per frame) says how often.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { page } from 'vitest/browser';
import { renderMarkdown } from '../../src/render/index.js';
import { fake } from '../support/fake-control.js';
import { $, idle, mountChat, panelOf } from '../support/widget.js';
import { burstFetch } from '../support/burst-fetch.js';

beforeEach(async () => {
  await page.viewport(1280, 800);
  await fake.reset();
});
const raf = window.requestAnimationFrame;
afterEach(() => {
  window.requestAnimationFrame = raf;
  document.body.replaceChildren();
  localStorage.clear();
});

/** About 290 KB: a chat answer's usual blocks, then a 200 KB paragraph and a 40 KB code block, then more. */
function longReply(): string {
  const parts: string[] = [];
  const usual = (index: number) =>
    `## Part ${index}\n\nParagraph ${index}, written *word by word* with a [link](https://example.com/${index}) ` +
    `and \`code\`.\nIt goes on for a second line.\n\n- item ${index}a\n- item ${index}b\n\n` +
    (index % 5 ? '' : '```js\nconst x = ' + index + ';\n```\n\n');
  for (let index = 0; index < 200; index++) parts.push(usual(index));
  parts.push('A long paragraph: ' + 'some **bold** words and a [link](https://example.com/p) go on. '.repeat(3_200));
  parts.push('\n\n```ts\n' + 'export const value = compute(input, 42); // a line of code\n'.repeat(680) + '```\n\n');
  for (let index = 200; index < 300; index++) parts.push(usual(index));
  return parts.join('');
}

it('a 290 KB reply, a 200 KB paragraph in it, in bursts of up to 1,000 events: no render task over 50 ms beyond what the machine does to a control; the DOM ends as a whole render', async () => {
  const text = longReply();
  expect(text.length).toBeGreaterThan(280_000);
  const chat = await mountChat({ open: true });
  chat.fetch = burstFetch(text, 4, [1, 10, 100, 1_000]);
  const panel = await panelOf(chat);

  // Every frame callback is timed: the reply view's (`renderPending`, where all rendering of
  // streamed text happens) and the control's, a script as long as the render's budget per frame.
  const renderTimes: number[] = [];
  const controlTimes: number[] = [];
  window.requestAnimationFrame = (callback) =>
    raf.call(window, (time) => {
      const start = performance.now();
      callback(time);
      const took = performance.now() - start;
      if (callback.name === 'renderPending') renderTimes.push(took);
      else if (callback === control) controlTimes.push(took);
    });
  let running = true;
  function control() {
    const start = performance.now();
    while (performance.now() - start < 6);
    if (running) requestAnimationFrame(control);
  }
  requestAnimationFrame(control);

  expect(await chat.send('write me something long')).toBe(true);
  await idle(panel, 300_000);
  running = false;

  // Complete, in order, and as a whole render of the text gives (highlighting set aside).
  expect(panel.conversation!.entries.at(-1)!.content).toBe(text);
  const whole = document.createElement('div');
  renderMarkdown(text, whole, { copyLabel: 'Copy', copiedLabel: 'Copied' });
  const plain = (html: string) => html.replace(/<\/?span[^>]*>/g, '');
  expect(plain($(panel, '.message.assistant pathors-reply')!.innerHTML)).toBe(plain(whole.innerHTML));

  const long = (times: number[]) => times.filter((time) => time > 50).map(Math.round);
  const report =
    `frames rendering the stream: ${renderTimes.length}, over 50 ms: ${long(renderTimes).join(', ') || 'none'}; ` +
    `control: ${controlTimes.length} frames, over 50 ms: ${long(controlTimes).join(', ') || 'none'}`;
  console.log(report);
  expect(renderTimes.length).toBeGreaterThan(100);
  // One frame may hold the paragraph's render once it is finished (200 KB of inline markdown
  // parsed at once, 100-400 ms here): the one cost the renderer cannot split; and on a machine
  // busy with the whole suite a frame that collects garbage or does a little more than the
  // control may be stretched past 50 ms once or twice. Rendering the paragraph again as it grew,
  // as before, made 10 to 12 frames over 50 ms here, with the control at none or one.
  expect(long(renderTimes).length, report).toBeLessThanOrEqual(2 * long(controlTimes).length + 3);
}, 320_000);
