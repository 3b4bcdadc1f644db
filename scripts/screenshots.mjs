// Takes the README's screenshots of the demo (light, dark, phone) in headless Chromium, each with
// the replies a visitor meets most (a page tool's card, a table, a long code block, an error).
// `node scripts/screenshots.mjs` after a build; writes docs/images/*.png. Look at every one.
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, findChromium } from './find-chromium.mjs';
import { startDemoServer } from './demo-server.mjs';

const demo = await startDemoServer({ port: 0, upstream: { fake: { tokenDelayMs: 0 } } });
const browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS });

/** Sends one message and waits until the turn is over (its reply finished, or an error shows). */
async function ask(page, text) {
  const panel = page.locator('pathors-chat-panel');
  const sent = await panel.locator('.message.user').count();
  await page.getByRole('textbox', { name: 'Message' }).fill(text);
  await page.keyboard.press('Enter');
  await page.waitForFunction((count) => {
    const root = document.querySelector('pathors-chat').shadowRoot.querySelector('pathors-chat-panel').shadowRoot;
    const last = [...root.querySelectorAll('.message')].at(-1);
    const idle = root.querySelector('[part="send-button"]').getAttribute('aria-label') === 'Send';
    return (
      root.querySelectorAll('.message.user').length > count &&
      idle &&
      (last?.classList.contains('assistant') || root.querySelector('[role="alert"]'))
    );
  }, sent);
}

async function shoot(name, { viewport, theme, messages, scroll, phone = false }) {
  // A phone is a touch screen: no hover, so every reply shows its actions.
  const page = await browser.newPage({
    viewport,
    deviceScaleFactor: 1,
    colorScheme: theme,
    hasTouch: phone,
    isMobile: phone,
  });
  await page.goto(`${demo.url}/`);
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await page.getByRole('button', { name: 'Open chat' }).click();
  for (const message of messages) await ask(page, message);
  // Let the highlighter's chunk arrive and the scroll follower settle, then frame the shot.
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(300);
  if (scroll)
    await page
      .locator(`pathors-chat-panel ${scroll}`)
      .evaluate((element) => element.scrollIntoView({ block: 'start' }));
  await page.mouse.move(0, 0);
  await page.screenshot({ path: `docs/images/${name}.png` });
  await page.close();
}

const desktop = { width: 1100, height: 800 };
// Light: a table and an error. Dark: long code blocks. Phone: a page tool's card and an error.
await shoot('panel-light', {
  viewport: desktop,
  theme: 'light',
  messages: ['Show me a table of plans', '[[fault:http-500]] And shipping?'],
});
await shoot('panel-dark', { viewport: desktop, theme: 'dark', messages: ['Write some code'] });
await shoot('panel-phone', {
  viewport: { width: 390, height: 760 },
  theme: 'light',
  phone: true,
  messages: ['use get_cart', '[[fault:http-500]] Anything on sale?'],
});
await browser.close();
await demo.close();
console.log('wrote docs/images/panel-light.png, panel-dark.png, panel-phone.png');
