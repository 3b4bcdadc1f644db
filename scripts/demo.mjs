// `npm run demo`: builds, then serves the demo pages and the proxy on one loopback origin.
// The proxy talks to the built-in fake Pathors upstream, or to the real API when
// PATHORS_API_KEY and PATHORS_PROJECT_ID are set: that is the only difference.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';

if (!process.argv.includes('--no-build')) {
  for (const script of ['scripts/build.mjs', 'scripts/build-demo-apps.mjs']) {
    const status = spawnSync(process.execPath, [script], { stdio: 'inherit' }).status;
    if (status !== 0) process.exit(status ?? 1);
  }
}

// Imported only after the build: the demo server loads the proxy and the fake upstream from dist/,
// which a fresh clone does not have yet.
const { startDemoServer } = await import('./demo-server.mjs');

const { PATHORS_API_KEY: apiKey, PATHORS_PROJECT_ID: projectId } = process.env;
const real = Boolean(apiKey && projectId);
const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? 5173);
const demo = await startDemoServer({
  host,
  port,
  upstream: real ? await realUpstream() : { fake: { tokenDelayMs: Number(process.env.FAKE_TOKEN_DELAY_MS ?? 25) } },
}).catch(async (error) => {
  if (error.code !== 'EADDRINUSE') throw error;
  const free = await freePort(host);
  console.error(`\n  Port ${port} on ${host} is in use. Port ${free} is free: PORT=${free} npm run demo\n`);
  process.exit(1);
});

console.log(`\n  pathors-chat demo: ${demo.url}/`);
console.log(
  real
    ? `  proxy: ${demo.url}/pathors -> the Pathors API (project ${projectId})`
    : '  proxy: /pathors -> the built-in fake Pathors upstream (set PATHORS_API_KEY and PATHORS_PROJECT_ID for the real one)',
);
console.log('  Ctrl+C to stop.\n');

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    void demo.close().then(() => process.exit(0));
  });
}

/**
 * The real API's settings. The session secret is read and checked as `pathors-chat-proxy` reads it
 * (a list rotates; each entry at least 32 characters), so a value that works here works in
 * production. None set: one for this run, and sessions last as long as the demo.
 */
async function realUpstream() {
  const { readSessionSecrets } = await import('../dist/proxy/env.js');
  const given = process.env.PATHORS_SESSION_SECRET?.trim();
  const problems = [];
  const sessionSecret = given
    ? readSessionSecrets(given, apiKey, (variable, message) => problems.push(`${variable} ${message}`))
    : randomBytes(32).toString('hex');
  if (problems.length) {
    console.error(`\n  ${problems.join('\n  ')}\n`);
    process.exit(1);
  }
  return { apiKey, projectId, baseUrl: process.env.PATHORS_BASE_URL, sessionSecret };
}

/** A port the system reports free right now: the suggestion in the "port in use" message. */
function freePort(onHost) {
  return new Promise((resolvePort, reject) => {
    const probe = createServer().once('error', reject);
    probe.listen(0, onHost, () => {
      const { port: free } = probe.address();
      probe.close(() => resolvePort(free));
    });
  });
}
