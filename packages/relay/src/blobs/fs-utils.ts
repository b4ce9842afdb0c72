import { open, unlink } from 'node:fs/promises';
import { hasErrorCode } from './errors.js';

/**
 * Flushes a directory's entries to disk, which makes a rename or a newly
 * created file in it survive a power loss.
 */
export async function fsyncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Deletes a file; resolves to false when it did not exist. */
export async function removeIfPresent(path: string): Promise<boolean> {
  try {
    await unlink(path);
    return true;
  } catch (error) {
    if (hasErrorCode(error, 'ENOENT')) return false;
    throw error;
  }
}
