/**
 * Deterministic pseudo-random file content. The bytes are the AES-128-CTR
 * keystream under a key derived from the seed, so a seed always gives the
 * same bytes, native code generates them at memory speed, and no test file
 * ever sits on disk. Different seeds give contents that no store can
 * deduplicate.
 */
import { createCipheriv, createHash } from 'node:crypto';

/** Size of the blocks that `seededBlocks` yields by default. */
export const BLOCK_BYTES = 1024 * 1024;

/**
 * Yields `size` bytes for `seed` in blocks of `blockBytes` (the last block
 * may be shorter). Each block is a fresh buffer the caller may keep.
 */
export function* seededBlocks(
  seed: number,
  size: number,
  blockBytes = BLOCK_BYTES,
): Generator<Buffer> {
  const key = createHash('sha256')
    .update(`portico-bench-${seed}`)
    .digest()
    .subarray(0, 16);
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  const zeros = Buffer.alloc(blockBytes);
  for (let offset = 0; offset < size; offset += blockBytes) {
    const length = Math.min(blockBytes, size - offset);
    yield cipher.update(zeros.subarray(0, length));
  }
}

/** Returns the SHA-256 in hex of the `size` bytes of `seed`. */
export function seededSha256(seed: number, size: number): string {
  const hash = createHash('sha256');
  for (const block of seededBlocks(seed, size)) hash.update(block);
  return hash.digest('hex');
}

/** Returns all `size` bytes of `seed` in one buffer; for small sizes only. */
export function seededBuffer(seed: number, size: number): Buffer {
  return Buffer.concat([...seededBlocks(seed, size)]);
}
