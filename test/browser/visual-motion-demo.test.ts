import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cdp, page, userEvent } from 'vitest/browser';
import type { PathorsChat } from '../../src/index.js';
import { until } from '../support/fake-control.js';
import { launcher, mountChat, panelOf } from '../support/widget.js';

beforeEach(async () => {
  await page.viewport(1280, 800);
});
afterEach(async () => {
  document.body.replaceChildren();
  await cdp().send('Emulation.setEmulatedMedia', { features: [] });
});

const panelElement = (chat: PathorsChat) => chat.shadowRoot!.querySelector('pathors-chat-panel')!;
/** The transitions running on the panel, by property, with their durations in ms. */
function transitions(element: Element): Record<string, number> {
  return Object.fromEntries(
    element
      .getAnimations()
      .filter((a): a is CSSTransition => a instanceof CSSTransition)
      .map((a) => [a.transitionProperty, Number(a.effect!.getTiming().duration)]),
  );
}
async function settled(element: Element): Promise<void> {
  await Promise.all(element.getAnimations().map((animation) => animation.finished.catch(() => undefined)));
}

describe('open and close motion', () => {
  it("opens with a 180 ms fade and scale from the launcher's corner, closes in 120 ms", async () => {
    const chat = await mountChat();
    await userEvent.click(launcher(chat));
    const panel = await panelOf(chat);
    await settled(panel);
    const box = panel.getBoundingClientRect();
    expect(getComputedStyle(panel).transformOrigin).toBe(`${box.width}px ${box.height}px`);

    chat.open = false;
    await chat.updateComplete;
    // Still on screen while it fades out, then gone.
    expect(transitions(panel)).toMatchObject({ opacity: 120, transform: 120 });
    expect(getComputedStyle(panel).display).toBe('block');
    await settled(panel);
    expect(getComputedStyle(panel).display).toBe('none');

    chat.open = true;
    await chat.updateComplete;
    expect(transitions(panel)).toMatchObject({ opacity: 180, transform: 180 });
    await settled(panel);
    expect(getComputedStyle(panel).opacity).toBe('1');
    expect(getComputedStyle(panel).transform).toBe('none');
  });

  it('scales from the bottom-left corner when the launcher is there', async () => {
    const chat = await mountChat({ open: true, position: 'bottom-left' });
    const panel = await panelOf(chat);
    await settled(panel);
    expect(getComputedStyle(panel).transformOrigin).toBe(`0px ${panel.getBoundingClientRect().height}px`);
  });

  it('does not move under prefers-reduced-motion: reduce', async () => {
    await cdp().send('Emulation.setEmulatedMedia', { features: [{ name: 'prefers-reduced-motion', value: 'reduce' }] });
    expect(matchMedia('(prefers-reduced-motion: reduce)').matches).toBe(true);
    const chat = await mountChat();
    await userEvent.click(launcher(chat));
    const panel = await panelOf(chat);
    expect(transitions(panel)).toEqual({});
    chat.open = false;
    await chat.updateComplete;
    expect(transitions(panel)).toEqual({});
    expect(getComputedStyle(panel).display).toBe('none');
  });
});

describe('the theming demo page', () => {
  /** demo/theming.html as served, with the widget from source instead of dist/. */
  async function openThemingPage(): Promise<Document> {
    const html = await (await fetch('/demo/theming.html')).text();
    const frame = document.createElement('iframe');
    frame.style.cssText = 'width: 1280px; height: 800px; border: 0';
    // The test server instruments dynamic imports through a hook of its own page; the frame gets a plain one.
    const hook = '<script>window.__vitest_browser_runner__ = { wrapDynamicImport: (load) => load() };</script>';
    frame.srcdoc = html
      .replace('<head>', `<head><base href="/demo/">${hook}`)
      .replace('/dist/pathors-chat.js', '/src/index.ts');
    const loaded = new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
    document.body.append(frame);
    await loaded;
    return frame.contentDocument!;
  }

  it.each(['bottom-right', 'bottom-left'])(
    'at 1280x800 the open panel (%s) covers none of the controls',
    async (position) => {
      const doc = await openThemingPage();
      const chat = await new Promise<PathorsChat>((resolve) => {
        const check = () => {
          const element = doc.querySelector('pathors-chat') as PathorsChat | null;
          if (element?.shadowRoot?.querySelector('pathors-chat-panel')?.shadowRoot?.querySelector('.panel'))
            resolve(element);
          else setTimeout(check, 20);
        };
        check();
      });
      const select = doc.querySelector<HTMLSelectElement>('#position')!;
      select.value = position;
      select.dispatchEvent(new Event('change'));
      await chat.updateComplete;
      const panel = panelElement(chat);
      await until(() => panel.getAnimations().length === 0, 'the panel to settle');
      const covered = [panel.getBoundingClientRect(), launcher(chat).getBoundingClientRect()];
      const controls = [...doc.querySelectorAll('main :is(input, select, button, pre)')];
      expect(controls.length).toBeGreaterThanOrEqual(21);
      // Apart horizontally, so that no scroll position of the page brings a control under the panel.
      const apart = (a: DOMRect, b: DOMRect) => a.right <= b.left || b.right <= a.left;
      const hidden = controls.filter((control) => covered.some((box) => !apart(control.getBoundingClientRect(), box)));
      expect(hidden.map((control) => control.id || control.parentElement!.textContent!.trim())).toEqual([]);
    },
  );
});
