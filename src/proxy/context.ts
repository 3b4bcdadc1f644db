import type { OriginVerdict } from './cors.js';
import type { ProxyLogEvent } from './log.js';
import type { ResolvedOptions } from './options.js';
import type { RateLimitStore } from './rate-limit.js';
import type { SessionSigner } from './session-token.js';

/** What every request shares: built once by `createPathorsProxy`. */
export interface ProxyRuntime {
  readonly options: ResolvedOptions;
  readonly store: RateLimitStore;
  readonly signer: SessionSigner;
  /** Scrubs the key from every string before the site's `log` hook sees it. */
  readonly log: (event: ProxyLogEvent) => void;
}

/** One request, as the checks in front of the routes have judged it. */
export interface RequestContext extends ProxyRuntime {
  readonly request: Request;
  /** The path below `basePath`. */
  readonly path: string;
  readonly clientIp: string | undefined;
  readonly origin: OriginVerdict;
}
