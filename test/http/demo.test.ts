import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSessionSigner } from '../../src/proxy/session-token.js';
import { startFakeUpstream } from '../../src/testing/index.js';
import { launchChromium } from '../support/launch-chromium.js';

// `npm run demo`, as a newcomer runs it (minus the build, which `npm test` has done), opened in
// headless Chromium.
let demo: ChildProcess;
let url: string;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync('dist/pathors-chat.js')) spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  spawnSync(process.execPath, ['scripts/build-demo-apps.mjs'], { stdio: 'inherit' });
  demo = spawn(process.execPath, ['scripts/demo.mjs', '--no-build'], {
    env: { ...process.env, PORT: '0', FAKE_TOKEN_DELAY_MS: '5', PATHORS_API_KEY: '', PATHORS_PROJECT_ID: '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  url = await new Promise<string>((resolve, reject) => {
    let output = '';
    demo.stdout!.on('data', (chunk: Buffer) => {
      output += chunk;
      const match = /demo: (http:\/\/\S+?)\/?\s/.exec(output);
      if (match) resolve(match[1]!);
    });
    demo.once('exit', (code) => reject(new Error(`the demo exited (${code}): ${output}`)));
  });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  demo?.kill('SIGTERM');
});

async function open(path: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await page.goto(`${url}${path}`);
  return { page, errors };
}

async function ask(page: Page, text: string): Promise<void> {
  await page.getByRole('textbox', { name: 'Message' }).fill(text);
  await page.keyboard.press('Enter');
}

describe('npm run demo', () => {
  it('serves a shop page whose bubble streams a markdown reply from the fake upstream', async () => {
    const { page, errors } = await open('/');
    await page.getByRole('button', { name: 'Open chat' }).click();
    await expect.poll(() => page.getByRole('dialog', { name: 'Acme help' }).isVisible()).toBe(true);
    await ask(page, 'Show me a table of packs');
    const table = page.locator('pathors-chat-panel .message.assistant table');
    await table.waitFor();
    expect(await table.locator('th').count()).toBeGreaterThan(1);
    await page.locator('pathors-chat-panel .message.assistant .actions .copy').waitFor();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('runs the page tools on the tools page', async () => {
    const { page, errors } = await open('/tools.html');
    await ask(page, 'use get_cart');
    await expect.poll(() => page.locator('#log').textContent(), { timeout: 10_000 }).toContain('tool call: get_cart');
    await expect
      .poll(() => page.locator('pathors-chat-panel .message.assistant').last().textContent(), { timeout: 10_000 })
      .toContain('Trail tent');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('keeps two tabs of the site in step through storage', async () => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    const [first, second] = [await context.newPage(), await context.newPage()];
    await first.goto(`${url}/plain.html`);
    await second.goto(`${url}/plain.html`);
    await second.getByRole('button', { name: 'Open chat' }).click();
    await first.getByRole('button', { name: 'Open chat' }).click();
    await ask(first, 'typed in the first tab');
    await first.locator('pathors-chat-panel .message.assistant .actions .copy').waitFor();
    await expect
      .poll(() => second.locator('pathors-chat-panel .message.user').allTextContents(), { timeout: 10_000 })
      .toEqual(['typed in the first tab']);
    await second.locator('pathors-chat-panel .message.assistant .actions .copy').waitFor();
    await context.close();
  });

  it.each(['/inline.html', '/theming.html', '/plain.html', '/react19/', '/vue/'])(
    'serves %s with a working chat',
    async (path) => {
      const { page, errors } = await open(path);
      const launcher = page.getByRole('button', { name: 'Open chat' });
      if (await launcher.count()) await launcher.click();
      await ask(page, 'hello');
      await page.locator('pathors-chat-panel .message.assistant .actions .copy').first().waitFor();
      expect(errors).toEqual([]);
      await page.close();
    },
  );
});

describe('npm run demo with the real API settings', () => {
  const NEW = 'n'.repeat(40);
  const OLD = 'o'.repeat(40);

  /** Starts the demo on `upstream` with `secret`; resolves with its URL, or with what it said when it exited. */
  function startReal(upstreamUrl: string, secret: string): Promise<{ url?: string; said: string; stop(): void }> {
    const child = spawn(process.execPath, ['scripts/demo.mjs', '--no-build'], {
      env: {
        ...process.env,
        PORT: '0',
        PATHORS_API_KEY: 'sk_test_fake',
        PATHORS_PROJECT_ID: 'proj_fake',
        PATHORS_BASE_URL: upstreamUrl,
        PATHORS_SESSION_SECRET: secret,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let said = '';
    const stop = () => child.kill('SIGTERM');
    return new Promise((resolve) => {
      const hear = (chunk: Buffer) => {
        said += chunk;
        const match = /demo: (http:\/\/\S+?)\/?\s/.exec(said);
        if (match) resolve({ url: match[1]!, said, stop });
      };
      child.stdout!.on('data', hear);
      child.stderr!.on('data', hear);
      child.once('exit', () => resolve({ said, stop }));
    });
  }

  it('reads PATHORS_SESSION_SECRET as the command does: a list rotates, each entry is checked', async () => {
    const upstream = await startFakeUpstream();
    try {
      const refused = await startReal(upstream.url, `${NEW},short`);
      expect(refused.url).toBeUndefined();
      expect(refused.said).toContain('PATHORS_SESSION_SECRET entry 2 of the list is 5 characters');

      const demo = await startReal(upstream.url, `${NEW}, ${OLD}`);
      try {
        // A visitor whose session was signed before the rotation keeps it.
        const session = await createSessionSigner([OLD]).mint(Date.now() + 60_000);
        await fetch(upstream.sessionUrl, {
          method: 'POST',
          headers: { Authorization: 'Bearer sk_test_fake', 'Content-Type': 'application/json' },
          body: JSON.stringify({ session_id: session, variables: {}, provider: 'web' }),
        });
        const response = await fetch(`${demo.url}/pathors/chat/completions`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-Session-ID': session, Origin: demo.url! },
          body: JSON.stringify({ messages: [{ role: 'user', content: 'hello' }], stream: true }),
        });
        expect(response.status).toBe(200);
        expect(await response.text()).toContain('[DONE]');
      } finally {
        demo.stop();
      }
    } finally {
      await upstream.close();
    }
  }, 30_000);
});
