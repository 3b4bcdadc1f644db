/**
 * A request body an adapter has already read whole, handed to the routes beside the Request
 * rather than inside it. On Node, a Request built with a body wraps it in a web stream (made
 * transferable, in Node 20) that the chat route would then read back chunk by chunk: about a
 * tenth of the CPU a chat message costs the proxy, for bytes already in memory.
 */
const bodies = new WeakMap<Request, Uint8Array>();

/** `request`, built without a body, with `bytes` as its body for the routes. */
export function withBufferedBody(request: Request, bytes: Uint8Array): Request {
  bodies.set(request, bytes);
  return request;
}

export function bufferedBodyOf(request: Request): Uint8Array | undefined {
  return bodies.get(request);
}
