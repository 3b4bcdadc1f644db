/** docs/proxy.md shows the snippets the runtime suites run, verbatim: prose cannot drift from tested code. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SNIPPETS } from '../runtimes/launch.js';

const doc = readFileSync('docs/proxy.md', 'utf8');

describe('docs/proxy.md deploy snippets', () => {
  it.each(Object.entries(SNIPPETS))('shows the %s snippet exactly as tested (%s)', (_name, path) => {
    const code = readFileSync(path, 'utf8').trimEnd();
    expect(doc).toContain(`\`\`\`ts\n${code}\n\`\`\``);
  });
});
