/**
 * Session IDs minted and signed by the proxy: `<18 random bytes>.<HMAC-SHA256, first 18 bytes>`,
 * both base64url. The signed string itself is the ID Pathors sees, so upstream bodies and
 * stream chunks already carry what the browser holds and pass through untouched.
 */

const RANDOM_BYTES = 18;
const MAC_BYTES = 18;
// 18 bytes encode to exactly 24 base64url characters, with no padding to argue about.
const PART = '[A-Za-z0-9_-]{24}';
const SESSION_ID = new RegExp(`^${PART}\\.${PART}$`);
// Binds the MAC to this use, so the secret signing something else can never yield a session.
const CONTEXT = 'pathors-chat/session/v1:';

const encoder = new TextEncoder();

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
  mint(): Promise<string>;
  /** True only for an ID this proxy (under any of its secrets) minted. */
  verify(sessionId: string): Promise<boolean>;
}

export function createSessionSigner(secrets: readonly string[]): SessionSigner {
  // Imported lazily: Workers forbid crypto work at module scope, and most requests need one key only.
  const keys = secrets.map((secret) => {
    let key: Promise<CryptoKey> | undefined;
    return () => (key ??= crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']));
  });

  async function mac(key: () => Promise<CryptoKey>, nonce: string): Promise<Uint8Array> {
    const signature = await crypto.subtle.sign('HMAC', await key(), encoder.encode(CONTEXT + nonce));
    return new Uint8Array(signature, 0, MAC_BYTES);
  }

  return {
    async mint() {
      const nonce = base64url(crypto.getRandomValues(new Uint8Array(RANDOM_BYTES)));
      return `${nonce}.${base64url(await mac(keys[0]!, nonce))}`;
    },
    async verify(sessionId) {
      if (!SESSION_ID.test(sessionId)) return false;
      const [nonce, given] = sessionId.split('.') as [string, string];
      const givenBytes = fromBase64url(given);
      // Re-encoding catches IDs that decode to the same bytes from a different spelling.
      if (base64url(givenBytes) !== given) return false;
      let valid = false;
      for (const key of keys) valid = equalInConstantTime(await mac(key, nonce), givenBytes) || valid;
      return valid;
    },
  };
}
