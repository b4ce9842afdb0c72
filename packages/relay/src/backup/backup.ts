/**
 * `portico backup` and `portico restore`: one gzip tar archive holding a
 * consistent snapshot of the database and every stored blob.
 *
 * The database is copied with SQLite's online backup API, which reads a
 * consistent snapshot while the relay keeps writing through WAL. Blobs are
 * immutable and named by their hash, so copying them after the snapshot is
 * safe: a blob written later is extra, never missing, because the relay
 * removes unreferenced blobs only after a grace period.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import * as tar from 'tar';
import { DATABASE_FILE } from '../storage/sqlite.js';

/** Version of the archive layout, checked by `restoreBackup`. */
export const BACKUP_FORMAT = 1;
const MANIFEST_FILE = 'manifest.json';
const BLOBS_DIR = 'blobs';
const BLOB_PATH = /^blobs\/([0-9a-f]{2})\/([0-9a-f]{2})\/([0-9a-f]{64})$/;

export interface BackupManifest {
  format: number;
  createdAt: string;
  blobCount: number;
  blobBytes: number;
}

/** Raised for a backup or restore request that cannot proceed. */
export class BackupError extends Error {
  override name = 'BackupError';
}

/**
 * Writes a gzip tar archive of `dataDir` to `file`. The archive appears at
 * `file` only when complete, so an interrupted backup leaves no partial
 * archive under that name.
 */
export async function createBackup(
  dataDir: string,
  file: string,
): Promise<BackupManifest> {
  const databaseFile = path.join(dataDir, DATABASE_FILE);
  await assertExists(databaseFile, 'database');
  const target = path.resolve(file);
  const staging = await fs.mkdtemp(
    path.join(path.dirname(target), '.portico-backup-'),
  );
  try {
    await snapshotDatabase(databaseFile, path.join(staging, DATABASE_FILE));
    const manifest = await copyBlobs(dataDir, staging);
    await writeJson(path.join(staging, MANIFEST_FILE), manifest);
    await writeArchive(staging, target);
    return manifest;
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
}

/**
 * Restores an archive made by `createBackup` into `dataDir`, which must be
 * missing or empty. Every blob's hash and the database's integrity are
 * checked before the folder is put in place.
 */
export async function restoreBackup(
  file: string,
  dataDir: string,
): Promise<BackupManifest> {
  const target = path.resolve(dataDir);
  await assertEmptyOrMissing(target);
  await assertExists(path.resolve(file), 'backup file');
  await fs.mkdir(path.dirname(target), { recursive: true });
  const staging = await fs.mkdtemp(`${target}.restore-`);
  try {
    await extractArchive(file, staging);
    const manifest = await readManifest(staging);
    checkDatabase(path.join(staging, DATABASE_FILE));
    await verifyBlobs(staging, manifest);
    await fs.rm(target, { recursive: true, force: true });
    await fs.rename(staging, target);
    return manifest;
  } catch (error) {
    await fs.rm(staging, { recursive: true, force: true });
    throw error;
  }
}

async function snapshotDatabase(source: string, copy: string) {
  const db = new Database(source, { readonly: true, fileMustExist: true });
  try {
    await db.backup(copy);
  } finally {
    db.close();
  }
}

/** Hard-links (or copies, across file systems) every blob into `staging`. */
async function copyBlobs(
  dataDir: string,
  staging: string,
): Promise<BackupManifest> {
  const manifest: BackupManifest = {
    format: BACKUP_FORMAT,
    createdAt: new Date().toISOString(),
    blobCount: 0,
    blobBytes: 0,
  };
  for await (const relative of listBlobFiles(dataDir)) {
    const from = path.join(dataDir, relative);
    const to = path.join(staging, relative);
    await fs.mkdir(path.dirname(to), { recursive: true });
    await fs.link(from, to).catch(() => fs.copyFile(from, to));
    manifest.blobCount++;
    manifest.blobBytes += (await fs.stat(to)).size;
  }
  return manifest;
}

/**
 * Yields `blobs/ab/cd/<sha256>` paths under `root`. Anything else in the
 * blob folder (temporary files of uploads in progress) is left out.
 */
async function* listBlobFiles(root: string): AsyncGenerator<string> {
  const blobsDir = path.join(root, BLOBS_DIR);
  const entries = await fs
    .readdir(blobsDir, { recursive: true, withFileTypes: true })
    .catch(() => []);
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const absolute = path.join(entry.parentPath, entry.name);
    const relative = path.relative(root, absolute).split(path.sep).join('/');
    if (BLOB_PATH.test(relative)) yield relative;
  }
}

