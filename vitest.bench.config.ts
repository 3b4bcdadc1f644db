import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';
import { CHROMIUM_ARGS } from './test/support/chromium.js';

/** `npm run bench`'s browser half: benchmarks that must run in a real Chromium, never jsdom. */
export default defineConfig({
  test: {
    name: 'bench',
    include: ['test/bench/**/*.browser-bench.ts'],
    testTimeout: 300_000,
    browser: {
      enabled: true,
      headless: true,
      screenshotFailures: false,
      provider: playwright({
        launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS },
      }),
      instances: [{ browser: 'chromium' }],
    },
  },
});
