// A real SMTP server on 127.0.0.1 for mailer tests, with optional rejection
// of the recipient or the message data by reply code.
import type { AddressInfo } from 'node:net';

import { SMTPServer, type SMTPServerEnvelope } from 'smtp-server';

export interface ReceivedMail {
  envelope: SMTPServerEnvelope;
  raw: Buffer;
}

export interface SmtpFixture {
  url: string;
  received: ReceivedMail[];
  close(): Promise<void>;
}

export interface SmtpFixtureOptions {
  /** Reply code and text for every RCPT TO command. */
  rejectRecipient?: { code: number; text: string };
  /** Reply code and text after the message data. */
  rejectData?: { code: number; text: string };
}

export async function startSmtpServer(
  options: SmtpFixtureOptions = {},
): Promise<SmtpFixture> {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(_address, _session, callback) {
      callback(replyError(options.rejectRecipient));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (options.rejectData === undefined) {
          received.push({
            envelope: session.envelope,
            raw: Buffer.concat(chunks),
          });
        }
        callback(replyError(options.rejectData));
      });
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.server.address() as AddressInfo;

  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(resolve)),
  };
}

function replyError(
  reply: { code: number; text: string } | undefined,
): Error | null {
  if (reply === undefined) {
    return null;
  }
  return Object.assign(new Error(reply.text), { responseCode: reply.code });
}
