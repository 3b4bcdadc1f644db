/**
 * Structured events for the `log` option. Session IDs appear only as a short prefix:
 * a full ID lets its holder read the conversation, and logs travel further than they should.
 */
export type ProxyLogEvent =
  | {
      type: 'request';
      method: string;
      path: string;
      status: number;
      durationMs: number;
      clientIp?: string;
      session?: string;
    }
  | {
      type: 'refusal';
      method: string;
      path: string;
      status: number;
      code: string;
      message: string;
      clientIp?: string;
    }
  | {
      type: 'upstream_error';
      operation: 'chat' | 'create_session' | 'get_session' | 'end_session';
      status: number;
      code: string;
      message: string;
      upstreamStatus?: number;
    }
  | {
      type: 'stream_error';
      message: string;
    }
  | {
      type: 'internal_error';
      message: string;
    };

const REDACTED = '[redacted]';

/** Replaces every occurrence of the key in a string, however it reached it. */
export function scrub(text: string, apiKey: string): string {
  return text.includes(apiKey) ? text.split(apiKey).join(REDACTED) : text;
}

/** The message of anything thrown, with the key removed. */
export function describeError(error: unknown, apiKey: string): string {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
  return scrub(message + cause, apiKey);
}

export function shortSession(sessionId: string): string {
  return `${sessionId.slice(0, 8)}…`;
}

/**
 * A request path fit for a log: a session ID in it is a bearer token (whoever holds it can
 * read that conversation through the proxy), so only its first characters are kept.
 */
export function loggedPath(path: string): string {
  return path.replace(/(\/sessions\/)([^/]+)/, (_, prefix: string, id: string) => prefix + shortSession(id));
}

/** Calls the site's hook with every string scrubbed; a throwing hook must not break a request. */
export function createLogger(hook: ((event: ProxyLogEvent) => void) | undefined, apiKey: string) {
  return (event: ProxyLogEvent): void => {
    if (!hook) return;
    const safe = Object.fromEntries(
      Object.entries(event).map(([name, value]) => [name, typeof value === 'string' ? scrub(value, apiKey) : value]),
    ) as ProxyLogEvent;
    try {
      hook(safe);
    } catch {
      // The site's logger failing is not the visitor's problem.
    }
  };
}
