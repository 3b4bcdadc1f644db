// The widget on a page with a strict Content-Security-Policy (no 'unsafe-inline', no
// 'unsafe-eval'): it loads, styles itself, streams a markdown reply, and the page sees no
// violation. Uses the built files (dist/), as a site embedding the script would.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoServer } from '../../scripts/demo-server.mjs';
import { launchChromium } from '../support/launch-chromium.js';

/** The policy docs/csp.md gives sites, with the widget and its proxy on the site's own origin. */
const STRICT_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
const TRUSTED_TYPES = "require-trusted-types-for 'script'";

type Policy = 'self' | 'nonce';

/** The CSP header for a variant: host-based (`'self'`) or nonce-based with `'strict-dynamic'`. */
function policyFor(policy: Policy, trustedTypes: boolean, nonce: string): string {
  const csp =
    policy === 'self'
      ? STRICT_CSP
      : STRICT_CSP.replace("script-src 'self'", `script-src 'nonce-${nonce}' 'strict-dynamic'`);
  return trustedTypes ? `${csp}; ${TRUSTED_TYPES}` : csp;
}

const scriptTag = (script: 'module' | 'classic', nonce: string) =>
  script === 'module'
    ? `<script type="module" nonce="${nonce}" src="/dist/pathors-chat.js"></script>`
    : `<script nonce="${nonce}" src="/dist/pathors-chat.classic.js"></script>`;

