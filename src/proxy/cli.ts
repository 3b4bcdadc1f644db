#!/usr/bin/env node
/**
 * `npx pathors-chat-proxy`: the proxy as a command, configured from the environment
 * (see USAGE in env.ts). Bad configuration stops it before it listens, naming the variable.
 */
import { ENV_FOR_OPTION, EnvConfigError, USAGE, optionsFromEnv } from './env.js';
import { scrub } from './log.js';
import { startProxyServer } from './node.js';
import { ProxyOptionsError } from './options.js';

const apiKey = process.env.PATHORS_API_KEY?.trim();
// Belt and braces: no message this command prints can carry the key, whatever produced it.
const say = (stream: NodeJS.WriteStream, text: string) => stream.write(`${apiKey ? scrub(text, apiKey) : text}\n`);

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    say(process.stdout, USAGE);
    return 0;
  }
  if (argv.length > 0) {
    say(process.stderr, `pathors-chat-proxy: unknown argument ${JSON.stringify(argv[0])}; it is configured from the environment.\n\n${USAGE}`);
    return 2;
  }

  let server;
  try {
    const options = optionsFromEnv(process.env);
    server = await startProxyServer({
      ...options,
      log: (event) => {
        if (event.type === 'request') {
          say(process.stdout, `${event.method} ${event.path} ${event.status} ${event.durationMs}ms${event.clientIp ? ` ${event.clientIp}` : ''}`);
        } else if (event.type !== 'refusal') {
          say(process.stderr, `${event.type}: ${event.message}`);
        }
      },
    });
  } catch (error) {
    if (error instanceof EnvConfigError) {
      say(process.stderr, `pathors-chat-proxy: ${error.message}\nRun pathors-chat-proxy --help for the configuration.`);
      return 1;
    }
    if (error instanceof ProxyOptionsError) {
      const variable = ENV_FOR_OPTION[error.option];
      say(process.stderr, `pathors-chat-proxy: ${variable ? `${variable} ${error.problem}` : error.message}`);
      return 1;
    }
    const code = (error as { code?: unknown }).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      say(process.stderr, `pathors-chat-proxy: cannot listen (${String(code)}); check HOST and PORT.`);
      return 1;
    }
    say(process.stderr, `pathors-chat-proxy: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }

  say(process.stdout, `pathors-chat-proxy listening on ${server.url}`);
  const stop = () => {
    server.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return -1;
}

main(process.argv.slice(2)).then(
  (status) => {
    if (status >= 0) process.exitCode = status;
  },
  (error: unknown) => {
    say(process.stderr, `pathors-chat-proxy: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
