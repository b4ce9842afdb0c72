/** Errors the engine reports on `errors$` instead of throwing. */

export type EngineErrorKind =
  /** A remote record failed its schema and was kept out of RxDB. */
  | 'quarantine'
  /** An app write to RxDB failed its schema and was not sent to Yjs. */
  | 'invalid-write'
  /** The relay refused a doc; the engine stopped following it. */
  | 'doc-denied'
  /** The relay closed the connection with a code that retrying cannot fix. */
  | 'connection-rejected'
  /** The relay sent a frame the engine cannot decode; it reconnects. */
  | 'protocol'
  /** Reading or writing the local databases failed. */
  | 'storage';

export interface EngineError {
  kind: EngineErrorKind;
  message: string;
  /** Doc the error is about, such as `firm` or `portal/<contactId>`. */
  doc?: string;
  /** RxDB collection name. */
  collection?: string;
  /** RxDB primary key of the record. */
  id?: string;
  /** Schema violations or the relay's reason. */
  reason?: string;
  /** WebSocket close code or `MESSAGE_DENIED` code. */
  code?: number;
  cause?: unknown;
}

/** Thrown by record stores when a record id does not exist. */
export class RecordNotFoundError extends Error {
  constructor(
    readonly collection: string,
    readonly id: string,
  ) {
    super(`No ${collection} record with id "${id}"; list the records first.`);
    this.name = 'RecordNotFoundError';
  }
}

/** Thrown by record stores when a record fails its schema. */
export class InvalidRecordError extends Error {
  constructor(
    readonly collection: string,
    readonly reason: string,
  ) {
    super(`Invalid ${collection} record: ${reason}`);
    this.name = 'InvalidRecordError';
  }
}
