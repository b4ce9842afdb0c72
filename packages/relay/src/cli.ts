#!/usr/bin/env node
/**
 * The `portico` operator command: start the relay and manage staff
 * accounts. Configuration comes from the environment (see `config.ts`).
 */
import { randomBytes } from 'node:crypto';
import { Command } from 'commander';
import { Accounts } from './accounts/accounts.js';
import { createBackup, restoreBackup } from './backup/backup.js';
import { ConfigError, loadConfig, type RelayConfig } from './config.js';
import { createLogger } from './logger.js';
import { startRelay, type Relay } from './relay.js';
import { SqliteStorage } from './storage/sqlite.js';

const program = new Command()
  .name('portico')
  .description('Portico relay: sync server and operator tools');

program
  .command('start')
  .description('start the relay with the configuration from the environment')
  .action(start);

const staff = program.command('staff').description('manage staff accounts');
staff
  .command('add <email>')
  .description(
    'add a staff account; the password is read from stdin when piped, ' +
      'otherwise generated and printed once',
  )
  .action(addStaff);
staff.command('list').description('list staff accounts').action(listStaff);

program
  .command('backup <file>')
  .description(
    'write a gzip tar archive of the database and blobs in DATA_DIR; ' +
      'safe while the relay runs',
  )
  .action(backup);
program
  .command('restore <file>')
  .description(
    'restore an archive from portico backup into DATA_DIR, which must be ' +
      'empty or missing',
  )
  .action(restore);

async function start(): Promise<void> {
  const config = readConfig();
  const logger = createLogger(config.logLevel);
  const relay = await startRelay(config, { logger });
  stopOnSignals(relay, logger);

  const base = config.publicUrl.replace(/\/$/, '');
  console.log(`Staff app: ${base}/staff/`);
  console.log(`Client portal: ${base}/`);
  console.log(`Data folder: ${config.dataDir}`);
  if ((await relay.accounts.listStaff()).length === 0) {
    console.log(
      'No staff account exists yet. Create one with:\n' +
        '  portico staff add <email>\n' +
        'or, in a source checkout:\n' +
        '  npm run portico -- staff add <email>',
    );
  }
  // Printed last, so that tools waiting for it have the lines above too.
  console.log(`Portico relay listening on ${relay.url}`);
}

function stopOnSignals(
  relay: Relay,
  logger: ReturnType<typeof createLogger>,
): void {
  const stop = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'stopping relay');
    relay.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'stopping the relay failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function addStaff(email: string): Promise<void> {
  const config = readConfig();
  const piped = !process.stdin.isTTY;
  const password = piped ? await readPassword() : generatePassword();
  await withAccounts(config, async (accounts) => {
    const account = await accounts.createStaff(email, password);
    console.log(`Created staff account ${account.email}.`);
    if (!piped) console.log(`Password (shown once): ${password}`);
  });
}

async function listStaff(): Promise<void> {
  const config = readConfig();
  await withAccounts(config, async (accounts) => {
    const staffAccounts = await accounts.listStaff();
    if (staffAccounts.length === 0) console.log('No staff accounts.');
    for (const account of staffAccounts) {
      console.log(`${account.email}\tcreated ${account.createdAt}`);
    }
  });
}

async function withAccounts(
  config: RelayConfig,
  work: (accounts: Accounts) => Promise<void>,
): Promise<void> {
  const storage = SqliteStorage.open(config.dataDir);
  try {
    await work(new Accounts(storage));
  } finally {
    await storage.close();
  }
}

async function backup(file: string): Promise<void> {
  const config = readConfig();
  const manifest = await createBackup(config.dataDir, file);
  console.log(
    `Backup written to ${file}: database and ${manifest.blobCount} blobs ` +
      `(${manifest.blobBytes} bytes).`,
  );
}

async function restore(file: string): Promise<void> {
  const config = readConfig();
  const manifest = await restoreBackup(file, config.dataDir);
  console.log(
    `Restored the backup of ${manifest.createdAt} into ${config.dataDir}: ` +
      `database and ${manifest.blobCount} blobs.`,
  );
}

/** Reads the whole of stdin and drops one trailing line break. */
async function readPassword(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}

function readConfig(): RelayConfig {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(2);
  }
}

program.parseAsync().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
