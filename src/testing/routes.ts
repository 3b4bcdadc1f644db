/**
 * `'legacy'`: the older host's paths (`/api/project/{pid}/integration/api/...`);
 * `'v1'`: the newer host's (`/v1/projects/{pid}/chat/completions`, `/project/{pid}/session`).
 */
export type Layout = 'legacy' | 'v1';

export type ControlAction = 'requests' | 'reset' | 'fault';

export type Route =
  | { kind: 'chat'; layout: Layout; projectId: string }
  | { kind: 'session'; layout: Layout; projectId: string; sessionId: string | undefined }
  | { kind: 'control'; action: ControlAction }
  | { kind: 'unknown' };

const CHAT_PATTERNS: ReadonlyArray<[Layout, RegExp]> = [
  ['legacy', /^\/api\/project\/([^/]+)\/integration\/api\/chat\/completions$/],
  ['v1', /^\/v1\/projects\/([^/]+)\/chat\/completions$/],
];

const SESSION_PATTERNS: ReadonlyArray<[Layout, RegExp]> = [
  ['legacy', /^\/api\/project\/([^/]+)\/integration\/api\/session(?:\/([^/]+))?$/],
  ['v1', /^\/project\/([^/]+)\/session(?:\/([^/]+))?$/],
];

const CONTROL_PATTERN = /^\/__fake\/(requests|reset|fault)$/;

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

export function matchRoute(pathname: string): Route {
  const control = CONTROL_PATTERN.exec(pathname);
  if (control) return { kind: 'control', action: control[1] as ControlAction };

  for (const [layout, pattern] of CHAT_PATTERNS) {
    const match = pattern.exec(pathname);
    const projectId = match?.[1] === undefined ? undefined : decode(match[1]);
    if (projectId !== undefined) return { kind: 'chat', layout, projectId };
  }
  for (const [layout, pattern] of SESSION_PATTERNS) {
    const match = pattern.exec(pathname);
    if (!match?.[1]) continue;
    const projectId = decode(match[1]);
    const sessionId = match[2] === undefined ? undefined : decode(match[2]);
    if (projectId === undefined || (match[2] !== undefined && sessionId === undefined)) break;
    return { kind: 'session', layout, projectId, sessionId };
  }
  return { kind: 'unknown' };
}

/** The methods each route answers, for 405 and its `Allow` header. */
export function allowedMethods(route: Route): readonly string[] {
  switch (route.kind) {
    case 'chat':
      return ['POST'];
    case 'session':
      return route.sessionId === undefined ? ['POST', 'DELETE'] : ['GET'];
    case 'control':
      return route.action === 'requests' ? ['GET', 'OPTIONS'] : ['POST', 'OPTIONS'];
    case 'unknown':
      return [];
  }
}
