/**
 * Helpers for outbox tests: a staff sync client that queues messages in
 * the firm doc, and a real SMTP server on 127.0.0.1 that can stop and
 * start again on the same port.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import * as Y from 'yjs';
import { MultiplexClient } from '../sync/y-client.js';

export interface Received {
  recipients: string[];
  raw: Buffer;
  parsed: ParsedMail;
}

export interface Smtp {
  port: number;
  url: string;
  received: Received[];
  stop(): Promise<void>;
  start(): Promise<void>;
}

/**
 * Starts an SMTP server; `reject` makes every RCPT TO fail with it, and
 * `delayMs` delays the reply to each message by that many ms.
 */
export async function startSmtp(
  reject?: { code: number; text: string },
  port = 0,
  delayMs = 0,
): Promise<Smtp> {
  const received: Received[] = [];
  let server: SMTPServer | undefined;
  const handle: Smtp = {
    port,
    get url() {
      return `smtp://127.0.0.1:${handle.port}`;
    },
    received,
    async start() {
      const instance = new SMTPServer({
        authOptional: true,
        disabledCommands: ['STARTTLS'],
        logger: false,
        onRcptTo(_address, _session, callback) {
          callback(
            reject
              ? Object.assign(new Error(reject.text), {
                  responseCode: reject.code,
                })
              : undefined,
          );
        },
        onData(stream, session, callback) {
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('end', () => {
            const raw = Buffer.concat(chunks);
            const held = new Promise((resolve) => setTimeout(resolve, delayMs));
            held
              .then(() => simpleParser(raw))
              .then(
                (parsed) => {
                  received.push({
                    recipients: session.envelope.rcptTo.map((r) => r.address),
                    raw,
                    parsed,
                  });
                  callback();
                },
                (error: Error) => callback(error),
              );
          });
        },
      });
      await new Promise<void>((resolve, fail) => {
        instance.server.once('error', fail);
        instance.listen(handle.port, '127.0.0.1', () => resolve());
      });
      handle.port = (instance.server.address() as AddressInfo).port;
      server = instance;
    },
    async stop() {
      const instance = server;
      server = undefined;
      if (instance) {
        await new Promise<void>((resolve) => instance.close(() => resolve()));
      }
    },
  };
  await handle.start();
  return handle;
}

/** Queues an outbox message in the firm doc as a staff client would. */
export function queueMessage(
  client: MultiplexClient,
  id: string,
  fields: Record<string, unknown>,
): void {
  const doc = client.doc('firm').doc;
  doc.transact(() => {
    const record = new Y.Map<unknown>();
    const values = {
      kind: 'staff-notice',
      createdAt: new Date().toISOString(),
      status: 'queued',
      attempts: 0,
      ...fields,
    };
    for (const [name, value] of Object.entries(values)) {
      record.set(name, value);
    }
    doc.getMap<Y.Map<unknown>>('outbox').set(id, record);
  });
}

/** Returns one field of an outbox record as the client sees it. */
export function outboxField(
  client: MultiplexClient,
  id: string,
  field: string,
): unknown {
  return client
    .doc('firm')
    .doc.getMap<Y.Map<unknown>>('outbox')
    .get(id)
    ?.get(field);
}

/** Polls a condition until it is true or the deadline passes. */
export async function until(
  condition: () => boolean | Promise<boolean>,
  description: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${description}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
