/**
 * Schema checks for records that arrive through Yjs. RxDB only validates in
 * dev-mode, so the bridge checks every remote record itself before it
 * reaches RxDB.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import type { CollectionSpec, JsonRecord } from './collections.js';

/** RxDB schema keywords that are not JSON Schema; ajv must accept them. */
const RXDB_KEYWORDS = [
  'version',
  'primaryKey',
  'indexes',
  'keyCompression',
  'encrypted',
  'final',
  'internalIndexes',
];

export type RecordCheck =
  { valid: true; row: JsonRecord } | { valid: false; reason: string };

export class RecordValidator {
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(specs: readonly CollectionSpec[]) {
    // Fields added by a newer data model version are dropped from the RxDB
    // row instead of failing it. They stay in Yjs, so nothing is lost.
    const ajv = new Ajv({ allErrors: true, removeAdditional: 'all' });
    for (const keyword of RXDB_KEYWORDS) ajv.addKeyword(keyword);
    for (const spec of specs) {
      this.validators.set(spec.name, ajv.compile(spec.schema));
    }
  }

  /** Checks a copy of the row, without fields the schema does not know. */
  check(collection: string, row: JsonRecord): RecordCheck {
    const validate = this.validators.get(collection);
    if (validate === undefined) {
      throw new Error(`No schema for collection "${collection}".`);
    }
    const copy = structuredClone(row);
    if (validate(copy)) return { valid: true, row: copy };
    const reason = (validate.errors ?? [])
      .map((error) => `${error.instancePath || '/'} ${error.message ?? ''}`)
      .join('; ');
    return { valid: false, reason };
  }
}
