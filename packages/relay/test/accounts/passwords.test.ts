import { describe, expect, it } from 'vitest';
import { LoginLimiter } from '../../src/accounts/login-limiter.js';
import { hashPassword, verifyPassword } from '../../src/accounts/passwords.js';

describe('password hashing', () => {
  it('encodes scrypt parameters in the hash', async () => {
    const hash = await hashPassword('correct horse battery');
    const [scheme, n, r, p, salt, key] = hash.split('$');
    expect(scheme).toBe('scrypt');
    expect(Number(n)).toBe(2 ** 17);
    expect(Number(r)).toBe(8);
    expect(Number(p)).toBe(1);
    expect(Buffer.from(salt ?? '', 'base64url')).toHaveLength(16);
    expect(Buffer.from(key ?? '', 'base64url')).toHaveLength(32);
  });

  it('verifies the right password only', async () => {
    const hash = await hashPassword('correct horse battery');
    expect(await verifyPassword('correct horse battery', hash)).toBe(true);
    expect(await verifyPassword('correct horse batterY', hash)).toBe(false);
  });

  it('salts every hash', async () => {
    const first = await hashPassword('same password');
    const second = await hashPassword('same password');
    expect(first).not.toBe(second);
  });

  it('returns false for an unparseable hash', async () => {
    expect(await verifyPassword('x', 'plain-text')).toBe(false);
    expect(await verifyPassword('x', 'scrypt$0$8$1$aa$bb')).toBe(false);
    expect(await verifyPassword('x', 'scrypt$3$8$1$aa$bb')).toBe(false);
  });
});

describe('LoginLimiter', () => {
  it('blocks an account after five failures', async () => {
    const limiter = new LoginLimiter();
    for (let i = 0; i < 5; i++) {
      expect(await limiter.retryAfter('a@x.example', `10.0.0.${i}`)).toBe(
        undefined,
      );
      await limiter.recordFailure('a@x.example', `10.0.0.${i}`);
    }
    expect(
      await limiter.retryAfter('A@X.example', '10.0.0.99'),
    ).toBeGreaterThan(0);
    expect(await limiter.retryAfter('b@x.example', '10.0.0.99')).toBe(
      undefined,
    );
  });

  it('blocks an IP address after twenty failures', async () => {
    const limiter = new LoginLimiter();
    for (let i = 0; i < 20; i++) {
      await limiter.recordFailure(`user${i}@x.example`, '10.0.0.1');
    }
    expect(
      await limiter.retryAfter('new@x.example', '10.0.0.1'),
    ).toBeGreaterThan(0);
    expect(await limiter.retryAfter('new@x.example', '10.0.0.2')).toBe(
      undefined,
    );
  });

  it('forgets account failures after a success', async () => {
    const limiter = new LoginLimiter();
    for (let i = 0; i < 4; i++) {
      await limiter.recordFailure('a@x.example', '10.0.0.1');
    }
    await limiter.recordSuccess('a@x.example');
    await limiter.recordFailure('a@x.example', '10.0.0.1');
    expect(await limiter.retryAfter('a@x.example', '10.0.0.1')).toBe(undefined);
  });
});
