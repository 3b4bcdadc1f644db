/**
 * The published package as a user meets it: `npm pack`, installed into fresh projects, every
 * entry imported by Node and resolved by the consumer's TypeScript, then apps built from the
 * installed copy with Vite and driven in Chromium: the script-tag file (once, twice, and the
 * classic build), React 19, React 18 through `pathors-chat/react`, and Vue 3. Each app talks to
 * the proxy and the fake upstream of the installed package on one loopback origin.
 *
 * The apps live in test/fixtures/.package-apps: the dot keeps them out of the root tsconfig's
 * `test` glob (they need JSX, .vue files and the package by name); each temporary project
 * type-checks them with its own tsconfig instead.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import vue from '@vitejs/plugin-vue';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { build, type PluginOption } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/launch-chromium.js';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../..', import.meta.url));
const fixtures = join(repo, 'test/fixtures/.package-apps');
const tsc = join(repo, 'node_modules/typescript/bin/tsc');
const SETUP_TIMEOUT = 240_000;

interface PackResult {
  filename: string;
  files: Array<{ path: string }>;
}
interface PackageJson {
  name: string;
  main?: string;
  module?: string;
  types?: string;
  unpkg?: string;
  jsdelivr?: string;
  customElements?: string;
  exports: Record<string, string | Record<string, string>>;
  bin: Record<string, string>;
  sideEffects: string[];
}

let temp = '';
let tarball = '';
let packed: string[] = [];
let appDir = '';
let react18Dir = '';
let siteDir = '';
let server: ChildProcess | undefined;
let siteUrl = '';
let browser: Browser | undefined;

/** Versions the repo already has installed, so `--prefer-offline` finds them in npm's cache. */
function installedVersion(name: string): string {
  return (JSON.parse(readFileSync(join(repo, 'node_modules', name, 'package.json'), 'utf8')) as { version: string })
    .version;
}

function readPackageJson(dir: string): PackageJson {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
}

/** `npm test` builds first; a bare `vitest run` of this file builds only when an entry is missing. */
async function ensureDist(): Promise<void> {
  const manifest = readPackageJson(repo);
  const targets = Object.values(manifest.exports).flatMap((target) =>
    typeof target === 'string' ? [target] : Object.values(target),
  );
  if (targets.filter((target) => target.startsWith('./dist/')).every((target) => existsSync(join(repo, target))))
    return;
  await run('npm', ['run', 'build'], { cwd: repo, maxBuffer: 16 * 1024 * 1024 });
}

