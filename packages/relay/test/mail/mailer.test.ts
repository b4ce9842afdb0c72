import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';

import { renderMessage } from '@portico/engine/mail';
import { simpleParser } from 'mailparser';
import { pino, type Logger } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import {
  classifySendError,
  createMailer,
  InvalidMessageError,
  type Mailer,
  type OutgoingMessage,
} from '../../src/mail/mailer.js';
import { startSmtpServer, type SmtpFixture } from './smtp-fixture.js';

const PASSWORD = 'Tq7-vX2p-9mKa';
const FROM = 'Baker & Co <portal@baker.example>';

function inviteMessage(id = 'outbox-1'): OutgoingMessage {
  const rendered = renderMessage({
    kind: 'portal-invite',
    firmName: 'Baker & Co <script>',
    portalUrl: 'https://portal.baker.example/',
    loginEmail: 'ann@client.example',
    temporaryPassword: PASSWORD,
    validForMinutes: 7 * 24 * 60,
  });
  return {
    ...rendered,
    to: 'ann@client.example',
    messageId: `<${id}@portico.invalid>`,
  };
}

// A pino logger that keeps its JSON lines for assertions.
function memoryLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), lines };
}

// A loopback port with nothing listening: bound once, then released.
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve, reject) =>
    server.close((error) => (error ? reject(error) : resolve())),
  );
  return port;
}

async function sendError(mailer: Mailer, message: OutgoingMessage) {
  try {
    await mailer.send(message);
  } catch (error) {
    return error;
  }
  throw new Error('send resolved but a rejection was expected');
}

let tempDir: string;
let smtp: SmtpFixture | undefined;
let mailer: Mailer | undefined;

beforeEach(async () => {
  tempDir = await mkdtemp(join(tmpdir(), 'portico-mail-'));
});

afterEach(async () => {
  mailer?.close();
  mailer = undefined;
  await smtp?.close();
  smtp = undefined;
  await rm(tempDir, { recursive: true, force: true });
});

describe('SMTP mailer', () => {
  it('delivers with the exact envelope and Message-ID', async () => {
    smtp = await startSmtpServer();
    const { logger, lines } = memoryLogger();
    mailer = createMailer({
      smtpUrl: smtp.url,
      mailDir: tempDir,
      from: FROM,
      logger,
    });
    const message = inviteMessage();

    const result = await mailer.send(message);

    expect(result).toEqual({ messageId: message.messageId });
    expect(smtp.received).toHaveLength(1);
    const [mail] = smtp.received;
    expect(mail!.envelope.mailFrom).toMatchObject({
      address: 'portal@baker.example',
    });
    expect(mail!.envelope.rcptTo.map((rcpt) => rcpt.address)).toEqual([
      'ann@client.example',
    ]);
    const parsed = await simpleParser(mail!.raw);
    expect(parsed.messageId).toBe(message.messageId);
    expect(parsed.subject).toBe(message.subject);
    expect(parsed.text).toBe(message.text);
    expect(parsed.html).toBe(message.html);
    expect(parsed.from?.value).toEqual([
      { address: 'portal@baker.example', name: 'Baker & Co' },
    ]);
    expect(lines.join('')).toContain(message.messageId);
    expect(lines.join('')).not.toContain(PASSWORD);
  });

  it('gives a permanent error on 550', async () => {
    smtp = await startSmtpServer({
      rejectRecipient: { code: 550, text: 'No such user' },
    });
    mailer = createMailer({
      smtpUrl: smtp.url,
      mailDir: tempDir,
      from: FROM,
      logger: memoryLogger().logger,
    });

    const error = await sendError(mailer, inviteMessage());

    expect(classifySendError(error)).toBe('permanent');
    expect(String(error)).toContain('No such user');
    expect(smtp.received).toHaveLength(0);
  });

  it('gives a temporary error on 451', async () => {
    smtp = await startSmtpServer({
      rejectRecipient: { code: 451, text: 'Try again later' },
    });
    mailer = createMailer({
      smtpUrl: smtp.url,
      mailDir: tempDir,
      from: FROM,
      logger: memoryLogger().logger,
    });

    const error = await sendError(mailer, inviteMessage());

    expect(classifySendError(error)).toBe('temporary');
    expect(smtp.received).toHaveLength(0);
  });

  it.each([
    [554, 'permanent'],
    [452, 'temporary'],
  ] as const)('classifies %i after DATA as %s', async (code, expected) => {
    smtp = await startSmtpServer({ rejectData: { code, text: 'Rejected' } });
    mailer = createMailer({
      smtpUrl: smtp.url,
      mailDir: tempDir,
      from: FROM,
      logger: memoryLogger().logger,
    });

    const error = await sendError(mailer, inviteMessage());

    expect(classifySendError(error)).toBe(expected);
  });

  it('gives a temporary error on a closed port', async () => {
    const port = await closedPort();
    const { logger, lines } = memoryLogger();
    mailer = createMailer({
      smtpUrl: `smtp://127.0.0.1:${port}`,
      mailDir: tempDir,
      from: FROM,
      logger,
    });

    const error = await sendError(mailer, inviteMessage());

    expect(error).toMatchObject({ originalCode: 'ECONNREFUSED' });
    expect(classifySendError(error)).toBe('temporary');
    expect(lines.join('')).toContain('mail send failed');
  });

  it.each([
    ['CR LF in recipient', { to: 'ann@client.example\r\nRCPT TO:<x@evil>' }],
    ['two recipients', { to: 'ann@client.example,eve@evil.example' }],
    ['display name recipient', { to: 'Ann <ann@client.example>' }],
    ['unnormalised recipient', { to: 'ann@CLIENT.example' }],
    ['CR LF in subject', { subject: 'Hello\r\nBcc: eve@evil.example' }],
    ['LF in Message-ID', { messageId: '<a@b>\nBcc: eve@evil.example' }],
    ['Message-ID without brackets', { messageId: 'outbox-1@portico.invalid' }],
  ])('rejects %s before connecting', async (_name, change) => {
    smtp = await startSmtpServer();
    mailer = createMailer({
      smtpUrl: smtp.url,
      mailDir: tempDir,
      from: FROM,
      logger: memoryLogger().logger,
    });

    const error = await sendError(mailer, { ...inviteMessage(), ...change });

    expect(error).toBeInstanceOf(InvalidMessageError);
    expect(classifySendError(error)).toBe('permanent');
    expect(smtp.received).toHaveLength(0);
  });

  it('keeps credentials out of logs', async () => {
    smtp = await startSmtpServer();
    const { logger, lines } = memoryLogger();
    const url = smtp.url.replace('//', '//mailer:s3cret-pass@');
    mailer = createMailer({
      smtpUrl: url,
      mailDir: tempDir,
      from: FROM,
      logger,
    });

    expect(lines.join('')).toContain('smtp://127.0.0.1:');
    expect(lines.join('')).not.toContain('s3cret-pass');
  });

  it('rejects sends after close', async () => {
    smtp = await startSmtpServer();
    mailer = createMailer({
      smtpUrl: smtp.url,
      mailDir: tempDir,
      from: FROM,
      logger: memoryLogger().logger,
    });
    mailer.close();

    await expect(mailer.send(inviteMessage())).rejects.toThrow(/closed/);
  });
});

