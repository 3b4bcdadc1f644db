import type { ProxyContext, ResolvedOptions } from './options.js';

/** The address rate limits count by: the site's own rule, else the trusted proxy's, else the socket's. */
export function clientIpOf(request: Request, context: ProxyContext, options: ResolvedOptions): string | undefined {
  if (options.clientIp) return options.clientIp(request, context);
  if (options.trustProxy) {
    // The nearest proxy appends the address it saw; entries to its left are the client's to invent.
    const forwarded = request.headers
      .get('X-Forwarded-For')
      ?.split(',')
      .map((part) => part.trim())
      .filter(Boolean);
    const nearest = forwarded?.at(-1);
    if (nearest) return nearest;
  }
  return context.clientAddress;
}
