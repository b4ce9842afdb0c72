/** Creation of the RxDB database with the engine's collections. */
import {
  addRxPlugin,
  createRxDatabase,
  type RxDatabase,
  type RxStorage,
} from 'rxdb';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import type { CollectionSpec } from './collections.js';
import type { Collections } from './bridge/bridge.js';

export interface DatabaseOptions {
  databaseName: string;
  indexedDB: IDBFactory;
  IDBKeyRange: typeof IDBKeyRange;
  specs: readonly CollectionSpec[];
  /**
   * Turns on RxDB's dev-mode checks and schema validation on every write.
   * Tests use it; apps must not, because in a browser dev-mode loads an
   * external page.
   */
  devMode?: boolean;
}

export type EngineDatabase = RxDatabase<Collections>;

export async function openDatabase(
  options: DatabaseOptions,
): Promise<EngineDatabase> {
  const storage = await createStorage(options);
  const database = await createRxDatabase<Collections>({
    name: options.databaseName,
    storage,
    // NOTE: each tab or process keeps its own engine; two engines on one
    // database name would not see each other's RxDB writes.
    multiInstance: false,
    eventReduce: true,
  });
  const creators = Object.fromEntries(
    options.specs.map((spec) => [spec.name, { schema: spec.schema }]),
  );
  await database.addCollections(creators);
  return database;
}

async function createStorage(
  options: DatabaseOptions,
): Promise<RxStorage<unknown, unknown>> {
  const dexie = getRxStorageDexie({
    indexedDB: options.indexedDB,
    IDBKeyRange: options.IDBKeyRange,
  });
  if (options.devMode !== true) return dexie;

  // Loaded on demand so that apps never bundle dev-mode into their start.
  const [
    { RxDBDevModePlugin, disableWarnings },
    { wrappedValidateAjvStorage },
  ] = await Promise.all([
    import('rxdb/plugins/dev-mode'),
    import('rxdb/plugins/validate-ajv'),
  ]);
  disableWarnings();
  addRxPlugin(RxDBDevModePlugin);
  return wrappedValidateAjvStorage({ storage: dexie });
}
