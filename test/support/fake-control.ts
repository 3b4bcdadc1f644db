import { inject } from 'vitest';
import type { Fault, RecordedRequest } from '../../src/testing/index.js';

/** The fake upstream's control routes, for tests running in the browser. */
export const fake = {
  async reset(): Promise<void> {
    await fetch(`${inject('fakeUrl')}/__fake/reset`, { method: 'POST' });
  },
  async fault(fault: Fault, count = 1): Promise<void> {
    await fetch(`${inject('fakeUrl')}/__fake/fault`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ fault, count }),
    });
  },
  /** The chat completion requests the fake received. */
  async chatRequests(): Promise<RecordedRequest[]> {
    const all: RecordedRequest[] = await (await fetch(`${inject('fakeUrl')}/__fake/requests`)).json();
    return all.filter((request) => request.path.endsWith('/chat/completions'));
  },
};

export function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const check = async () => {
      if (await condition()) resolve();
      else if (performance.now() - start > timeoutMs) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(check, 20);
    };
    void check();
  });
}