async function npmInstall(dir: string, packages: string[]): Promise<void> {
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: `app-${Date.now()}`, private: true, type: 'module' }, null, 2)}\n`,
  );
  await run(
    'npm',
    ['install', tarball, ...packages, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'],
    { cwd: dir, maxBuffer: 16 * 1024 * 1024 },
  );
}

/** A production build, as `vite build` would make it for the user (vitest runs with NODE_ENV=test). */
async function viteBuild(root: string, outDir: string, plugins: PluginOption[] = []): Promise<void> {
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      root,
      base: './',
      configFile: false,
      logLevel: 'warn',
      plugins,
      oxc: { jsx: { runtime: 'automatic' } },
      build: { outDir, emptyOutDir: true, reportCompressedSize: false },
    });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
}

/** Starts the fixture server from the installed package and reads the URL it prints. */
function startServer(): Promise<string> {
  const child = spawn(process.execPath, ['serve.mjs', siteDir], { cwd: appDir, stdio: ['ignore', 'pipe', 'pipe'] });
  server = child;
  return new Promise((resolve, reject) => {
    let output = '';
    let errors = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      errors += chunk.toString();
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n').find((candidate) => candidate.startsWith('{'));
      if (line) resolve((JSON.parse(line) as { url: string }).url);
    });
    child.once('exit', (code) => reject(new Error(`serve.mjs exited with ${code}: ${errors}`)));
  });
}

function typecheck(project: string): Promise<unknown> {
  return run(process.execPath, [tsc, '-p', project], { maxBuffer: 16 * 1024 * 1024 }).catch(
    (error: { stdout?: string }) => {
      throw new Error(`tsc -p ${project}:\n${error.stdout ?? String(error)}`);
    },
  );
}

beforeAll(async () => {
  await ensureDist();
  temp = mkdtempSync(join(tmpdir(), 'pathors-chat-package-'));
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', temp], {
    cwd: repo,
    maxBuffer: 16 * 1024 * 1024,
  });
  const [result] = JSON.parse(stdout) as PackResult[];
  tarball = join(temp, result!.filename);
  packed = result!.files.map((file) => file.path).sort();

  appDir = join(temp, 'app');
  react18Dir = join(temp, 'react18');
  siteDir = join(temp, 'site');
  cpSync(join(fixtures, 'app'), appDir, { recursive: true });
  cpSync(join(fixtures, 'react18'), react18Dir, { recursive: true });
  await Promise.all([
    npmInstall(appDir, [
      `react@${installedVersion('react')}`,
      `react-dom@${installedVersion('react-dom')}`,
      `vue@${installedVersion('vue')}`,
      `@types/react@${installedVersion('@types/react')}`,
      `@types/react-dom@${installedVersion('@types/react-dom')}`,
      `@types/node@${installedVersion('@types/node')}`,
    ]),
    npmInstall(react18Dir, ['react@18', 'react-dom@18', '@types/react@18', '@types/react-dom@18']),
  ]);

  // The script-tag pages get the files a site owner copies out of node_modules/pathors-chat/dist.
  const html = join(siteDir, 'html');
  cpSync(join(appDir, 'html'), html, { recursive: true });
  const dist = join(appDir, 'node_modules/pathors-chat/dist');
  const vendor = join(html, 'vendor/pathors-chat');
  mkdirSync(vendor, { recursive: true });
  for (const file of readdirSync(dist).filter((name) => name.startsWith('pathors-chat.')))
    cpSync(join(dist, file), join(vendor, file));
  cpSync(join(dist, 'chunks'), join(vendor, 'chunks'), { recursive: true });

  await viteBuild(join(appDir, 'react19'), join(siteDir, 'react19'));
  await viteBuild(join(appDir, 'vue'), join(siteDir, 'vue'), [
    vue({ template: { compilerOptions: { isCustomElement: (tag) => tag === 'pathors-chat' } } }),
  ]);
  await viteBuild(react18Dir, join(siteDir, 'react18'));

  siteUrl = await startServer();
  browser = await launchChromium();
}, SETUP_TIMEOUT);

afterAll(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
  if (temp) rmSync(temp, { recursive: true, force: true });
});

describe('the packed tarball', () => {
  it('holds dist (code, types, chunks), the manifest, README, LICENSE and package.json, and nothing else', () => {
    const allowed = /^(package\.json|README\.md|LICENSE|custom-elements\.json|dist\/.+)$/;
    expect(packed.filter((path) => !allowed.test(path))).toEqual([]);
    const required = [
      'package.json',
      'LICENSE',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/pathors-chat.js',
      'dist/pathors-chat.classic.js',
      'dist/react.js',
      'dist/react.d.ts',
      'dist/jsx.d.ts',
      'dist/vue.d.ts',
      'dist/proxy/index.js',
      'dist/proxy/cli.js',
      'dist/testing/index.js',
    ];
    if (existsSync(join(repo, 'README.md'))) required.push('README.md');
    expect(required.filter((path) => !packed.includes(path))).toEqual([]);
    expect(packed.some((path) => /^dist\/chunks\/[\w-]+\.js$/.test(path))).toBe(true);
  });

  it('ships source maps only beside the script-tag files, with the sources inside them', () => {
    const maps = packed.filter((path) => path.endsWith('.map'));
    expect(maps.filter((path) => !/^dist\/(pathors-chat(\.classic)?\.js|chunks\/[\w-]+\.js)\.map$/.test(path))).toEqual(
      [],
    );
    const installed = join(appDir, 'node_modules/pathors-chat');
    for (const path of maps) {
      // The sources point into src/, which does not ship: each map must carry their text.
      const map = JSON.parse(readFileSync(join(installed, path), 'utf8')) as {
        sources: string[];
        sourcesContent?: Array<string | null>;
      };
      expect(map.sourcesContent?.filter((text) => typeof text === 'string').length, path).toBe(map.sources.length);
    }
  });

  it('names in package.json only files it holds: exports, main, types, bin, customElements, CDN fields', () => {
    const manifest = readPackageJson(join(appDir, 'node_modules/pathors-chat'));
    const targets = [
      ...Object.values(manifest.exports).flatMap((target) =>
        typeof target === 'string' ? [target] : Object.values(target),
      ),
      manifest.main,
      manifest.module,
      manifest.types,
      manifest.unpkg,
      manifest.jsdelivr,
      manifest.customElements,
      ...Object.values(manifest.bin),
    ].filter((target): target is string => typeof target === 'string');
    const missing = targets.map((target) => target.replace(/^\.\//, '')).filter((target) => !packed.includes(target));
    expect(missing).toEqual([]);
    expect(Object.keys(manifest.exports)).toEqual(
      expect.arrayContaining(['.', './react', './jsx', './vue', './proxy', './testing']),
    );
    for (const pattern of manifest.sideEffects.filter((entry) => entry.startsWith('./dist/'))) {
      const matcher = new RegExp(`^${pattern.slice(2).replace(/[.]/g, '\\.').replace(/\*/g, '[^/]*')}$`);
      expect(
        packed.some((path) => matcher.test(path)),
        `sideEffects ${pattern} matches a file`,
      ).toBe(true);
    }
    const cli = readFileSync(join(appDir, 'node_modules/pathors-chat', manifest.bin['pathors-chat-proxy']!), 'utf8');
    expect(cli.startsWith('#!/usr/bin/env node')).toBe(true);
  });
});

describe('installed into a fresh project', () => {
  it('imports every entry point by name in Node, and resolves the script-tag files and the manifest', async () => {
    const { stdout } = await run(process.execPath, ['check-node.mjs'], { cwd: appDir });
    const { exports, resolved } = JSON.parse(stdout) as {
      exports: Record<string, string[]>;
      resolved: Record<string, boolean>;
    };
    expect(exports).toMatchObject({
      // Importing the element in Node (an SSR build) works: Lit brings its DOM shim.
      'pathors-chat': ['PathorsChat'],
      'pathors-chat/react': ['PathorsChat'],
      'pathors-chat/jsx': [],
      'pathors-chat/vue': [],
    });
    expect(exports['pathors-chat/proxy']).toEqual(
      expect.arrayContaining(['createPathorsProxy', 'toNodeHandler', 'startProxyServer']),
    );
    expect(exports['pathors-chat/testing']).toEqual(expect.arrayContaining(['startFakeUpstream', 'defaultScript']));
    expect(resolved).toEqual({
      'pathors-chat/pathors-chat.js': true,
      'pathors-chat/pathors-chat.classic.js': true,
      'pathors-chat/custom-elements.json': true,
      'pathors-chat/package.json': true,
    });
  });

  it('runs the pathors-chat-proxy bin', async () => {
    const { stdout } = await run(join(appDir, 'node_modules/.bin/pathors-chat-proxy'), ['--help'], { cwd: appDir });
    expect(stdout).toMatch(/^Usage: pathors-chat-proxy/);
    expect(stdout).toContain('PATHORS_API_KEY');
  });

  it("type-checks against the consumer's TypeScript: every entry, React 19 JSX, Vue, the React 18 wrapper, Node", async () => {
    await Promise.all([
      typecheck(join(appDir, 'tsconfig.json')),
      typecheck(join(appDir, 'tsconfig.node.json')),
      typecheck(join(react18Dir, 'tsconfig.json')),
    ]);
  }, 90_000);

  it("keeps the registration when an app's production bundle has only `import 'pathors-chat'`", () => {
    for (const app of ['react19', 'vue', 'react18']) {
      const assets = join(siteDir, app, 'assets');
      const code = readdirSync(assets)
        .filter((name) => name.endsWith('.js'))
        .map((name) => readFileSync(join(assets, name), 'utf8'))
        .join('\n');
      // Dropped when package.json "sideEffects" leaves out the module a bare import loads.
      expect(code.includes('customElements.define('), `${app}: the bundle defines <pathors-chat>`).toBe(true);
    }
  });
});

// Each app is a few seconds here; the margin is for a loaded CI machine.
describe('in Chromium', { timeout: 60_000 }, () => {
  const contexts: BrowserContext[] = [];
  afterAll(async () => {
    await Promise.all(contexts.map((context) => context.close()));
  });

  /** Opens a page and collects what would tell a developer something broke. */
  async function open(path: string) {
    const context = await browser!.newContext();
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    page.on('request', (request) => requests.push(new URL(request.url()).pathname));
    await page.goto(`${siteUrl}${path}`);
    return { page, problems, requests };
  }

  function logged(page: Page): Promise<string[]> {
    return page.locator('#log li').allInnerTexts();
  }

  function count(lines: string[], line: string): number {
    return lines.filter((candidate) => candidate === line).length;
  }

  /**
   * What every app offers, whatever it is built with: a button calling `show()`, one calling
   * `send()`, a `get_time` page tool in `tools`, and its event handlers writing into #log.
   */
  async function converse(page: Page): Promise<void> {
    const texts = (selector: string) =>
      page
        .locator(selector)
        .allInnerTexts()
        .then((all) => all.join('\n'));
    const replies = 'pathors-chat [part="message"].assistant:not(.welcome) pathors-reply';
    await expect.poll(() => logged(page), { timeout: 15_000 }).toContain('ready');
    expect(
      await page.evaluate(() => customElements.get('pathors-chat') !== undefined),
      'the element is registered',
    ).toBe(true);

    // A method: the app's button calls show().
    await page.click('#open');
    const composer = page.locator('pathors-chat [part="composer"]');
    await composer.waitFor();
    await expect.poll(() => logged(page)).toContain('pathors-open');

    // The visitor types and presses Enter; the reply streams in and the events reach the app.
    await composer.fill('Hello from the package test');
    await composer.press('Enter');
    await expect.poll(() => texts(replies), { timeout: 15_000 }).toContain('Hello from the package test');
    await expect.poll(async () => count(await logged(page), 'pathors-message: assistant done')).toBe(1);
    expect(await logged(page)).toEqual(
      expect.arrayContaining(['pathors-send: Hello from the package test', 'pathors-message: user']),
    );

    // A property: the tools the app passed. The fake agent calls a tool the message names.
    await composer.fill('Please use get_time');
    await composer.press('Enter');
    await expect.poll(() => logged(page), { timeout: 15_000 }).toContain('tool get_time ran');
    await expect.poll(() => texts(replies), { timeout: 15_000 }).toContain('The page says it is 12:34');
    await expect
      .poll(async () => count(await logged(page), 'pathors-message: assistant done'))
      .toBeGreaterThanOrEqual(2);

    // Another method: send() from the app's own button.
    await page.click('#send');
    await expect.poll(() => logged(page)).toContain('send() resolved true');
    await expect.poll(() => texts('pathors-chat [part="message"].user .bubble')).toContain('Sent by the page');
    await expect.poll(() => texts(replies), { timeout: 15_000 }).toContain('Sent by the page');
  }

  it('the script-tag file: the two-line embed with the files copied from dist, the panel loading from beside it', async () => {
    const { page, problems, requests } = await open('/html/index.html');
    await converse(page);
    expect(requests.filter((path) => path.startsWith('/html/vendor/pathors-chat/chunks/chat-panel-'))).toHaveLength(1);
    expect(problems).toEqual([]);
  });

  it('the script-tag file loaded twice (two query strings) is harmless: one element, one launcher, no errors', async () => {
    const { page, problems, requests } = await open('/html/twice.html');
    await converse(page);
    expect(requests.filter((path) => path === '/html/vendor/pathors-chat/pathors-chat.js')).toHaveLength(2);
    await expect.poll(() => page.locator('pathors-chat [part="launcher"]').count()).toBe(1);
    expect(problems).toEqual([]);
  });

  it('the classic build from a plain <script src>: one self-contained file', async () => {
    const { page, problems, requests } = await open('/html/classic.html');
    await converse(page);
    // The element is registered, and the file adds no global of its own.
    expect(await page.evaluate(() => typeof customElements.get('pathors-chat'))).toBe('function');
    expect(await page.evaluate(() => 'PathorsChat' in window)).toBe(false);
    expect(requests.filter((path) => path.includes('/chunks/'))).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('React 19: <pathors-chat> with a tools property, on<event> listeners and a ref', async () => {
    const { page, problems } = await open('/react19/');
    await expect(page.locator('#version').innerText()).resolves.toMatch(/^React 19\./);
    await converse(page);
    expect(problems).toEqual([]);
  });

  it('React 18: the pathors-chat/react wrapper with a tools prop, onPathors* listeners and a ref', async () => {
    const { page, problems } = await open('/react18/');
    await expect(page.locator('#version').innerText()).resolves.toMatch(/^React 18\./);
    await converse(page);
    expect(problems).toEqual([]);
  });

  it('Vue 3: <pathors-chat> as a custom element with :tools, @pathors-* listeners and a template ref', async () => {
    const { page, problems } = await open('/vue/');
    await expect(page.locator('#version').innerText()).resolves.toMatch(/^Vue 3\./);
    await converse(page);
    expect(problems).toEqual([]);
  });
});
