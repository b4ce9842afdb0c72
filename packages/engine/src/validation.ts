/**
 * Schema checks for records that arrive through Yjs. RxDB only validates in
 * dev-mode, so the bridge checks every remote record itself before it
 * reaches RxDB.
 *
 * The validator interprets the schema instead of compiling it to code.
 * Compiling validators (as ajv does) needs `new Function`, which the
 * relay's Content-Security-Policy forbids in the web apps, because
 * allowing eval would weaken the defence against injected scripts.
 */
import { Validator, type OutputUnit, type Schema } from '@cfworker/json-schema';
import type { CollectionSpec, JsonRecord } from './collections.js';

export type RecordCheck =
  { valid: true; row: JsonRecord } | { valid: false; reason: string };

/** The parts of an RxDB schema node that field stripping walks. */
interface SchemaNode {
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
}

interface CollectionValidator {
  schema: SchemaNode;
  validator: Validator;
}

export class RecordValidator {
  private readonly validators = new Map<string, CollectionValidator>();

  constructor(specs: readonly CollectionSpec[]) {
    for (const spec of specs) {
      const schema = spec.schema as unknown as Schema;
      this.validators.set(spec.name, {
        schema: spec.schema as SchemaNode,
        validator: new Validator(schema, '7', false),
      });
    }
  }

  /** Checks a copy of the row, without fields the schema does not know. */
  check(collection: string, row: JsonRecord): RecordCheck {
    const entry = this.validators.get(collection);
    if (entry === undefined) {
      throw new Error(`No schema for collection "${collection}".`);
    }
    // Fields added by a newer data model version are dropped from the RxDB
    // row instead of failing it. They stay in Yjs, so nothing is lost.
    const copy = structuredClone(row);
    stripUnknownFields(entry.schema, copy);
    const result = entry.validator.validate(copy);
    if (result.valid) return { valid: true, row: copy };
    return { valid: false, reason: describeErrors(result.errors) };
  }
}

/** Deletes, in place, object fields that `schema` does not declare. */
function stripUnknownFields(schema: SchemaNode, value: unknown): void {
  if (Array.isArray(value)) {
    if (schema.items === undefined) return;
    for (const item of value) stripUnknownFields(schema.items, item);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  if (schema.properties === undefined) return;
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const field = schema.properties[key];
    if (field === undefined) delete record[key];
    else stripUnknownFields(field, record[key]);
  }
}

/**
 * Keeps the innermost errors: the validator also reports each enclosing
 * keyword ("properties", "allOf"), which repeat the same failure.
 */
function describeErrors(errors: readonly OutputUnit[]): string {
  const specific = errors.filter(
    (error) => error.keyword !== 'properties' && error.keyword !== 'items',
  );
  return (specific.length > 0 ? specific : errors)
    .map(
      (error) =>
        `${error.instanceLocation.replace(/^#/, '') || '/'} ${error.error}`,
    )
    .join('; ');
}
