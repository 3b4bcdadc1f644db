import type { ProxyServerOptions } from './node.js';

/** Bad or missing configuration, named by its environment variable. */
export class EnvConfigError extends Error {
  readonly variable: string;

  constructor(variable: string, message: string) {
    super(`${variable} ${message}`);
    this.name = 'EnvConfigError';
    this.variable = variable;
  }
}

/** Which variable sets which option, so an option error can name what the operator typed. */
export const ENV_FOR_OPTION: Record<string, string> = {
  apiKey: 'PATHORS_API_KEY',
  projectId: 'PATHORS_PROJECT_ID',
  upstream: 'PATHORS_BASE_URL',
  'upstream.chatCompletions': 'PATHORS_CHAT_URL',
  'upstream.session': 'PATHORS_SESSION_URL',
  allowedOrigins: 'PATHORS_ALLOWED_ORIGINS',
  sessionSecret: 'PATHORS_SESSION_SECRET',
  basePath: 'PATHORS_BASE_PATH',
};

export const USAGE = `Usage: pathors-chat-proxy [--help]

Runs the pathors-chat proxy: holds your Pathors API key, and lets only your pages'
<pathors-chat> widgets talk to your agent, within limits.

Required environment:
  PATHORS_API_KEY          Pathors project API key (sk_...). Never printed.
  PATHORS_PROJECT_ID       Pathors project ID.
  PATHORS_ALLOWED_ORIGINS  Comma-separated origins of the pages that embed the widget,
                           e.g. https://shop.example,https://www.shop.example
  PATHORS_SESSION_SECRET   At least 32 characters; signs session IDs.
                           Generate one with: openssl rand -hex 32

Optional environment:
  PATHORS_BASE_URL         Pathors base URL (default https://app.pathors.com).
  PATHORS_CHAT_URL         Chat completions URL template, with {projectId}; set together
  PATHORS_SESSION_URL      with the session URL template to use another host's layout, e.g.
                           https://api.pathors.com/v1/projects/{projectId}/chat/completions
                           https://api.pathors.com/project/{projectId}/session
  PATHORS_BASE_PATH        Path prefix to serve under, e.g. /api/chat (default none).
  PATHORS_TRUST_PROXY      "true" behind one reverse proxy of yours that appends
                           X-Forwarded-For (for per-client rate limits).
  HOST                     Interface to listen on (default 127.0.0.1).
  PORT                     Port to listen on (default 8787).

Routes: POST /chat/completions, POST /sessions, GET|DELETE /sessions/:id, GET /health.
`;

function required(env: Record<string, string | undefined>, name: string, hint: string): string {
  const value = env[name]?.trim();
  if (!value) throw new EnvConfigError(name, `is not set: ${hint}`);
  return value;
}

function optional(env: Record<string, string | undefined>, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/** Reads the proxy's configuration from the environment; option-level checks follow in createPathorsProxy. */
export function optionsFromEnv(env: Record<string, string | undefined>): ProxyServerOptions {
  const apiKey = required(env, 'PATHORS_API_KEY', 'set it to your Pathors project API key.');
  const projectId = required(env, 'PATHORS_PROJECT_ID', 'set it to your Pathors project ID.');
  const origins = required(env, 'PATHORS_ALLOWED_ORIGINS', 'list the origins of the pages that embed the widget, comma-separated (e.g. https://shop.example).')
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  if (origins.length === 0) throw new EnvConfigError('PATHORS_ALLOWED_ORIGINS', 'names no origin.');
  const sessionSecret = env.PATHORS_SESSION_SECRET?.trim();
  if (!sessionSecret) {
    throw new EnvConfigError('PATHORS_SESSION_SECRET', 'is not set: the proxy signs session IDs with it. Generate one with `openssl rand -hex 32`.');
  }
  if (sessionSecret.length < 32) {
    throw new EnvConfigError('PATHORS_SESSION_SECRET', `is ${sessionSecret.length} characters; it must be at least 32. Generate one with \`openssl rand -hex 32\`.`);
  }

  const chatUrl = optional(env, 'PATHORS_CHAT_URL');
  const sessionUrl = optional(env, 'PATHORS_SESSION_URL');
  if ((chatUrl === undefined) !== (sessionUrl === undefined)) {
    const missing = chatUrl === undefined ? 'PATHORS_CHAT_URL' : 'PATHORS_SESSION_URL';
    throw new EnvConfigError(missing, 'must be set together with the other URL template (PATHORS_CHAT_URL and PATHORS_SESSION_URL).');
  }
  const baseUrl = optional(env, 'PATHORS_BASE_URL');
  if (baseUrl !== undefined && chatUrl !== undefined) {
    throw new EnvConfigError('PATHORS_BASE_URL', 'conflicts with PATHORS_CHAT_URL/PATHORS_SESSION_URL; set one or the other.');
  }

  const port = optional(env, 'PORT') ?? '8787';
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) {
    throw new EnvConfigError('PORT', `must be a port number (0-65535), not ${JSON.stringify(port)}.`);
  }
  const trust = optional(env, 'PATHORS_TRUST_PROXY')?.toLowerCase();
  if (trust !== undefined && !['true', 'false', '1', '0'].includes(trust)) {
    throw new EnvConfigError('PATHORS_TRUST_PROXY', 'must be "true" or "false".');
  }

  const options: ProxyServerOptions = {
    apiKey,
    projectId,
    allowedOrigins: origins,
    sessionSecret,
    host: optional(env, 'HOST') ?? '127.0.0.1',
    port: Number(port),
    trustProxy: trust === 'true' || trust === '1',
  };
  if (chatUrl !== undefined && sessionUrl !== undefined) options.upstream = { chatCompletions: chatUrl, session: sessionUrl };
  else if (baseUrl !== undefined) options.upstream = baseUrl;
  const basePath = optional(env, 'PATHORS_BASE_PATH');
  if (basePath !== undefined) options.basePath = basePath;
  return options;
}
