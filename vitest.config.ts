import { configDefaults, defineConfig } from 'vitest/config';
import type { TestProjectInlineConfiguration } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';
import { CHROMIUM_ARGS } from './test/support/chromium.js';

/**
 * A browser project runs its files one after another in one page. Two projects, each with its own
 * fake upstream and proxy (globalSetup runs per project), run side by side without sharing the
 * fake's request log or faults: the renderer's sweeps in one, every other browser file (the
 * element's behaviour, a new file too) in the other.
 */
const RENDER_FILES = [
  'test/browser/render-*.test.ts',
  'test/browser/hostile-replies.test.ts',
  'test/browser/highlight.test.ts',
  'test/browser/element-stream-*.test.ts',
];

function browserProject(name: string, include: string[], exclude: string[] = []): TestProjectInlineConfiguration {
  return {
    test: {
      name,
      include,
      exclude: [...configDefaults.exclude, ...exclude],
      globalSetup: ['test/support/browser-servers.ts'],
      testTimeout: 20_000,
      browser: {
        enabled: true,
        headless: true,
        screenshotFailures: false,
        provider: playwright({
          launchOptions: {
            executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
            args: CHROMIUM_ARGS,
          },
        }),
        instances: [{ browser: 'chromium' }],
      },
    },
  };
}

export default defineConfig({
  test: {
    projects: [
      {
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node' },
      },
      {
        test: {
          name: 'http',
          include: ['test/http/**/*.test.ts'],
          environment: 'node',
          testTimeout: 20_000,
        },
      },
      browserProject('render', RENDER_FILES),
      browserProject('element', ['test/browser/**/*.test.ts'], RENDER_FILES),
    ],
  },
});
