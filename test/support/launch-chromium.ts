import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_ARGS } from './chromium.js';

/** The Chromium `npm test` found (CHROMIUM_PATH), headless, for the suites that drive built pages. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
}