/** The embed as the README gives it, plus a page script that sets data properties. */
function pageHtml(script: 'module' | 'classic', nonce: string): string {
  const tag = scriptTag(script, nonce);
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>pathors-chat under a strict CSP</title>
  <link rel="stylesheet" href="/csp/page.css">
  ${tag}
</head>
<body>
  <h1>A page with a strict CSP</h1>
  <pathors-chat proxy-url="/pathors" storage-key="csp-${script}"></pathors-chat>
  <script nonce="${nonce}" src="/csp/page.js" defer></script>
</body>
</html>
`;
}

const PAGE_JS = `const chat = document.querySelector('pathors-chat');
chat.welcome = 'Hi! Ask me for **code** or a *table*.';
chat.starters = ['Write some code'];
`;
const PAGE_CSS = 'body { font-family: system-ui, sans-serif; margin: 2rem; }\n';

/** Serves the test pages; the query picks the policy (`?policy=nonce`) and trusted types (`&trusted-types`). */
function handle(req: IncomingMessage, res: ServerResponse, path: string): boolean {
  const send = (type: string, body: string, headers: Record<string, string> = {}) => {
    res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store', ...headers }).end(body);
    return true;
  };
  const query = new URL(req.url ?? '/', 'http://page').searchParams;
  const nonce = randomBytes(16).toString('base64');
  const csp = policyFor(query.get('policy') === 'nonce' ? 'nonce' : 'self', query.has('trusted-types'), nonce);
  if (path === '/csp/module.html' || path === '/csp/classic.html') {
    return send('text/html; charset=utf-8', pageHtml(path === '/csp/module.html' ? 'module' : 'classic', nonce), {
      'Content-Security-Policy': csp,
    });
  }
  if (path === '/csp/both.html') {
    // Both script-tag builds on one page, under a policy that allows one lit-html policy only
    // (no 'allow-duplicates'): the page's own Trusted Types setup, which a second Lit would break.
    const order =
      query.get('order') === 'module-first' ? (['module', 'classic'] as const) : (['classic', 'module'] as const);
    const html = pageHtml(order[0], nonce).replace('</head>', `  ${scriptTag(order[1], nonce)}\n</head>`);
    return send('text/html; charset=utf-8', html, {
      'Content-Security-Policy': `${csp}; trusted-types lit-html pathors-chat`,
    });
  }
  if (path === '/csp/page.js') return send('text/javascript; charset=utf-8', PAGE_JS);
  if (path === '/csp/page.css') return send('text/css; charset=utf-8', PAGE_CSS);
  if (path === '/favicon.ico') {
    res.writeHead(204).end();
    return true;
  }
  return false;
}

interface Violation {
  directive: string;
  blocked: string;
  source: string;
  sample: string;
}
interface Recorded {
  violations: Violation[];
  policies: string[];
}

/**
 * Runs in the page before its scripts: records each `securitypolicyviolation` (composed, so
 * those from shadow roots reach the document) and the name of each trusted-types policy created.
 */
function recordViolations(): void {
  const recorded: Recorded = { violations: [], policies: [] };
  (window as unknown as { cspRecorded: Recorded }).cspRecorded = recorded;
  document.addEventListener(
    'securitypolicyviolation',
    (event) => {
      recorded.violations.push({
        directive: event.effectiveDirective,
        blocked: event.blockedURI,
        source: `${event.sourceFile}:${event.lineNumber}`,
        sample: event.sample,
      });
    },
    true,
  );
  const factory = (
    window as unknown as { trustedTypes?: { createPolicy: (name: string, ...rest: unknown[]) => unknown } }
  ).trustedTypes;
  if (factory) {
    const create = factory.createPolicy.bind(factory);
    factory.createPolicy = (name: string, ...rest: unknown[]) => {
      recorded.policies.push(name);
      return create(name, ...rest);
    };
  }
}

let server: DemoServer;
let browser: Browser;

beforeAll(async () => {
  // `npm test` builds first; a lone run of this file may not have.
  if (
    !existsSync('dist/pathors-chat.js') ||
    !existsSync('dist/pathors-chat.classic.js') ||
    !existsSync('dist/proxy/index.js')
  ) {
    const build = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
    if (build.status !== 0) throw new Error('node scripts/build.mjs failed');
  }
  // Imported only now: the demo server loads the proxy from dist/.
  const { startDemoServer } = await import('../../scripts/demo-server.mjs');
  server = await startDemoServer({ port: 0, upstream: { fake: { tokenDelayMs: 1 } }, handle });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Collects each finished assistant reply in `window.replies` (listening before the first send). */
async function listenForReply(page: Page): Promise<void> {
  await page.evaluate(() => {
    const chat = document.querySelector('pathors-chat')!;
    const state = window as unknown as { replies?: string[] };
    state.replies ??= [];
    if (chat.dataset.listening) return;
    chat.dataset.listening = 'yes';
    chat.addEventListener('pathors-message', (event) => {
      if (event.detail.message.role === 'assistant') state.replies!.push(event.detail.message.content);
    });
  });
}

async function replies(page: Page): Promise<number> {
  return page.evaluate(() => (window as unknown as { replies?: string[] }).replies?.length ?? 0);
}

async function sendAndWait(page: Page, text: string): Promise<void> {
  const before = await replies(page);
  await page.locator('[part="composer"]').fill(text);
  await page.locator('[part="composer"]').press('Enter');
  try {
    await expect.poll(() => replies(page), { timeout: 10_000 }).toBe(before + 1);
  } catch (error) {
    // Name the likely cause: a blocked request or stylesheet shows up as a violation first.
    const recorded = await page.evaluate(() => (window as unknown as { cspRecorded: Recorded }).cspRecorded);
    throw new Error(`no reply to "${text}"; CSP violations: ${JSON.stringify(recorded.violations)}`, { cause: error });
  }
}

const cases = [
  { script: 'module', policy: 'self', trustedTypes: false },
  { script: 'classic', policy: 'self', trustedTypes: false },
  { script: 'module', policy: 'self', trustedTypes: true },
  { script: 'classic', policy: 'self', trustedTypes: true },
  { script: 'module', policy: 'nonce', trustedTypes: false },
  { script: 'classic', policy: 'nonce', trustedTypes: true },
] as const;

describe('on a page with a strict Content-Security-Policy', () => {
  it.each(cases)(
    'the $script script, script-src $policy, trusted types $trustedTypes: a styled markdown reply, no violation',
    async ({ script, policy, trustedTypes }) => {
      const context = await browser.newContext();
      try {
        const page = await context.newPage();
        const consoleErrors: string[] = [];
        page.on('console', (message) => {
          if (message.type() === 'error') consoleErrors.push(message.text());
        });
        page.on('pageerror', (error) => consoleErrors.push(String(error)));
        await page.addInitScript(recordViolations);
        const response = await page.goto(
          `${server.url}/csp/${script}.html?policy=${policy}${trustedTypes ? '&trusted-types' : ''}`,
        );
        expect(response?.headers()['content-security-policy']).toContain(
          policy === 'self' ? "script-src 'self'" : "'strict-dynamic'",
        );
        await page.evaluate(() => customElements.whenDefined('pathors-chat').then(() => true));

        // Styled from constructed stylesheets (adoptedStyleSheets), which style-src does not govern.
        const launcher = page.locator('[part="launcher"]');
        const launcherBackground = await launcher.evaluate((element) => getComputedStyle(element).backgroundColor);
        expect(launcherBackground).not.toMatch(/^(transparent|rgba\(0, 0, 0, 0\))$/);

        await launcher.click();
        const panel = page.locator('[part="panel"]');
        await expect.poll(() => panel.isVisible()).toBe(true);
        const radius = await panel.evaluate((element) => getComputedStyle(element).borderTopLeftRadius);
        expect(parseFloat(radius)).toBeGreaterThan(0);

        await listenForReply(page);
        await sendAndWait(page, 'write some code');
        const code = page.locator('[part="message"].assistant pre code').first();
        expect(await code.textContent()).toContain('pathors-chat');
        // The code frame (header bar and code) carries the background; the highlighter's colours
        // come from a constructed stylesheet too.
        const codeBlock = await page
          .locator('[part="message"].assistant .code')
          .first()
          .evaluate((element) => ({
            background: getComputedStyle(element).backgroundColor,
            font: getComputedStyle(element.querySelector('code')!).fontFamily,
          }));
        expect(codeBlock.background).not.toMatch(/^(transparent|rgba\(0, 0, 0, 0\))$/);
        expect(codeBlock.font).toMatch(/mono/i);
        // The highlighter's lazy chunk loads and colours the block under the same policy.
        await expect.poll(() => code.locator('span[class^="tok-"]').count()).toBeGreaterThan(0);

        // A table has aligned columns: the alignment must not come from a style attribute.
        await sendAndWait(page, 'show me a table');
        expect(await page.locator('[part="message"].assistant table').count()).toBe(1);

        // Character references are decoded by the browser's parser: through a policy of ours under Trusted Types.
        await sendAndWait(page, 'the markdown tour');
        expect(await page.locator('[part="message"].assistant').last().textContent()).toContain('R&D © Acme.');

        const recorded = await page.evaluate(() => (window as unknown as { cspRecorded: Recorded }).cspRecorded);
        expect(recorded.violations).toEqual([]);
        expect(consoleErrors.filter((text) => /content.security.policy|trusted.?type|csp/i.test(text))).toEqual([]);
        if (trustedTypes) {
          // docs/csp.md names these for a site whose policy also restricts `trusted-types` names.
          expect(recorded.policies).toEqual(['lit-html', 'pathors-chat']);
        }

        // The recorder works: something the policy forbids is reported.
        await page.evaluate(() => {
          const image = document.createElement('img');
          image.src = 'https://images.example/tracker.png';
          document.body.append(image);
        });
        await expect
          .poll(() =>
            page.evaluate(() =>
              (window as unknown as { cspRecorded: Recorded }).cspRecorded.violations.map(
                (violation) => violation.directive,
              ),
            ),
          )
          .toEqual(['img-src']);
      } finally {
        await context.close();
      }
    },
    40_000,
  );
});

describe('both script-tag builds on one page with Trusted Types enforced (a CMS snippet beside a theme)', () => {
  it.each(['classic-first', 'module-first'])(
    '%s: one Lit loads, no error, and the chat answers',
    async (order) => {
      const context = await browser.newContext();
      try {
        const page = await context.newPage();
        const errors: string[] = [];
        page.on('pageerror', (error) => errors.push(String(error)));
        page.on('console', (message) => {
          if (message.type() === 'error') errors.push(message.text());
        });
        await page.addInitScript(recordViolations);
        await page.goto(`${server.url}/csp/both.html?trusted-types&order=${order}`);
        await page.evaluate(() => customElements.whenDefined('pathors-chat').then(() => true));
        // Both files ran (the second one loaded nothing), and everything has settled.
        await page.waitForLoadState('networkidle');
        await page.locator('[part="launcher"]').click();
        await listenForReply(page);
        await sendAndWait(page, 'hello');
        const recorded = await page.evaluate(() => (window as unknown as { cspRecorded: Recorded }).cspRecorded);
        expect(recorded.policies).toEqual(['lit-html']);
        expect(recorded.violations).toEqual([]);
        expect(errors).toEqual([]);
      } finally {
        await context.close();
      }
    },
    40_000,
  );
});
