/**
 * Uploads queued by a staff engine while offline survive a restart and
 * complete once it comes online, through a real relay. Also covers the
 * batch's file-notice reminder, viewFiles and deletePortalFile.
 */
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, describe, expect, it } from 'vitest';
import type { StaffEngine } from '@portico/engine';
import {
  clientGet,
  openStaff,
  publishedContact,
  relayFileRecord,
  sha256Of,
  startFilesRelay,
  until,
  type FilesRelay,
} from './files-fixtures.js';

let relay: FilesRelay | undefined;
let engine: StaffEngine | undefined;

afterEach(async () => {
  await engine?.close();
  engine = undefined;
  await relay?.close();
  relay = undefined;
});

const contents = ['first file', 'second file', 'third file'].map((text) =>
  new TextEncoder().encode(text),
);

describe('offline uploads', () => {
  it('complete after a restart and going online', async () => {
    relay = await startFilesRelay();
    const current = relay;
    const token = await relay.staffToken();
    const indexedDB = new IDBFactory();

    engine = await openStaff(relay.url, token, indexedDB, false);
    const contactId = await publishedContact(engine, 'carol@client.example');
    const documentIds: string[] = [];
    for (const [index, bytes] of contents.entries()) {
      const file = new File([bytes], `doc-${index}.txt`, {
        type: 'text/plain',
      });
      documentIds.push(
        (await engine.files.addDocumentFromDisk(contactId, file)).id,
      );
    }
    const published = await engine.files.uploadSelectedFiles(
      contactId,
      documentIds,
    );
    const transfers = engine.files.listTransfers();
    expect(transfers.map((t) => t.state)).toEqual([
      'queued',
      'queued',
      'queued',
    ]);
    await engine.close();
    engine = undefined;

    engine = await openStaff(current.url, token, indexedDB, true);
    const restarted = engine;
    const restored = restarted.files.listTransfers();
    expect(restored.map((t) => t.fileId).sort()).toEqual(
      published.map((f) => f.id).sort(),
    );
    for (const transfer of restored) {
      await restarted.files.whenTransferFinished(transfer.id);
    }

    const clientToken = await current.clientToken(
      contactId,
      'carol@client.example',
    );
    for (const [index, file] of published.entries()) {
      await until(
        async () =>
          (await relayFileRecord(current.relay, contactId, file.id))?.[
            'status'
          ] === 'available',
        `${file.name} available on the relay`,
      );
      const response = await clientGet(
        current.url,
        clientToken,
        `/api/portal/files/${file.id}`,
      );
      expect(response.status).toBe(200);
      const bytes = new Uint8Array(await response.arrayBuffer());
      expect(sha256Of(bytes)).toBe(
        sha256Of(contents[index] ?? new Uint8Array()),
      );
    }

    const views = await restarted.files.viewFiles(contactId);
    expect(views.map((file) => file.status)).toEqual([
      'available',
      'available',
      'available',
    ]);

    const batchId = restored[0]?.batchId ?? '';
    await until(
      async () => (await restarted.outbox.get(batchId)) !== undefined,
      'the file-notice reminder',
    );
    const notice = await restarted.outbox.get(batchId);
    expect(notice?.kind).toBe('file-notice');
    expect(notice?.status).toBe('pending');
    expect(notice?.to).toBe('carol@client.example');
    expect([...(notice?.fileIds ?? [])].sort()).toEqual(
      published.map((f) => f.id).sort(),
    );
  });

  it('deleted files leave the client view', async () => {
    relay = await startFilesRelay();
    const current = relay;
    const token = await relay.staffToken();
    engine = await openStaff(relay.url, token, new IDBFactory());
    const contactId = await publishedContact(engine, 'dan@client.example');
    const file = await engine.files.uploadFileFromDisk(
      contactId,
      new File([contents[0] ?? new Uint8Array()], 'direct.txt'),
    );
    const [transfer] = engine.files.listTransfers();
    await engine.files.whenTransferFinished(transfer?.id ?? '');
    expect(await engine.documents.list()).toEqual([]);

    const clientToken = await current.clientToken(
      contactId,
      'dan@client.example',
    );
    const path = `/api/portal/files/${file.id}`;
    await until(
      async () =>
        (await clientGet(current.url, clientToken, path)).status === 200,
      'the direct upload to be downloadable',
    );

    await engine.files.deletePortalFile(file.id);
    expect(await engine.files.viewFiles(contactId)).toEqual([]);
    await until(
      async () =>
        (await clientGet(current.url, clientToken, path)).status === 404,
      'the deleted file to answer 404',
    );
  });
});
