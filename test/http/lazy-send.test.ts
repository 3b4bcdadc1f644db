// The send path is a chunk of its own (dist/chunks/send-*.js): a visitor who opens the chat to
// read it never fetches it; one who writes fetches it as they type, and a send made while it is
// still on its way goes out once it lands, once. The built script-tag files, in Chromium, with
// each request the page makes seen by Playwright.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { type Browser, type Page, type Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoServer } from '../../scripts/demo-server.mjs';
import { launchChromium } from '../support/launch-chromium.js';

const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>lazy send</title>
<script type="module" src="/dist/pathors-chat.js"></script></head>
<body><pathors-chat proxy-url="/pathors" storage-key="lazy-send"></pathors-chat></body>
</html>
`;

let server: DemoServer;
let browser: Browser;

beforeAll(async () => {
  // `npm test` builds first; a lone run of this file may not have.
  if (!existsSync('dist/pathors-chat.js') || !existsSync('dist/proxy/index.js')) {
    const build = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
    if (build.status !== 0) throw new Error('node scripts/build.mjs failed');
  }
  const { startDemoServer } = await import('../../scripts/demo-server.mjs');
  server = await startDemoServer({
    port: 0,
    upstream: { fake: { tokenDelayMs: 1 } },
    handle: (_request, res, path) => {
      if (path !== '/lazy-send.html') return false;
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).end(PAGE);
      return true;
    },
  });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** A page whose requests are listed as they go out: paths of the chunks, and each chat POST. */
async function openPage(page: Page): Promise<{ chunks: string[]; posts: string[] }> {
  const seen = { chunks: [] as string[], posts: [] as string[] };
  page.on('request', (request) => {
    const { pathname } = new URL(request.url());
    if (pathname.startsWith('/dist/chunks/'))
      seen.chunks.push(pathname.replace(/^\/dist\/chunks\/|-[\w-]{8}\.js$/g, ''));
    if (request.method() === 'POST' && pathname === '/pathors/chat/completions') seen.posts.push(pathname);
  });
  await page.goto(`${server.url}/lazy-send.html`);
  await page.evaluate(() => customElements.whenDefined('pathors-chat').then(() => true));
  return seen;
}

async function openChat(page: Page): Promise<void> {
  await page.locator('[part="launcher"]').click();
  await expect.poll(() => page.locator('[part="composer"]').isVisible()).toBe(true);
}

/** Fails every request for the chunks `glob` names until the returned function lets them through. */
async function failingUntilAllowed(page: Page, glob: string): Promise<() => void> {
  let reachable = false;
  await page.route(glob, (route) => (reachable ? route.continue() : route.abort('connectionreset')));
  return () => {
    reachable = true;
  };
}

/** The text of the assistant's replies on screen. */
const replies = (page: Page) => page.locator('[part="message"].assistant pathors-reply').allTextContents();

describe('the send chunk', () => {
  it('is not fetched to open the chat or read it after a reload; typing fetches it, and the reply streams', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const seen = await openPage(page);
      await openChat(page);
      // Everything the open panel fetches has come: the element and the panel, nothing else.
      await page.waitForLoadState('networkidle');
      expect(seen.chunks).toEqual(['element', 'chat-panel']);

      await page.locator('[part="composer"]').pressSequentially('h');
      await expect.poll(() => seen.chunks).toContain('send');
      // With it, the English for what only a turn can show (its errors, a finished reply).
      await expect.poll(() => seen.chunks).toContain('en-turn');
      expect(seen.posts).toEqual([]);
      await page.locator('[part="composer"]').pressSequentially('ello');
      await page.locator('[part="composer"]').press('Enter');
      await expect.poll(() => replies(page)).toHaveLength(1);
      expect((await replies(page))[0]).not.toBe('');
      expect(seen.posts).toHaveLength(1);

      // The same visitor comes back: the conversation is read from storage, and nothing of the send path loads.
      // (It opens by itself: the chat was left open.)
      const again = await openPage(page);
      await expect.poll(() => page.locator('[part="composer"]').isVisible()).toBe(true);
      await expect.poll(() => replies(page)).toHaveLength(1);
      await page.waitForLoadState('networkidle');
      expect(again.chunks).toEqual(['element', 'chat-panel']);
    } finally {
      await context.close();
    }
  }, 40_000);

  it('a draft left unsent brings it along when the chat opens again: a send is likely', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await openPage(page);
      await openChat(page);
      await page.locator('[part="composer"]').fill('a question for later');
      await expect
        .poll(() => page.evaluate(() => localStorage.getItem('lazy-send:draft')))
        .toBe('a question for later');

      const again = await openPage(page);
      await expect.poll(() => page.locator('[part="composer"]').inputValue()).toBe('a question for later');
      await expect.poll(() => again.chunks).toContain('send');
    } finally {
      await context.close();
    }
  }, 40_000);

  it('a send made while the chunk is still loading goes out once, when it lands', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      /** The send chunk's request, held until the test lets it through. */
      let held: Route | undefined;
      await page.route('**/dist/chunks/send-*.js', (route) => {
        held = route;
      });
      const seen = await openPage(page);
      await openChat(page);
      const composer = page.locator('[part="composer"]');
      await composer.fill('hello');
      await expect.poll(() => held).toBeDefined();
      await composer.press('Enter');
      // The visitor's message is on screen, the reply is awaited, and nothing went out yet.
      await expect.poll(() => page.locator('[part="message"].user').count()).toBe(1);
      expect(await page.locator('.typing').count()).toBe(1);
      // A second message while waiting: the chat is busy, nothing more is sent.
      await composer.fill('hello again');
      await composer.press('Enter');
      expect(seen.posts).toEqual([]);

      await held!.continue();
      await expect.poll(() => replies(page)).toHaveLength(1);
      expect(seen.posts).toHaveLength(1);
      expect(await page.locator('[part="message"].user').count()).toBe(1);
      expect(seen.chunks.filter((chunk) => chunk === 'send')).toHaveLength(1);
    } finally {
      await context.close();
    }
  }, 40_000);
});

describe('the send chunk failing to load', () => {
  it('shows the message as not sent; Retry fetches the chunk again and sends it', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const allow = await failingUntilAllowed(page, '**/dist/chunks/send-*.js');
      const seen = await openPage(page);
      await openChat(page);
      await page.locator('[part="composer"]').fill('hello');
      await page.locator('[part="composer"]').press('Enter');
      await expect.poll(() => page.locator('.error-card').count()).toBe(1);
      expect(await page.locator('.not-sent-note').count()).toBe(1);
      expect(seen.posts).toEqual([]);

      allow();
      await page.locator('.error-card .retry').click();
      await expect.poll(() => replies(page)).toHaveLength(1);
      expect(seen.posts).toHaveLength(1);
      expect(await page.locator('.not-sent-note').count()).toBe(0);
    } finally {
      await context.close();
    }
  }, 40_000);
});

describe('the strings only a turn can show (en-turn), loaded with the send chunk', () => {
  it("failing to load, leave the message not sent, told in the panel's own words; Retry loads them and sends", async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const allow = await failingUntilAllowed(page, '**/dist/chunks/en-turn-*.js');
      const seen = await openPage(page);
      await openChat(page);
      await page.locator('[part="composer"]').fill('[[fault:http-429]] hello');
      await page.locator('[part="composer"]').press('Enter');
      // No turn starts without them: nothing went out, and the error needs only the panel's table.
      await expect.poll(() => page.locator('.error-card').count()).toBe(1);
      expect(await page.locator('.error-text').textContent()).toBe(
        'The chat service cannot be reached. Check your connection, then try again.',
      );
      expect(await page.locator('.not-sent-note').count()).toBe(1);
      expect(await page.locator('[part="composer"]').inputValue()).toBe('');
      expect(await page.locator('[part="message"].user').allTextContents()).toEqual(['[[fault:http-429]] hello']);
      // The send chunk itself came: it is the strings that were missing.
      expect(seen.chunks).toContain('send');
      expect(seen.posts).toEqual([]);

      allow();
      await page.locator('.error-card .retry').click();
      // The turn went out once, and its own error reads in English: the strings came.
      await expect
        .poll(() => page.locator('.error-text').textContent())
        .toBe('Too many messages at once. Please wait 7 seconds, then try again.');
      expect(seen.posts).toHaveLength(1);
    } finally {
      await context.close();
    }
  }, 40_000);
});
