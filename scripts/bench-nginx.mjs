// nginx as the reference relay: Debian's package, started with a config of its own in a temp
// folder (proxy_pass, proxy_buffering off: what a site puts in front of an SSE upstream), one
// worker like the proxy's one Node process, and stopped after the row.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync, rmSync, chmodSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const CANDIDATES = ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/bin/nginx', '/opt/homebrew/bin/nginx'];

/** The nginx binary, installing Debian's package where we are root on Debian; else a reason it cannot run. */
export function findNginx() {
  const fromEnv = process.env.NGINX_PATH;
  if (fromEnv) return existsSync(fromEnv) ? { path: fromEnv } : { reason: `NGINX_PATH=${fromEnv} does not exist` };
  const found = () => CANDIDATES.find((path) => existsSync(path));
  if (found()) return { path: found() };
  if (process.platform === 'linux' && process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
    console.error("[bench] nginx not found: installing Debian's nginx-light package");
    try {
      execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'nginx-light'], {
        stdio: ['ignore', 'ignore', 'inherit'],
      });
    } catch {
      // The reason below says what to do.
    }
    if (found()) return { path: found() };
  }
  return { reason: `no nginx at ${CANDIDATES.join(', ')} (install Debian's nginx package or set NGINX_PATH)` };
}

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts nginx in front of `upstreamUrl`; `/health` is answered by nginx itself. */
export async function startNginx(binary, upstreamUrl) {
  const prefix = mkdtempSync(join(tmpdir(), 'pathors-bench-nginx-'));
  // The worker may drop root for `nobody`: it must still reach its temp folders.
  chmodSync(prefix, 0o777);
  const port = await freePort();
  const upstream = new URL(upstreamUrl);
  const conf = join(prefix, 'nginx.conf');
  writeFileSync(
    conf,
    `
daemon off;
master_process on;
worker_processes 1;
worker_rlimit_nofile 16384;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path ${prefix}/body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  upstream pathors { server ${upstream.host}; keepalive 64; }
  server {
    listen 127.0.0.1:${port};
    location = /health { default_type application/json; return 200 '{"ok":true}'; }
    location / {
      proxy_pass http://pathors;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_request_buffering off;
      proxy_read_timeout 300s;
    }
  }
}
`,
  );
  const child = spawn(binary, ['-p', prefix, '-c', conf, '-e', join(prefix, 'error.log')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (data) => {
    stderr += data;
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null)
      throw new Error(`nginx exited (${child.exitCode}): ${stderr.trim() || readLog(prefix)}`);
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      // Not listening yet.
    }
    if (i > 100) throw new Error(`nginx did not answer on ${url}: ${readLog(prefix)}`);
    await sleep(50);
  }
  return {
    url,
    pid: child.pid,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGQUIT');
        await Promise.race([exited, sleep(5000)]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}

function readLog(prefix) {
  try {
    return readFileSync(join(prefix, 'error.log'), 'utf8').trim().split('\n').slice(-3).join(' | ');
  } catch {
    return '(no error log)';
  }
}
