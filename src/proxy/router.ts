import type { RequestContext } from './context.js';
import { chat } from './routes/chat.js';
import { health } from './routes/health.js';
import { endSession, readSession, startSession } from './routes/sessions.js';

export type RouteHandler = (context: RequestContext) => Promise<Response>;

export interface MatchedRoute {
  /** The methods this path answers, as an `Allow` header lists them. */
  allow: string;
  /** Open to anyone: no origin check and no rate limit (the health check). */
  open: boolean;
  handlers: Readonly<Partial<Record<string, RouteHandler>>>;
}

function fixed(handlers: MatchedRoute['handlers'], open = false): MatchedRoute {
  return { allow: Object.keys(handlers).join(', '), open, handlers };
}

const CHAT = fixed({ POST: chat });
const SESSIONS = fixed({ POST: startSession });
// HEAD too: some load balancers probe with it.
const HEALTH = fixed({ GET: health, HEAD: health }, true);

/** The proxy's routes, below `basePath`. */
export function matchRoute(path: string): MatchedRoute | undefined {
  if (path === '/chat/completions') return CHAT;
  if (path === '/sessions') return SESSIONS;
  if (path === '/health') return HEALTH;
  const match = /^\/sessions\/([^/]+)$/.exec(path);
  if (!match) return undefined;
  let id: string;
  try {
    id = decodeURIComponent(match[1]!);
  } catch {
    id = match[1]!;
  }
  return fixed({ GET: (context) => readSession(context, id), DELETE: (context) => endSession(context, id) });
}
