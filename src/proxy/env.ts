import type { ToolDefinition } from '../core/wire.js';
import type { ProxyServerOptions } from './node.js';
import type { BucketOptions, ProxyContext } from './options.js';

export interface EnvProblem {
  variable: string;
  message: string;
}

/** Bad or missing configuration: every problem found, each named by its environment variable. */
export class EnvConfigError extends Error {
  readonly problems: readonly EnvProblem[];
  /** The first problem's variable. */
  readonly variable: string;

  constructor(problems: readonly EnvProblem[]) {
    super(problems.map((problem) => `${problem.variable} ${problem.message}`).join('\n'));
    this.name = 'EnvConfigError';
    this.problems = problems;
    this.variable = problems[0]?.variable ?? '';
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
  tools: 'PATHORS_TOOLS_FILE',
  'rateLimit.perIp.capacity': 'PATHORS_RATE_LIMIT_IP_BURST',
  'rateLimit.perIp.refillPerMinute': 'PATHORS_RATE_LIMIT_IP_PER_MINUTE',
  'rateLimit.perSession.capacity': 'PATHORS_RATE_LIMIT_SESSION_BURST',
  'rateLimit.perSession.refillPerMinute': 'PATHORS_RATE_LIMIT_SESSION_PER_MINUTE',
};

export const FAULT_MARKERS_HELP = `Fault markers (with --fake): put one in a user message to make that reply fail.
  [[fault:http-500]] [[fault:http-401]] [[fault:http-429]]   upstream answers that status
  [[fault:slow-first-byte:MS]]   headers wait MS ms (default 2000)
  [[fault:drop-mid-stream]]      the connection drops half-way through the reply
  [[fault:malformed-chunk]]      a chunk that is not JSON
  [[fault:wrong-content-type]]   an HTML page instead of an event stream
  [[fault:no-trailing-blank-line]] [[fault:empty-reply]]
  [[fault:bad-tool-name]]        a call to a tool whose name no API accepts back
  [[delay:MS]]                   MS ms between streamed chunks
A message naming a tool the page offers gets a call to that tool.`;

export const USAGE = `Usage: pathors-chat-proxy [--fake] [--help]

Runs the pathors-chat proxy: holds your Pathors API key, and lets only your pages'
<pathors-chat> widgets talk to your agent, within limits.

  --fake   Also start a fake Pathors upstream on loopback and use it: try a site without a
           key. PATHORS_API_KEY, PATHORS_PROJECT_ID and the upstream URLs are then not used;
           PATHORS_ALLOWED_ORIGINS defaults to any http://localhost or http://127.0.0.1 page.

Required environment:
  PATHORS_API_KEY          Pathors project API key (sk_...). Never printed.
  PATHORS_PROJECT_ID       Pathors project ID.
  PATHORS_ALLOWED_ORIGINS  Comma-separated origins of the pages that embed the widget,
                           e.g. https://shop.example,https://www.shop.example
  PATHORS_SESSION_SECRET   At least 32 characters; signs session IDs. The same on every
                           instance and across restarts. Generate one with: openssl rand -hex 32
                           To rotate, list new,old: the first signs, each one verifies.

Optional environment:
  PATHORS_BASE_URL         Pathors base URL (default https://app.pathors.com).
  PATHORS_CHAT_URL         Chat completions URL template, with {projectId}; set together
  PATHORS_SESSION_URL      with the session URL template to use another host's layout, e.g.
                           https://api.pathors.com/v1/projects/{projectId}/chat/completions
                           https://api.pathors.com/project/{projectId}/session
  PATHORS_BASE_PATH        Path prefix to serve under, e.g. /api/chat (default none).
  PATHORS_TOOLS_FILE       A JSON file: the array of your page tools' definitions
                           ([{ "type": "function", "function": { "name", ... } }]). Browsers
                           may then offer only these, as defined there. Recommended.
  PATHORS_RATE_LIMIT_IP_BURST, PATHORS_RATE_LIMIT_IP_PER_MINUTE
                           Requests per client IP: burst, then refill per minute
                           (default 60 and 30). A burst of "off" turns the limit off.
  PATHORS_RATE_LIMIT_SESSION_BURST, PATHORS_RATE_LIMIT_SESSION_PER_MINUTE
                           Requests per session (default 20 and 10; "off" as above).
  PATHORS_REDIS_URL        redis://[:password@]host:port[/db] (rediss:// for TLS): share rate
                           limits and replay checks across instances. Needs \`npm install ioredis\`.
  PATHORS_REDIS_FAIL_MODE  While Redis is unreachable: "open" (default: serve without limits,
                           warn, /health says degraded) or "closed" (refuse with 500; /health 503).
  PATHORS_REDIS_TIMEOUT_MS How long a Redis call may take before it counts as an outage (default
                           500). Raise it for a Redis far away or a busy host.
  PATHORS_TRUST_PROXY      Behind your own reverse proxies that append X-Forwarded-For: their
                           number (1, 2, ...) or "true" (= 1). Per-client limits then use the
                           address the outermost of them saw. Default false.
  PATHORS_LOG_FORMAT       "text" (default) or "json" (one JSON object a line, for log shippers).
  PATHORS_SHUTDOWN_TIMEOUT_SECONDS
                           On SIGTERM, how long running streams may take to finish (default 10).
  HOST                     Interface to listen on (default 127.0.0.1).
  PORT                     Port to listen on (default 8787).
  PATHORS_HEALTH_PORT      Also answer GET /health on this port, from a thread of its own: in
                           milliseconds even while the proxy relays a burst of streams. Point
                           your load balancer's probe here. Default off.

Routes: POST /chat/completions, POST /sessions, GET|DELETE /sessions/:id, GET /health.

${FAULT_MARKERS_HELP}
`;

export type LogFormat = 'text' | 'json';

/** Everything the command needs, read from the environment. */
export interface CliConfig {
  server: ProxyServerOptions;
  redis: { url: string; failMode: 'open' | 'closed'; timeoutMs: number } | undefined;
  logFormat: LogFormat;
  shutdownTimeoutMs: number;
}

export interface EnvReadOptions {
  /** `--fake`: the key, project and upstream come from the fake, not the environment. */
  fake?: { apiKey: string; projectId: string; url: string; sessionSecret: string };
  /** Reads PATHORS_TOOLS_FILE; node:fs in the command, a stub in tests. */
  readFile?: (path: string) => string;
}

const HEADER_SAFE = /^[\x21-\x7e]+$/;

function checkUrl(value: string, redis = false): string | undefined {
  let url: URL;
  try {
    url = new URL(value.replaceAll('{projectId}', 'project'));
  } catch {
    return `is not a URL: ${JSON.stringify(value)}.`;
  }
  const schemes = redis ? ['redis:', 'rediss:'] : ['http:', 'https:'];
  if (!schemes.includes(url.protocol))
    return `must start with ${schemes.map((scheme) => `${scheme}//`).join(' or ')}, not ${url.protocol}//.`;
  if (!redis && (url.username || url.password))
    return 'must not carry credentials; the API key goes in PATHORS_API_KEY.';
  return undefined;
}

/** The address `hops` reverse proxies in: the entry the outermost trusted proxy appended. */
export function forwardedClientIp(hops: number): (request: Request, context: ProxyContext) => string | undefined {
  return (request, context) => {
    const entries =
      request.headers
        .get('X-Forwarded-For')
        ?.split(',')
        .map((part) => part.trim())
        .filter(Boolean) ?? [];
    return entries.length >= hops ? entries[entries.length - hops] : context.clientAddress;
  };
}

function isToolDefinition(value: unknown): value is ToolDefinition {
  if (typeof value !== 'object' || value === null) return false;
  const tool = value as { type?: unknown; function?: { name?: unknown } };
  return tool.type === 'function' && typeof tool.function?.name === 'string' && tool.function.name !== '';
}

/**
 * `PATHORS_SESSION_SECRET`: a comma-separated list rotates secrets, the first signs new sessions
 * and every one verifies (a stray comma, as in "new,", adds nothing). Each entry is checked on its
 * own; the command and `npm run demo` read it alike.
 */
export function readSessionSecrets(
  text: string | undefined,
  apiKey: string | undefined,
  problem: (variable: string, message: string) => void,
): string[] | undefined {
  const secrets = text
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (secrets === undefined || secrets.length === 0) {
    problem(
      'PATHORS_SESSION_SECRET',
      'is not set: the proxy signs session IDs with it. Generate one with `openssl rand -hex 32`.',
    );
    return undefined;
  }
  for (const [i, secret] of secrets.entries()) {
    const entry = secrets.length > 1 ? `entry ${i + 1} of the list ` : '';
    if (secret.length < 32) {
      problem(
        'PATHORS_SESSION_SECRET',
        `${entry}is ${secret.length} characters; it must be at least 32. Generate one with \`openssl rand -hex 32\`.`,
      );
    } else if (secret === apiKey) {
      problem('PATHORS_SESSION_SECRET', `${entry}must not be the API key.`);
    }
  }
  return secrets;
}

/**
 * Reads the command's configuration from the environment and reports every problem at once,
 * each naming its variable. Option-level checks run again in createPathorsProxy.
 */
export function configFromEnv(env: Record<string, string | undefined>, read: EnvReadOptions = {}): CliConfig {
  const problems: EnvProblem[] = [];
  const problem = (variable: string, message: string) => problems.push({ variable, message });
  const value = (name: string): string | undefined => {
    const text = env[name]?.trim();
    return text ? text : undefined;
  };

  const { fake } = read;
  const apiKey = fake?.apiKey ?? value('PATHORS_API_KEY');
  if (apiKey === undefined)
    problem(
      'PATHORS_API_KEY',
      'is not set: set it to your Pathors project API key (or run with --fake to try without one).',
    );
  else if (!HEADER_SAFE.test(apiKey))
    problem('PATHORS_API_KEY', 'contains whitespace or characters not allowed in an HTTP header.');
  const projectId = fake?.projectId ?? value('PATHORS_PROJECT_ID');
  if (projectId === undefined) problem('PATHORS_PROJECT_ID', 'is not set: set it to your Pathors project ID.');

  const originsText = value('PATHORS_ALLOWED_ORIGINS');
  let allowedOrigins: ProxyServerOptions['allowedOrigins'] = [];
  if (originsText === undefined) {
    if (fake) allowedOrigins = (origin) => /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/.test(origin);
    else
      problem(
        'PATHORS_ALLOWED_ORIGINS',
        'is not set: list the origins of the pages that embed the widget, comma-separated (e.g. https://shop.example).',
      );
  } else {
    const origins = originsText
      .split(',')
      .map((origin) => origin.trim())
      .filter(Boolean);
    if (origins.length === 0) problem('PATHORS_ALLOWED_ORIGINS', 'names no origin.');
    for (const origin of origins) {
      if (origin === '*') {
        problem('PATHORS_ALLOWED_ORIGINS', 'must not contain "*": name each origin that may spend your key.');
        continue;
      }
      let parsed: string | undefined;
      try {
        parsed = new URL(origin).origin;
      } catch {
        parsed = undefined;
      }
      if (parsed === undefined || parsed === 'null')
        problem('PATHORS_ALLOWED_ORIGINS', `has an entry that is not an origin: ${JSON.stringify(origin)}.`);
      else if (parsed !== origin)
        problem(
          'PATHORS_ALLOWED_ORIGINS',
          `entries must be bare origins (scheme://host[:port]): ${JSON.stringify(origin)} should be ${JSON.stringify(parsed)}.`,
        );
    }
    allowedOrigins = origins;
  }

  const sessionSecrets = readSessionSecrets(value('PATHORS_SESSION_SECRET') ?? fake?.sessionSecret, apiKey, problem);

  let upstream: ProxyServerOptions['upstream'];
  if (fake) {
    upstream = fake.url;
  } else {
    const chatUrl = value('PATHORS_CHAT_URL');
    const sessionUrl = value('PATHORS_SESSION_URL');
    const baseUrl = value('PATHORS_BASE_URL');
    if ((chatUrl === undefined) !== (sessionUrl === undefined)) {
      problem(
        chatUrl === undefined ? 'PATHORS_CHAT_URL' : 'PATHORS_SESSION_URL',
        'must be set together with the other URL template (PATHORS_CHAT_URL and PATHORS_SESSION_URL).',
      );
    }
    if (baseUrl !== undefined && (chatUrl !== undefined || sessionUrl !== undefined)) {
      problem('PATHORS_BASE_URL', 'conflicts with PATHORS_CHAT_URL/PATHORS_SESSION_URL; set one or the other.');
    }
    for (const [name, url] of [
      ['PATHORS_BASE_URL', baseUrl],
      ['PATHORS_CHAT_URL', chatUrl],
      ['PATHORS_SESSION_URL', sessionUrl],
    ] as const) {
      const wrong = url === undefined ? undefined : checkUrl(url);
      if (wrong) problem(name, wrong);
    }
    if (chatUrl !== undefined && sessionUrl !== undefined) upstream = { chatCompletions: chatUrl, session: sessionUrl };
    else if (baseUrl !== undefined) upstream = baseUrl;
  }

  const basePath = value('PATHORS_BASE_PATH');
  if (basePath !== undefined && (!basePath.startsWith('/') || basePath.endsWith('/'))) {
    problem('PATHORS_BASE_PATH', 'must start with "/" and not end with one, such as /api/chat.');
  }

  const checkPort = (name: string, text: string) => {
    if (!/^\d{1,5}$/.test(text) || Number(text) > 65535)
      problem(name, `must be a port number (0-65535), not ${JSON.stringify(text)}.`);
  };
  const port = value('PORT') ?? '8787';
  checkPort('PORT', port);
  const healthPort = value('PATHORS_HEALTH_PORT');
  if (healthPort !== undefined) checkPort('PATHORS_HEALTH_PORT', healthPort);

  const trust = value('PATHORS_TRUST_PROXY')?.toLowerCase();
  let hops = 0;
  if (trust === 'true') hops = 1;
  else if (trust !== undefined && trust !== 'false') {
    if (/^\d{1,2}$/.test(trust)) hops = Number(trust);
    else
      problem(
        'PATHORS_TRUST_PROXY',
        `must be "false", "true" or the number of your reverse proxies (1, 2, ...), not ${JSON.stringify(trust)}.`,
      );
  }

  const limit = (scope: 'IP' | 'SESSION', defaults: BucketOptions): BucketOptions | false => {
    const burstName = `PATHORS_RATE_LIMIT_${scope}_BURST`;
    const refillName = `PATHORS_RATE_LIMIT_${scope}_PER_MINUTE`;
    const burst = value(burstName);
    const refill = value(refillName);
    if (burst?.toLowerCase() === 'off') return false;
    const bucket = { ...defaults };
    if (burst !== undefined) {
      if (/^\d+$/.test(burst) && Number(burst) >= 1) bucket.capacity = Number(burst);
      else problem(burstName, `must be a whole number >= 1 or "off", not ${JSON.stringify(burst)}.`);
    }
    if (refill !== undefined) {
      if (/^\d+(\.\d+)?$/.test(refill) && Number(refill) > 0) bucket.refillPerMinute = Number(refill);
      else problem(refillName, `must be a number > 0, not ${JSON.stringify(refill)}.`);
    }
    return bucket;
  };
  const perIp = limit('IP', { capacity: 60, refillPerMinute: 30 });
  const perSession = limit('SESSION', { capacity: 20, refillPerMinute: 10 });

  let tools: ToolDefinition[] | undefined;
  const toolsFile = value('PATHORS_TOOLS_FILE');
  if (toolsFile !== undefined) {
    let text: string | undefined;
    try {
      text = (
        read.readFile ??
        (() => {
          throw new Error('no file reader');
        })
      )(toolsFile);
    } catch (error) {
      problem(
        'PATHORS_TOOLS_FILE',
        `cannot be read (${toolsFile}): ${error instanceof Error ? error.message : String(error)}.`,
      );
    }
    if (text !== undefined) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        problem(
          'PATHORS_TOOLS_FILE',
          `is not JSON (${toolsFile}): ${error instanceof Error ? error.message : String(error)}.`,
        );
      }
      if (parsed !== undefined) {
        const bad = Array.isArray(parsed) ? parsed.findIndex((tool) => !isToolDefinition(tool)) : -2;
        if (bad === -2) problem('PATHORS_TOOLS_FILE', `must hold a JSON array of tool definitions (${toolsFile}).`);
        else if (bad >= 0)
          problem(
            'PATHORS_TOOLS_FILE',
            `entry ${bad} must be { "type": "function", "function": { "name", ... } } (${toolsFile}).`,
          );
        else tools = parsed as ToolDefinition[];
      }
    }
  }

  const redisUrl = value('PATHORS_REDIS_URL');
  if (redisUrl !== undefined) {
    const wrong = checkUrl(redisUrl, true);
    if (wrong) problem('PATHORS_REDIS_URL', wrong);
  }
  const failMode = value('PATHORS_REDIS_FAIL_MODE')?.toLowerCase() ?? 'open';
  if (failMode !== 'open' && failMode !== 'closed')
    problem('PATHORS_REDIS_FAIL_MODE', `must be "open" or "closed", not ${JSON.stringify(failMode)}.`);
  const redisTimeout = value('PATHORS_REDIS_TIMEOUT_MS') ?? '500';
  if (!/^[1-9]\d*$/.test(redisTimeout))
    problem('PATHORS_REDIS_TIMEOUT_MS', `must be a whole number of milliseconds, not ${JSON.stringify(redisTimeout)}.`);

  const logFormat = value('PATHORS_LOG_FORMAT')?.toLowerCase() ?? 'text';
  if (logFormat !== 'text' && logFormat !== 'json')
    problem('PATHORS_LOG_FORMAT', `must be "text" or "json", not ${JSON.stringify(logFormat)}.`);

  const shutdown = value('PATHORS_SHUTDOWN_TIMEOUT_SECONDS') ?? '10';
  if (!/^\d+(\.\d+)?$/.test(shutdown))
    problem('PATHORS_SHUTDOWN_TIMEOUT_SECONDS', `must be a number of seconds, not ${JSON.stringify(shutdown)}.`);

  if (problems.length > 0) throw new EnvConfigError(problems);

  const server: ProxyServerOptions = {
    apiKey: apiKey!,
    projectId: projectId!,
    allowedOrigins,
    sessionSecret: sessionSecrets!,
    host: value('HOST') ?? '127.0.0.1',
    port: Number(port),
    rateLimit: { perIp, perSession },
  };
  if (upstream !== undefined) server.upstream = upstream;
  if (healthPort !== undefined) server.healthPort = Number(healthPort);
  if (basePath !== undefined) server.basePath = basePath;
  if (hops === 1) server.trustProxy = true;
  else if (hops > 1) server.clientIp = forwardedClientIp(hops);
  if (tools !== undefined) server.tools = tools;
  return {
    server,
    redis:
      redisUrl === undefined
        ? undefined
        : { url: redisUrl, failMode: failMode as 'open' | 'closed', timeoutMs: Number(redisTimeout) },
    logFormat: logFormat as LogFormat,
    shutdownTimeoutMs: Number(shutdown) * 1000,
  };
}

/** The proxy's options alone, as before the command grew its own settings. */
export function optionsFromEnv(env: Record<string, string | undefined>, read: EnvReadOptions = {}): ProxyServerOptions {
  return configFromEnv(env, read).server;
}
