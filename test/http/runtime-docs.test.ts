/** docs/proxy.md shows the snippets the runtime suites run, verbatim, and every fault marker: prose cannot drift from tested code. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FAULT_MARKERS_HELP } from '../../src/proxy/env.js';
import { FAULTS } from '../../src/testing/types.js';
import { SNIPPETS } from '../runtimes/launch.js';

const doc = readFileSync('docs/proxy.md', 'utf8');

describe('docs/proxy.md deploy snippets', () => {
  it.each(Object.entries(SNIPPETS))('shows the %s snippet exactly as tested (%s)', (_name, path) => {
    const code = readFileSync(path, 'utf8').trimEnd();
    expect(doc).toContain(`\`\`\`ts\n${code}\n\`\`\``);
  });
});

describe('fault markers', () => {
  it.each(FAULTS)("%s is listed in the command's --help, docs/proxy.md and docs/fake-upstream.md", (fault) => {
    const marker = `[[fault:${fault}`;
    expect(FAULT_MARKERS_HELP).toContain(marker);
    expect(doc).toContain(marker);
    expect(readFileSync('docs/fake-upstream.md', 'utf8')).toContain(marker);
  });
});
