// Finds a Chromium for the browser tests, in the order a developer would look:
// CHROMIUM_PATH, Playwright's own download, the system's, and only then installs one.
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

/** Flags for Chromium as root on a machine with no route out: without the
 * background-networking family it floods the closed network with connections. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const SYSTEM_PATHS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];

function playwrightChromium() {
  try {
    const { chromium } = createRequire(import.meta.url)('playwright-core');
    const path = chromium.executablePath();
    return path && existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

function found() {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (existsSync(fromEnv)) return fromEnv;
    throw new Error(`CHROMIUM_PATH is set to ${fromEnv}, but no file is there.`);
  }
  return playwrightChromium() ?? SYSTEM_PATHS.find((path) => existsSync(path));
}

function run(command, args) {
  console.error(`[find-chromium] ${command} ${args.join(' ')}`);
  execFileSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
}

function install() {
  const isRoot = process.getuid?.() === 0;
  if (process.platform === 'linux' && isRoot && existsSync('/usr/bin/apt-get')) {
    try {
      run('apt-get', ['update']);
      run('apt-get', ['install', '-y', 'chromium']);
      return;
    } catch {
      console.error('[find-chromium] apt-get could not install chromium; trying Playwright.');
    }
  }
  run('npx', ['--no-install', 'playwright', 'install', 'chromium']);
}

/** The path of a usable Chromium, installing one where none is found. */
export function findChromium() {
  const path = found();
  if (path) return path;
  console.error('[find-chromium] No Chromium found (CHROMIUM_PATH, Playwright, system paths); installing one.');
  try {
    install();
  } catch (error) {
    throw new Error(
      'No Chromium could be found or installed. Install Chromium or Chrome and set ' +
        `CHROMIUM_PATH to its executable. (${error instanceof Error ? error.message : error})`,
      { cause: error },
    );
  }
  const installed = found();
  if (!installed) throw new Error('Chromium was installed but cannot be found; set CHROMIUM_PATH.');
  return installed;
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(findChromium());