describe('createMailer', () => {
  it.each([
    [
      'sender with CR LF',
      { from: 'a@b.example\r\nBcc: x@evil.example' },
      /line break/,
    ],
    ['invalid sender', { from: 'Firm <not-an-address>' }, /has no @/],
    ['non-SMTP URL', { smtpUrl: 'http://127.0.0.1:25' }, /only smtp:/],
    ['malformed URL', { smtpUrl: 'not a url' }, /not a valid URL/],
  ])('throws on %s', (_name, change, message) => {
    const options = {
      mailDir: tempDir,
      from: FROM,
      logger: memoryLogger().logger,
      ...change,
    };

    expect(() => createMailer(options)).toThrow(message);
  });
});

describe('.eml mailer', () => {
  it('writes a file that parses to the same message', async () => {
    const mailDir = join(tempDir, 'mail');
    const { logger, lines } = memoryLogger();
    mailer = createMailer({ mailDir, from: FROM, logger });
    const message = inviteMessage();

    const result = await mailer.send(message);

    expect(result.file).toBe(join(mailDir, 'outbox-1@portico.invalid.eml'));
    const parsed = await simpleParser(await readFile(result.file!));
    expect(parsed.subject).toBe(message.subject);
    expect(parsed.text).toBe(message.text);
    expect(parsed.html).toBe(message.html);
    expect(parsed.messageId).toBe(message.messageId);
    const to = Array.isArray(parsed.to) ? parsed.to : [parsed.to];
    expect(to.flatMap((field) => field?.value ?? [])).toEqual([
      { address: 'ann@client.example', name: '' },
    ]);
    expect(lines.join('')).toContain(result.file!);
    expect(lines.join('')).not.toContain(PASSWORD);
  });

  it('leaves one private file and no temporary files', async () => {
    const mailDir = join(tempDir, 'mail');
    mailer = createMailer({
      mailDir,
      from: FROM,
      logger: memoryLogger().logger,
    });

    const result = await mailer.send(inviteMessage());

    expect(await readdir(mailDir)).toEqual(['outbox-1@portico.invalid.eml']);
    expect((await stat(result.file!)).mode & 0o777).toBe(0o600);
    expect((await stat(mailDir)).mode & 0o777).toBe(0o700);
  });

  it('replaces and logs a duplicate send', async () => {
    const mailDir = join(tempDir, 'mail');
    const { logger, lines } = memoryLogger();
    mailer = createMailer({ mailDir, from: FROM, logger });

    const first = await mailer.send(inviteMessage());
    const second = await mailer.send(inviteMessage());

    expect(second.file).toBe(first.file);
    expect(await readdir(mailDir)).toHaveLength(1);
    const entries = lines.map((line) => JSON.parse(line) as object);
    expect(entries).toContainEqual(expect.objectContaining({ replaced: true }));
  });

  it('gives unsafe ids distinct file names', async () => {
    const mailDir = join(tempDir, 'mail');
    mailer = createMailer({
      mailDir,
      from: FROM,
      logger: memoryLogger().logger,
    });

    const slash = await mailer.send(inviteMessage('../a/b'));
    const underscore = await mailer.send(inviteMessage('.._a_b'));

    expect(slash.file).not.toBe(underscore.file);
    expect(await readdir(mailDir)).toHaveLength(2);
    expect(slash.file!.startsWith(`${mailDir}/`)).toBe(true);
  });

  it('rejects a hostile recipient without writing', async () => {
    const mailDir = join(tempDir, 'mail');
    mailer = createMailer({
      mailDir,
      from: FROM,
      logger: memoryLogger().logger,
    });

    const error = await sendError(mailer, {
      ...inviteMessage(),
      to: 'ann@client.example\nBcc: eve@evil.example',
    });

    expect(classifySendError(error)).toBe('permanent');
    await expect(readdir(mailDir)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
