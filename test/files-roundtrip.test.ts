/**
 * Files both ways through a real relay and a staff engine: every fixture
 * document goes to the client and back byte-identical, and uploads queued
 * offline survive a restart.
 */
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, describe, expect, it } from 'vitest';
import type { StaffEngine } from '@portico/engine';
import {
  clientGet,
  clientUpload,
  fixtureDocuments,
  openStaff,
  publishedContact,
  relayFileRecord,
  sha256Of,
  sha256OfBlob,
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

async function start(startOnline = true) {
  relay = await startFilesRelay();
  const token = await relay.staffToken();
  const indexedDB = new IDBFactory();
  engine = await openStaff(relay.url, token, indexedDB, startOnline);
  return { relay, token, indexedDB, engine };
}

describe('fixture documents', () => {
  it('go staff to client byte-identical', async () => {
    const { relay, engine } = await start();
    const contactId = await publishedContact(engine, 'ada@client.example');
    const clientToken = await relay.clientToken(
      contactId,
      'ada@client.example',
    );
    const fixtures = await fixtureDocuments();
    expect(fixtures.length).toBeGreaterThan(10);

    const documentIds: string[] = [];
    for (const fixture of fixtures) {
      const file = new File([Buffer.from(fixture.bytes)], fixture.name);
      const document = await engine.files.addDocumentFromDisk(contactId, file);
      expect(document.sha256).toBe(sha256Of(fixture.bytes));
      documentIds.push(document.id);
    }
    const published = await engine.files.uploadSelectedFiles(
      contactId,
      documentIds,
    );
    expect(published.every((file) => file.status === 'uploading')).toBe(true);

    for (const [index, file] of published.entries()) {
      const path = `/api/portal/files/${file.id}`;
      await until(
        async () =>
          (await relayFileRecord(relay.relay, contactId, file.id))?.[
            'status'
          ] === 'available',
        `${file.name} available on the relay`,
      );
      const response = await clientGet(relay.url, clientToken, path);
      expect(response.status).toBe(200);
      const bytes = new Uint8Array(await response.arrayBuffer());
      expect(sha256Of(bytes)).toBe(
        sha256Of(fixtures[index]?.bytes ?? new Uint8Array()),
      );
    }
  });

  it('go client to staff byte-identical', async () => {
    const { relay, engine } = await start();
    const contactId = await publishedContact(engine, 'bob@client.example');
    const clientToken = await relay.clientToken(
      contactId,
      'bob@client.example',
    );
    const fixtures = await fixtureDocuments();

    const uploaded = new Map<string, string>();
    for (const fixture of fixtures) {
      const response = await clientUpload(
        relay.url,
        clientToken,
        fixture.name,
        fixture.bytes,
      );
      expect(response.status).toBe(201);
      const body = (await response.json()) as { id: string; sha256: string };
      expect(body.sha256).toBe(sha256Of(fixture.bytes));
      uploaded.set(body.id, body.sha256);
    }

    await until(
      async () =>
        (await engine.files.checkForNewFiles(contactId)).length ===
        fixtures.length,
      'every client upload in checkForNewFiles',
    );
    for (const [fileId, sha256] of uploaded) {
      const document = await engine.files.takeInFile(fileId);
      expect(document.source).toBe('portal');
      expect(document.portalFileId).toBe(fileId);
      expect(document.sha256).toBe(sha256);
      const bytes = await engine.files.readDocument(document.id);
      expect(await sha256OfBlob(bytes)).toBe(sha256);
    }
    expect(await engine.files.checkForNewFiles(contactId)).toEqual([]);
  });
});
