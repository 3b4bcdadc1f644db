// Takes the README's screenshots of the demo (light, dark, phone) in headless Chromium.
// `node scripts/screenshots.mjs` after a build; writes docs/images/*.png.
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, findChromium } from './find-chromium.mjs';
import { startDemoServer } from './demo-server.mjs';

const demo = await startDemoServer({ port: 0, upstream: { fake: { tokenDelayMs: 0 } } });
const browser = await chromium.launch({
  executablePath: findChromium(),
  args: CHROMIUM_ARGS,
});

async function shoot(name, { viewport, theme, message }) {
  const page = await browser.newPage({ viewport, deviceScaleFactor: 1 });
  await page.goto(`${demo.url}/`);
  await page.evaluate((value) => {
    localStorage.clear();
    document.querySelector('pathors-chat').setAttribute('theme', value);
  }, theme);
  await page.getByRole('button', { name: 'Open chat' }).click();
  await page.getByRole('textbox', { name: 'Message' }).fill(message);
  await page.keyboard.press('Enter');
  await page.locator('pathors-chat-panel .copy').first().waitFor();
  await page.mouse.move(0, 0);
  await page.screenshot({ path: `docs/images/${name}.png` });
  await page.close();
}

await shoot('panel-light', { viewport: { width: 1100, height: 760 }, theme: 'light', message: 'Show me a table of packs' });
await shoot('panel-dark', { viewport: { width: 1100, height: 760 }, theme: 'dark', message: 'Write some code' });
await shoot('panel-phone', { viewport: { width: 390, height: 760 }, theme: 'light', message: 'What tents do you have?' });
await browser.close();
await demo.close();
console.log('wrote docs/images/panel-light.png, panel-dark.png, panel-phone.png');
