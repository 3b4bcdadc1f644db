import type { TestProject } from 'vitest/node';
import { startProxyServer } from '../../src/proxy/index.js';
import { startFakeUpstream } from '../../src/testing/index.js';
import { startScriptedServer } from './scripted-server.js';

/**
 * Starts, for the browser tests, a fake Pathors upstream and the real proxy
 * in front of it, both on loopback, and hands their URLs to the tests.
 */
export default async function setup(project: TestProject) {
  const fake = await startFakeUpstream();
  const proxy = await startProxyServer({
    apiKey: fake.apiKey,
    projectId: fake.projectId,
    upstream: fake.url,
    sessionSecret: 'browser-tests-session-secret-0123456789',
    // The test page is served by vitest on a loopback port chosen at run time.
    allowedOrigins: (origin) => /^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?$/.test(origin),
    allowedHeaders: ['X-CSRF-Token'],
    // Every test comes from one IP; the limits have their own tests in test/http.
    rateLimit: { perIp: false, perSession: false },
    host: '127.0.0.1',
    port: 0,
  });
  const scripted = await startScriptedServer();
  project.provide('fakeUrl', fake.url);
  project.provide('scriptedUrl', scripted.url);
  project.provide('proxyUrl', proxy.url);
  return async () => {
    await proxy.close();
    await fake.close();
    await scripted.close();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    fakeUrl: string;
    proxyUrl: string;
    /** See scripted-server.ts. */
    scriptedUrl: string;
  }
}
