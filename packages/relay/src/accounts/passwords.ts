/**
 * Password hashing with Node's scrypt. The cost parameters are stored in
 * each hash (`scrypt$N$r$p$salt$key`, base64url), so raising the cost later
 * still verifies the hashes written before.
 */
import {
  randomBytes,
  scrypt,
  timingSafeEqual,
  type ScryptOptions,
} from 'node:crypto';

/** OWASP Password Storage Cheat Sheet (2024) minimum for scrypt. */
const COST = { N: 2 ** 17, r: 8, p: 1 };
const SALT_BYTES = 16;
const KEY_BYTES = 32;

/** scrypt needs 128 * N * r bytes; Node's default limit is 32 MiB. */
function maxmemFor(N: number, r: number): number {
  return 2 * 128 * N * r;
}

function deriveKey(
  password: string,
  salt: Buffer,
  options: ScryptOptions & { N: number; r: number; p: number },
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/** Hashes a password with a fresh random salt at the current cost. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const { N, r, p } = COST;
  const key = await deriveKey(password, salt, {
    N,
    r,
    p,
    maxmem: maxmemFor(N, r),
  });
  return [
    'scrypt',
    N,
    r,
    p,
    salt.toString('base64url'),
    key.toString('base64url'),
  ].join('$');
}

/**
 * Checks a password against a stored hash in constant time. Returns false
 * (never throws) for a hash it cannot parse.
 */
export async function verifyPassword(
  password: string,
  storedHash: string,
): Promise<boolean> {
  const parsed = parseHash(storedHash);
  if (!parsed) return false;
  const { N, r, p, salt, key } = parsed;
  let candidate: Buffer;
  try {
    candidate = await deriveKey(password, salt, {
      N,
      r,
      p,
      maxmem: maxmemFor(N, r),
    });
  } catch {
    // scrypt rejects costs it cannot run, such as N not a power of two.
    return false;
  }
  return candidate.length === key.length && timingSafeEqual(candidate, key);
}

function parseHash(storedHash: string) {
  const [scheme, n, r, p, salt, key] = storedHash.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return undefined;
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  if (!Object.values(cost).every((v) => Number.isInteger(v) && v > 0)) {
    return undefined;
  }
  return {
    ...cost,
    salt: Buffer.from(salt, 'base64url'),
    key: Buffer.from(key, 'base64url'),
  };
}

let dummyHashPromise: Promise<string> | undefined;

/**
 * Returns a hash of a random password. Login verifies against it when an
 * email has no account, so a failed login takes as long either way.
 */
export function dummyHash(): Promise<string> {
  dummyHashPromise ??= hashPassword(randomBytes(16).toString('hex'));
  return dummyHashPromise;
}
