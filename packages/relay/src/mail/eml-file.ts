// Storage of composed messages as .eml files, used when no SMTP server is
// configured. Invitations carry temporary passwords, so the folder and the
// files are readable by the relay's user only.
import { createHash, randomUUID } from 'node:crypto';
import { access, mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** Location of a message written by `writeEmlFile`. */
export interface EmlFile {
  path: string;
  /** True when a file for the same Message-ID existed and was replaced. */
  replaced: boolean;
}

/**
 * Derives a file name from a Message-ID such as `<id@portico.invalid>`.
 * Characters outside a portable set become `_`. In that case 48 bits of a
 * SHA-256 of the whole id are appended, so two ids that differ only in
 * those characters still get different files.
 */
export function emlFileName(messageId: string): string {
  const bare = messageId.replace(/^<|>$/g, '');
  const safe = bare.replace(/[^A-Za-z0-9._@+-]/g, '_').replace(/^\./, '_');
  if (safe === bare) {
    return `${safe}.eml`;
  }
  const hash = createHash('sha256').update(messageId).digest('hex');
  return `${safe}-${hash.slice(0, 12)}.eml`;
}

/**
 * Writes `content` to `directory/fileName` atomically, so a crash or a
 * concurrent reader finds the old file or the complete new one. The data
 * goes to a temporary file that is flushed, renamed over the target, and
 * then the directory entry is flushed too.
 */
export async function writeEmlFile(
  directory: string,
  fileName: string,
  content: Buffer,
): Promise<EmlFile> {
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const path = join(directory, fileName);
  const replaced = await exists(path);
  const temporary = join(directory, `.${fileName}.${randomUUID()}.tmp`);

  try {
    await writeAndFlush(temporary, content);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }

  await flushDirectory(directory);
  return { path, replaced };
}

async function writeAndFlush(path: string, content: Buffer): Promise<void> {
  const handle = await open(path, 'wx', 0o600);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

// A rename is durable only once the directory itself is flushed.
async function flushDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
