import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, randomFillSync, timingSafeEqual } from 'node:crypto';
import argon2 from 'argon2';

/*
 * Small random values (tokens, keys, every page's CSP nonces) are cut from a
 * buffer filled 4 KB at a time from the system's CSPRNG, as Node's own
 * randomUUID does: each small randomBytes call went to OpenSSL on its own, and
 * on the realistic thread pages at scale 1 those calls were 2–3 % of the
 * server's samples. Bytes handed out are wiped from the buffer, so none is
 * handed out twice; large requests go to randomBytes directly.
 */
const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let poolAt = POOL_BYTES;

/** `n` random bytes from the system's CSPRNG (through the buffer above when small). */
export function secureRandom(n: number): Buffer {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`secureRandom: ${n} bytes`);
  if (n > POOL_BYTES / 16) return randomBytes(n);
  if (poolAt + n > POOL_BYTES) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const out = Buffer.from(pool.subarray(poolAt, poolAt + n));
  pool.fill(0, poolAt, poolAt + n);
  poolAt += n;
  return out;
}

/** A random URL-safe token of `bytes` random bytes. */
export const randomToken = (bytes = 32) => secureRandom(bytes).toString('base64url');

/** Tokens (session ids, API tokens, email links) are stored only as this hash. */
export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** A keyed hash for values we must compare but never store (IP addresses in rate-limit keys). */
export const keyedHash = (secret: string, value: string) => createHmac('sha256', secret).update(value).digest('base64url').slice(0, 22);

/**
 * A link token naming one person for one purpose ("stop these emails"): their
 * id and a keyed hash of purpose and id. No table; it stops working only if
 * the secret changes.
 */
export const personToken = (secret: string, purpose: string, userId: number) => `${userId}.${keyedHash(secret, `${purpose}:${userId}`)}`;

/** The person a `personToken` of this purpose names, or undefined. */
export function readPersonToken(secret: string, purpose: string, token: string): number | undefined {
  const m = /^(\d{1,15})\.([A-Za-z0-9_-]{22})$/.exec(token);
  if (!m) return undefined;
  const expected = Buffer.from(keyedHash(secret, `${purpose}:${m[1]}`));
  const given = Buffer.from(m[2]!);
  return expected.length === given.length && timingSafeEqual(expected, given) ? Number(m[1]) : undefined;
}

// OWASP's argon2id baseline: 19 MiB, 2 iterations, 1 lane.
const ARGON = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, ARGON);
}

// Verifying against this when no account matches keeps sign-in timing the same either way.
let dummyHash: Promise<string> | undefined;

/** Verifies a password against a stored hash; with no hash, spends the same time and fails. */
export async function verifyPassword(hash: string | null | undefined, password: string): Promise<boolean> {
  if (!hash) {
    dummyHash ??= hashPassword(randomToken());
    await argon2.verify(await dummyHash, password).catch(() => false);
    return false;
  }
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The key that seals stored secrets (TOTP seeds, identity providers' client secrets). */
const sealKey = (secret: string) => createHash('sha256').update(`convene:seal:${secret}`).digest();

/** Encrypts a small secret for storage (AES-256-GCM; "v1.iv.tag.data", base64url). */
export function seal(secret: string, plaintext: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', sealKey(secret), iv);
  const data = Buffer.concat([c.update(plaintext, 'utf8'), c.final()]);
  return ['v1', iv.toString('base64url'), c.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
}

/** Decrypts what `seal` made; undefined when it was sealed under another key or altered. */
export function unseal(secret: string, sealed: string): string | undefined {
  const [v, iv, tag, data] = sealed.split('.');
  if (v !== 'v1' || !iv || !tag || data === undefined) return undefined;
  try {
    const d = createDecipheriv('aes-256-gcm', sealKey(secret), Buffer.from(iv, 'base64url'));
    d.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([d.update(Buffer.from(data, 'base64url')), d.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
