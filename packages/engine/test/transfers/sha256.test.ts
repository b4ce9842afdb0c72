import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Sha256 } from '../../src/transfers/sha256.js';

function nodeSha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

describe('Sha256', () => {
  it('matches node:crypto around block boundaries', () => {
    for (const size of [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000]) {
      const bytes = randomBytes(size);
      expect(new Sha256().update(bytes).digestHex(), `size ${size}`).toBe(
        nodeSha256(bytes),
      );
    }
  });

  it('gives the same hash for any split into updates', () => {
    const bytes = new Uint8Array(randomBytes(10_000));
    const expected = nodeSha256(bytes);
    for (const step of [1, 7, 63, 64, 65, 4096]) {
      const hash = new Sha256();
      for (let start = 0; start < bytes.length; start += step) {
        hash.update(bytes.subarray(start, start + step));
      }
      expect(hash.digestHex(), `step ${step}`).toBe(expected);
    }
  });

  it('hashes the known empty and abc values', () => {
    expect(new Sha256().digestHex()).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    const abc = new TextEncoder().encode('abc');
    expect(new Sha256().update(abc).digestHex()).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('rejects an update after the digest', () => {
    const hash = new Sha256();
    hash.digestHex();
    expect(() => hash.update(new Uint8Array(1))).toThrow(/after digestHex/);
  });
});
