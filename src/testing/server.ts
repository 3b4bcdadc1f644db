import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleChat } from './chat.js';
import { handleControl } from './control.js';
import { defaultScript } from './default-script.js';
import type { Exchange, FakeState, MutableRecord } from './exchange.js';
import { FaultQueue } from './faults.js';
import {
  BodyTooLargeError,
  INVALID_AUTH,
  headerRecord,
  parseJson,
  readBodyText,
  sendError,
  sendNestedError,
} from './http-util.js';
import { allowedMethods, matchRoute } from './routes.js';
import type { Route } from './routes.js';
import { handleSession } from './session-api.js';
import type { Fault, FakeSession, FakeUpstream, FakeUpstreamOptions, FaultOptions, RecordedRequest } from './types.js';

/**
 * Starts a local, faithful stand-in for the Pathors API (chat completions, streamed or not, with
 * tool calls; the session API; both host layouts), with scripted replies and fault injection.
 *
 * @example
 * const fake = await startFakeUpstream();
 * const res = await fetch(fake.v1ChatCompletionsUrl, {
 *   method: 'POST',
 *   headers: { Authorization: `Bearer ${fake.apiKey}`, 'Content-Type': 'application/json' },
 *   body: JSON.stringify({ messages: [{ role: 'user', content: 'show me a table' }], stream: true }),
 * });
 * res.headers.get('x-session-id'); // 'session-…'
 * await fake.close();
 */
export async function startFakeUpstream(options: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
  const apiKey = options.apiKey ?? 'sk_test_fake';
  const projectId = options.projectId ?? 'proj_fake';
  const host = options.host ?? '127.0.0.1';
  const requests: RecordedRequest[] = [];
  const sessions = new Map<string, FakeSession>();
  const faults = new FaultQueue();
  const inFlight = new Set<AbortController>();
  const waiters = new Set<() => void>();
  let closed = false;
  let closing: Promise<void> | undefined;

  const state: FakeState = {
    apiKey,
    projectId,
    tokenDelayMs: options.tokenDelayMs ?? 0,
    script: options.script ?? defaultScript,
    sessions,
    faults,
    firedMarkers: new Set(),
  };
  const notify = (): void => {
    for (const waiter of [...waiters]) waiter();
  };

  const injectFault = (fault: Fault, count = 1, faultOptions?: FaultOptions): void =>
    faults.add(fault, count, faultOptions);
  const reset = (): void => {
    requests.length = 0;
    sessions.clear();
    faults.clear();
    state.firedMarkers.clear();
  };

  const server = createServer((req, res) => {
    if (closed) {
      res.destroy();
      return;
    }
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        const message = error instanceof Error ? error.message : String(error);
        sendNestedError(res, 500, `Internal error: ${message}`);
      } else {
        res.destroy();
      }
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const route = matchRoute(new URL(req.url ?? '/', 'http://fake').pathname);
    if (route.kind === 'control') return handleControl(req, res, route.action, { requests, injectFault, reset });

    let text: string;
    try {
      text = await readBodyText(req);
    } catch (error) {
      if (error instanceof BodyTooLargeError) sendError(res, 413, 'Request body too large', { Connection: 'close' });
      else res.destroy();
      return;
    }
    const parsed = text === '' ? undefined : parseJson(text);
    const record: MutableRecord = {
      kind: route.kind,
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: headerRecord(req),
      body: parsed === undefined ? undefined : parsed.ok ? parsed.value : text,
      authorized: isAuthorized(req, apiKey),
      status: undefined,
      sessionId: undefined,
      stream: undefined,
      fault: undefined,
      ended: false,
      aborted: false,
    };
    requests.push(record);

    const controller = new AbortController();
    inFlight.add(controller);
    let serverDrop = false;
    res.on('close', () => {
      inFlight.delete(controller);
      record.status ??= res.headersSent ? res.statusCode : undefined;
      record.ended = res.writableFinished;
      // A close before the end is the client leaving, unless the fake cut it (a fault, or close()).
      if (!res.writableEnded && !serverDrop && !closed) record.aborted = true;
      controller.abort();
      notify();
    });
    notify();

    const exchange: Exchange = {
      req,
      res,
      record,
      body: record.body,
      invalidJson: parsed?.ok === false,
      signal: controller.signal,
      markServerDrop: () => {
        serverDrop = true;
      },
      notify,
    };
    await dispatch(exchange, route);
  }

  async function dispatch(exchange: Exchange, route: Exclude<Route, { kind: 'control' }>): Promise<void> {
    const { req, res, record } = exchange;
    if (route.kind === 'unknown') return sendError(res, 404, 'Not found');
    if (!record.authorized) return sendNestedError(res, 401, INVALID_AUTH);
    if (route.projectId !== projectId) return sendError(res, 404, 'Project not found');
    const allowed = allowedMethods(route);
    if (!allowed.includes(req.method ?? '')) {
      return sendError(res, 405, 'Method not allowed', { Allow: allowed.join(', ') });
    }
    if (route.kind === 'chat') return handleChat(exchange, state);
    return handleSession(exchange, state, route.layout, route.sessionId);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const legacyBase = `${url}/api/project/${encodeURIComponent(projectId)}/integration/api`;

  const waitFor = (predicate: (request: RecordedRequest) => boolean, timeoutMs = 5000): Promise<RecordedRequest> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const found = requests.find(predicate);
        if (!found) return;
        cleanup();
        resolve(found);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`fake upstream: no matching request within ${timeoutMs} ms`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });

  return {
    url,
    apiKey,
    projectId,
    chatCompletionsUrl: `${legacyBase}/chat/completions`,
    sessionUrl: `${legacyBase}/session`,
    v1ChatCompletionsUrl: `${url}/v1/projects/${encodeURIComponent(projectId)}/chat/completions`,
    v1SessionUrl: `${url}/project/${encodeURIComponent(projectId)}/session`,
    requests,
    sessions,
    injectFault,
    waitFor,
    waitForAbort: (timeoutMs) => waitFor((request) => request.aborted, timeoutMs),
    reset,
    close: () => {
      closed = true;
      closing ??= new Promise<void>((resolve) => {
        for (const controller of inFlight) controller.abort();
        server.close(() => resolve());
        // Without this, a keep-alive socket or an open stream would hold close() for seconds.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function isAuthorized(req: IncomingMessage, apiKey: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return match?.[1] === apiKey;
}
