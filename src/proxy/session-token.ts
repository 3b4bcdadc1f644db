/**
 * Session IDs minted and signed by the proxy:
 * `<18 random bytes>.<expiry, Unix seconds in base 36>.<HMAC-SHA256 of both, first 18 bytes>`,
 * bytes in base64url. The signed string itself is the ID Pathors sees, so upstream bodies and
 * stream chunks already carry what the browser holds and pass through untouched. The expiry is
 * signed with the nonce, so a visitor cannot extend it.
 */

const RANDOM_BYTES = 18;
const MAC_BYTES = 18;
// 18 bytes encode to exactly 24 base64url characters, with no padding to argue about.
const PART = '[A-Za-z0-9_-]{24}';
const SESSION_ID = new RegExp(`^(${PART})\\.([0-9a-z]{1,11})\\.(${PART})$`);
// Binds the MAC to this use, so the secret signing something else can never yield a session.
// v2 added the expiry: a v1 ID (no expiry) never verifies, and its visitor starts a new session.
const CONTEXT = 'pathors-chat/session/v2:';

const encoder = new TextEncoder();
const VERIFIED_CACHE_SIZE = 10_000;

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

function fromBase64url(text: string): Uint8Array {
  const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/'));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Compares every byte whatever the first difference, so timing tells nothing about the MAC. */
function equalInConstantTime(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i]! ^ b[i]!;
  return difference === 0;
}

export interface SessionSigner {
  /** A new ID that stops verifying at `expiresAt` (ms since the epoch, rounded up to the second). */
  mint(expiresAt: number): Promise<string>;
  /**
   * When an ID this proxy (under any of its secrets) minted expires, in ms since the epoch;
   * undefined for any other string. Expiry is the caller's to compare, with its own clock.
   */
  expiryOf(sessionId: string): Promise<number | undefined>;
}

export function createSessionSigner(secrets: readonly string[]): SessionSigner {
  // Imported lazily: Workers forbid crypto work at module scope, and most requests need one key only.
  const keys = secrets.map((secret) => {
    let key: Promise<CryptoKey> | undefined;
    return () =>
      (key ??= crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
        'sign',
      ]));
  });

  async function mac(key: () => Promise<CryptoKey>, signed: string): Promise<Uint8Array> {
    const signature = await crypto.subtle.sign('HMAC', await key(), encoder.encode(CONTEXT + signed));
    return new Uint8Array(signature, 0, MAC_BYTES);
  }

  // IDs already verified or minted here, so a conversation under way skips the HMAC (a
  // thread-pool round trip and its job set-up, on the event loop of every message). Bounded; the
  // oldest entry goes first. Verification is a pure function of the ID and the secrets.
  const verified = new Map<string, number>();
  const remember = (sessionId: string, expiresAt: number) => {
    if (verified.size >= VERIFIED_CACHE_SIZE) verified.delete(verified.keys().next().value!);
    verified.set(sessionId, expiresAt);
  };

  return {
    async mint(expiresAt) {
      const nonce = base64url(crypto.getRandomValues(new Uint8Array(RANDOM_BYTES)));
      const expiry = Math.ceil(expiresAt / 1000);
      const signed = `${nonce}.${expiry.toString(36)}`;
      const sessionId = `${signed}.${base64url(await mac(keys[0]!, signed))}`;
      // What expiryOf would compute for it: the expiry as signed, in whole seconds.
      remember(sessionId, expiry * 1000);
      return sessionId;
    },
    async expiryOf(sessionId) {
      const known = verified.get(sessionId);
      if (known !== undefined) return known;
      const match = SESSION_ID.exec(sessionId);
      if (!match) return undefined;
      const [, nonce, expiry, given] = match as unknown as [string, string, string, string];
      const givenBytes = fromBase64url(given);
      // Re-encoding catches IDs that decode to the same bytes from a different spelling.
      if (base64url(givenBytes) !== given) return undefined;
      // Leading zeros would let one expiry be spelled many ways.
      if (expiry.length > 1 && expiry.startsWith('0')) return undefined;
      let valid = false;
      for (const key of keys) valid = equalInConstantTime(await mac(key, `${nonce}.${expiry}`), givenBytes) || valid;
      if (!valid) return undefined;
      const expiresAt = parseInt(expiry, 36) * 1000;
      remember(sessionId, expiresAt);
      return expiresAt;
    },
  };
}
