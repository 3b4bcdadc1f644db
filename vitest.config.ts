import { configDefaults, defineConfig } from 'vitest/config';
import type { TestProjectInlineConfiguration } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';
import { CHROMIUM_ARGS } from './test/support/chromium.js';

/**
 * A browser project runs its files one after another in one page. Two projects, each with its own
 * fake upstream and proxy (globalSetup runs per project), run side by side without sharing the
 * fake's request log or faults: the renderer's sweeps in one, the element's behaviour in the other.
 */
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
      browserProject('render', [
        'test/browser/render-*.test.ts',
        'test/browser/hostile-replies.test.ts',
        'test/browser/highlight.test.ts',
        'test/browser/element-stream-*.test.ts',
      ]),
      browserProject(
        'element',
        ['test/browser/element-*.test.ts', 'test/browser/visual-*.test.ts', 'test/browser/transport.test.ts'],
        ['test/browser/element-stream-*.test.ts'],
      ),
    ],
  },
});
