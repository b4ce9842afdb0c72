/**
 * A real SMTP server (smtp-server) on 127.0.0.1 that parses every message
 * with mailparser. It can reject recipients with a reply code, and it can
 * stop and start again on the same port to play an outage.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { until } from './wait.js';

export interface ReceivedMessage {
  /** Envelope recipients (RCPT TO). */
  recipients: string[];
  raw: Buffer;
  parsed: ParsedMail;
}

export interface SmtpOptions {
  /** Reply with this code and text to every RCPT TO. */
  rejectRecipient?: { code: number; text: string };
  /** Listen on this port; 0 or unset picks a free one. */
  port?: number;
}

export interface TestSmtp {
  port: number;
  url: string;
  received: ReceivedMessage[];
  /** Waits until `count` messages arrived. */
  waitForMessages(count: number, timeoutMs?: number): Promise<void>;
  /** Stops listening; connections are then refused. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startSmtpServer(
  options: SmtpOptions = {},
): Promise<TestSmtp> {
  const received: ReceivedMessage[] = [];
  const parsing = new Set<Promise<void>>();
  let server: SMTPServer | undefined;
  let port = options.port ?? 0;

  const listen = async () => {
    const instance = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo(_address, _session, callback) {
        const reject = options.rejectRecipient;
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
          const recipients = session.envelope.rcptTo.map((r) => r.address);
          const work = simpleParser(raw).then((parsed) => {
            received.push({ recipients, raw, parsed });
          });
          parsing.add(work);
          void work.finally(() => parsing.delete(work));
          callback();
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      instance.server.once('error', reject);
      instance.listen(port, '127.0.0.1', () => resolve());
    });
    port = (instance.server.address() as AddressInfo).port;
    server = instance;
  };
  const stop = async () => {
    const instance = server;
    server = undefined;
    if (instance) await new Promise<void>((r) => instance.close(() => r()));
  };

  await listen();
  return {
    get port() {
      return port;
    },
    get url() {
      return `smtp://127.0.0.1:${port}`;
    },
    received,
    async waitForMessages(count, timeoutMs = 30_000) {
      await until(
        () => received.length >= count && parsing.size === 0,
        `${count} messages at the SMTP server`,
        timeoutMs,
      );
    },
    stop,
    start: listen,
    close: stop,
  };
}

/** Picks a free port on 127.0.0.1 and releases it. */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
