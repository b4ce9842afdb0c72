/**
 * A client's upload end to end: the staff engine lists it in "Check for
 * New Files", the staff-notice email reaches a real SMTP server on
 * 127.0.0.1, and taking the file in yields a document with the same hash.
 */
import type { AddressInfo } from 'node:net';
import { IDBFactory } from 'fake-indexeddb';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import type { StaffEngine } from '@portico/engine';
import {
  clientUpload,
  openStaff,
  publishedContact,
  sha256Of,
  sha256OfBlob,
  startFilesRelay,
  until,
  type FilesRelay,
} from './files-fixtures.js';

interface Mailbox {
  url: string;
  messages: ParsedMail[];
  close(): Promise<void>;
}

async function startMailbox(): Promise<Mailbox> {
  const messages: ParsedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (parsed) => {
          messages.push(parsed);
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

let mailbox: Mailbox | undefined;
let relay: FilesRelay | undefined;
let engine: StaffEngine | undefined;

afterEach(async () => {
  await engine?.close();
  engine = undefined;
  await relay?.close();
  relay = undefined;
  await mailbox?.close();
  mailbox = undefined;
});

describe('client upload', () => {
  it('notifies staff and is taken in', async () => {
    mailbox = await startMailbox();
    const inbox = mailbox;
    relay = await startFilesRelay({
      SMTP_URL: mailbox.url,
      MAIL_FROM: 'Portal <portal@firm.example>',
      FIRM_NAME: 'Baker & Co',
      FIRM_NOTIFY_EMAIL: 'office@firm.example',
    });
    const token = await relay.staffToken();
    engine = await openStaff(relay.url, token, new IDBFactory());
    const staff = engine;
    const contactId = await publishedContact(staff, 'fay@client.example');
    const clientToken = await relay.clientToken(
      contactId,
      'fay@client.example',
    );

    const bytes = new TextEncoder().encode('signed engagement letter');
    const uploaded = await clientUpload(
      relay.url,
      clientToken,
      'Engagement letter.pdf',
      bytes,
    );
    expect(uploaded.status).toBe(201);
    const { id } = (await uploaded.json()) as { id: string };

    await until(
      async () => (await staff.files.checkForNewFiles(contactId)).length === 1,
      'the upload in checkForNewFiles',
    );
    const [listed] = await staff.files.checkForNewFiles(contactId);
    expect(listed?.id).toBe(id);
    expect(listed?.direction).toBe('from-client');
    expect(listed?.name).toBe('Engagement letter.pdf');

    await until(() => inbox.messages.length > 0, 'the staff-notice email');
    const [notice] = inbox.messages;
    const to = notice?.to;
    let recipients = Array.isArray(to) ? to : [];
    if (to !== undefined && !Array.isArray(to)) recipients = [to];
    expect(recipients.map((address) => address.text)).toContain(
      'office@firm.example',
    );
    expect(notice?.text ?? '').toContain('Engagement letter.pdf');

    const document = await staff.files.takeInFile(id);
    expect(document.sha256).toBe(sha256Of(bytes));
    expect(document.source).toBe('portal');
    expect(document.contactId).toBe(contactId);
    expect(
      await sha256OfBlob(await staff.files.readDocument(document.id)),
    ).toBe(sha256Of(bytes));
    await until(
      async () => (await staff.files.checkForNewFiles(contactId)).length === 0,
      'the file to leave checkForNewFiles',
    );
    const [taken] = await staff.files.viewFiles(contactId);
    expect(typeof taken?.takenInAt).toBe('string');
    expect(taken?.documentId).toBe(document.id);
  });
});
