// CI's proof of the README's first command: start `npm run demo` exactly as a newcomer does on a
// fresh clone (it builds first), check that the page serves and that one reply streams through
// the demo's proxy to `[DONE]`, then stop it. Exits non-zero, saying why, on any failure.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

const TIMEOUT_MS = 240_000;

const port = await new Promise((resolvePort) => {
  const probe = createServer().listen(0, '127.0.0.1', () => {
    const { port: free } = probe.address();
    probe.close(() => resolvePort(free));
  });
});
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const demo = spawn(npm, ['run', 'demo'], {
  env: { ...process.env, PORT: String(port), PATHORS_API_KEY: '', PATHORS_PROJECT_ID: '' },
  stdio: ['ignore', 'pipe', 'pipe'],
  detached: true,
});
let output = '';
demo.stdout.on('data', (chunk) => {
  output += chunk;
});
demo.stderr.on('data', (chunk) => {
  output += chunk;
});

function stop() {
  try {
    process.kill(-demo.pid, 'SIGTERM');
  } catch {
    /* already gone */
  }
}

function fail(reason) {
  stop();
  console.error(`npm run demo: ${reason}\n--- its output ---\n${output.slice(-4000)}`);
  process.exit(1);
}

const timer = setTimeout(() => fail(`no reply within ${TIMEOUT_MS / 1000} s`), TIMEOUT_MS);
demo.once('exit', (code) => fail(`exited with ${code} before the check ended`));

const url = await new Promise((resolveUrl) => {
  const look = () => {
    const match = /demo: (http:\/\/\S+?)\/?\s/.exec(output);
    if (match) resolveUrl(match[1]);
  };
  demo.stdout.on('data', look);
});

const page = await fetch(`${url}/`);
const html = await page.text();
if (!page.ok || !html.includes('<pathors-chat')) fail(`GET / answered ${page.status} without the element`);
const script = await fetch(`${url}/dist/pathors-chat.js`);
if (!script.ok) fail(`GET /dist/pathors-chat.js answered ${script.status}`);

const chat = await fetch(`${url}/pathors/chat/completions`, {
  method: 'POST',
  headers: { 'Content-Type': 'application/json', Origin: url, Accept: 'text/event-stream' },
  body: JSON.stringify({ messages: [{ role: 'user', content: 'Hello' }], stream: true }),
});
if (chat.status !== 200) fail(`the proxy answered ${chat.status}: ${await chat.text()}`);
const stream = await chat.text();
const deltas = [...stream.matchAll(/^data: (\{.*\})$/gm)]
  .map(([, json]) => JSON.parse(json).choices?.[0]?.delta?.content ?? '')
  .join('');
if (!stream.trimEnd().endsWith('data: [DONE]') || deltas.length === 0)
  fail(`the stream did not end with a reply:\n${stream.slice(0, 2000)}`);

clearTimeout(timer);
demo.removeAllListeners('exit');
stop();
console.log(`npm run demo: ${url}/ served the page and streamed a ${deltas.length}-character reply through /pathors`);