async function writeArchive(staging: string, target: string) {
  const partial = `${target}.partial`;
  const entries = [MANIFEST_FILE, DATABASE_FILE];
  if (await exists(path.join(staging, BLOBS_DIR))) entries.push(BLOBS_DIR);
  await tar.create(
    { gzip: true, file: partial, cwd: staging, portable: true },
    entries,
  );
  await fsyncFile(partial);
  await fs.rename(partial, target);
}

/**
 * Extracts only the entries a backup contains. The filter also rejects
 * links and any path outside the expected layout, so a crafted archive
 * cannot write outside `staging`.
 */
async function extractArchive(file: string, staging: string) {
  const rejected: string[] = [];
  await tar.extract({
    file,
    cwd: staging,
    strict: true,
    filter: (entryPath, entry) => {
      const normalized = entryPath.replace(/^\.\//, '').replace(/\/$/, '');
      const type = 'type' in entry ? entry.type : 'File';
      const allowed = isAllowedEntry(normalized, type);
      if (!allowed) rejected.push(entryPath);
      return allowed;
    },
  });
  if (rejected.length > 0) {
    throw new BackupError(
      `The backup contains unexpected entries (${rejected
        .slice(0, 3)
        .join(', ')}); it was not made by portico backup. Nothing was ` +
        'restored.',
    );
  }
}

function isAllowedEntry(entryPath: string, type: string): boolean {
  if (type === 'Directory') {
    return /^blobs(\/[0-9a-f]{2}){0,2}$/.test(entryPath);
  }
  if (type !== 'File' && type !== 'OldFile') return false;
  return (
    entryPath === MANIFEST_FILE ||
    entryPath === DATABASE_FILE ||
    BLOB_PATH.test(entryPath)
  );
}

async function readManifest(staging: string): Promise<BackupManifest> {
  const text = await fs
    .readFile(path.join(staging, MANIFEST_FILE), 'utf8')
    .catch(() => {
      throw new BackupError(
        `The backup has no ${MANIFEST_FILE}; it was not made by portico ` +
          'backup.',
      );
    });
  const manifest = JSON.parse(text) as BackupManifest;
  if (manifest.format !== BACKUP_FORMAT) {
    throw new BackupError(
      `Backup format ${String(manifest.format)} is not supported; this ` +
        `relay reads format ${BACKUP_FORMAT}. Use the Portico version that ` +
        'wrote it.',
    );
  }
  return manifest;
}

function checkDatabase(file: string): void {
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch {
    throw new BackupError(`The backup has no readable ${DATABASE_FILE}.`);
  }
  try {
    const result = db.pragma('integrity_check', { simple: true });
    if (result !== 'ok') {
      throw new BackupError(
        `The database in the backup failed its integrity check: ${String(
          result,
        )}.`,
      );
    }
  } finally {
    db.close();
  }
}

/** Checks that every blob's bytes hash to its name and the count matches. */
async function verifyBlobs(staging: string, manifest: BackupManifest) {
  let count = 0;
  for await (const relative of listBlobFiles(staging)) {
    const expected = path.basename(relative);
    const actual = await sha256File(path.join(staging, relative));
    if (actual !== expected) {
      throw new BackupError(
        `Blob ${expected} in the backup is damaged (its bytes hash to ` +
          `${actual}). Nothing was restored.`,
      );
    }
    count++;
  }
  if (count !== manifest.blobCount) {
    throw new BackupError(
      `The backup lists ${manifest.blobCount} blobs but contains ${count}. ` +
        'Nothing was restored.',
    );
  }
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}

async function assertEmptyOrMissing(dir: string) {
  const entries = await fs
    .readdir(dir)
    .catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
  if (entries.length > 0) {
    throw new BackupError(
      `DATA_DIR ${dir} is not empty. Restore into an empty or new folder, ` +
        'so no existing data is overwritten.',
    );
  }
}

async function assertExists(file: string, what: string) {
  if (!(await exists(file))) {
    throw new BackupError(`No ${what} found at ${file}.`);
  }
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

async function writeJson(file: string, value: unknown) {
  await fs.writeFile(file, JSON.stringify(value, null, 2) + '\n');
}

async function fsyncFile(file: string) {
  const handle = await fs.open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
