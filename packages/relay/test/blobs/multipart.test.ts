import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  blobFiles,
  rawRequest,
  removeDir,
  sha256Of,
  staffHeaders,
  startRelay,
  tmpFiles,
  uploadBlob,
  waitFor,
  type TestRelay,
} from './harness.js';

const BOUNDARY = 'portico-test-boundary';
const CRLF = '\r\n';

function fieldPart(name: string, value: string): string {
  return `--${BOUNDARY}${CRLF}Content-Disposition: form-data; name="${name}"${CRLF}${CRLF}${value}${CRLF}`;
}

function fileHead(field: string, filename: string): string {
  return (
    `--${BOUNDARY}${CRLF}Content-Disposition: form-data; name="${field}"; filename="${filename}"${CRLF}` +
    `Content-Type: application/octet-stream${CRLF}${CRLF}`
  );
}

function filePart(field: string, filename: string, content: string): string {
  return `${fileHead(field, filename)}${content}${CRLF}`;
}

const END = `--${BOUNDARY}--${CRLF}`;

const MULTIPART = {
  'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`,
};

let relay: TestRelay;

beforeAll(async () => {
  relay = await startRelay({ maxUploadBytes: 1024 * 1024 });
});

afterAll(async () => {
  await relay.close();
  await removeDir(relay.dataDir);
});

describe('malformed multipart bodies', () => {
  const cases: [string, Record<string, string>, string, string][] = [
    [
      'truncated boundary',
      MULTIPART,
      filePart('file', 'a.txt', 'abc') + `--${BOUNDARY.slice(0, 6)}`,
      'invalid_multipart',
    ],
    [
      'missing end boundary',
      MULTIPART,
      filePart('file', 'a.txt', 'abc'),
      'invalid_multipart',
    ],
    [
      'empty text field name',
      MULTIPART,
      fieldPart('', 'x') + filePart('file', 'a.txt', 'abc') + END,
      'empty_field_name',
    ],
    [
      'empty file field name',
      MULTIPART,
      filePart('', 'a.txt', 'abc') + END,
      'empty_field_name',
    ],
    [
      'thousands of parts',
      MULTIPART,
      fieldPart('sha256', 'x').repeat(5000) + END,
      'too_many_parts',
    ],
    [
      'file field twice',
      MULTIPART,
      filePart('file', 'a.txt', 'abc') + filePart('file', 'b.txt', 'def') + END,
      'too_many_files',
    ],
    [
      'sha256 field twice',
      MULTIPART,
      fieldPart('sha256', 'a'.repeat(64)) +
        fieldPart('sha256', 'b'.repeat(64)) +
        filePart('file', 'a.txt', 'abc') +
        END,
      'duplicate_field',
    ],
    [
      'field after the file given twice',
      MULTIPART,
      filePart('file', 'a.txt', 'abc') +
        fieldPart('sha256', 'a'.repeat(64)) +
        fieldPart('sha256', 'a'.repeat(64)) +
        END,
      'duplicate_field',
    ],
    [
      'unknown field',
      MULTIPART,
      fieldPart('path', '/etc') + filePart('file', 'a.txt', 'abc') + END,
      'unexpected_field',
    ],
    [
      'invalid sha256',
      MULTIPART,
      fieldPart('sha256', 'not-a-hash') +
        filePart('file', 'a.txt', 'abc') +
        END,
      'invalid_sha256',
    ],
    [
      'part without a name',
      MULTIPART,
      `--${BOUNDARY}${CRLF}Content-Disposition: form-data${CRLF}${CRLF}x${CRLF}` +
        END,
      'empty_field_name',
    ],
    [
      'no boundary parameter',
      { 'Content-Type': 'multipart/form-data' },
      filePart('file', 'a.txt', 'abc') + END,
      'invalid_multipart',
    ],
    [
      'no file at all',
      MULTIPART,
      fieldPart('sha256', 'a'.repeat(64)) + END,
      'missing_file',
    ],
    [
      'not multipart',
      { 'Content-Type': 'application/json' },
      '{"file":"x"}',
      'missing_file',
    ],
    [
      'garbage header',
      MULTIPART,
      `--${BOUNDARY}${CRLF}\u0000\u0001 not a header${CRLF}${CRLF}x${CRLF}` +
        END,
      'invalid_multipart',
    ],
  ];

  it.each(cases)('%s gets a 4xx', async (_label, headers, body, code) => {
    const response = await rawRequest(
      relay.url,
      'POST',
      '/api/blobs',
      headers,
      Buffer.from(body, 'utf8'),
    );
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    const parsed = JSON.parse(response.body) as {
      error: { code: string; message: string };
    };
    expect(parsed.error.code).toBe(code);
    expect(parsed.error.message.length).toBeGreaterThan(10);

    expect(await tmpFiles(relay.dataDir)).toEqual([]);
    expect(await blobFiles(relay.dataDir)).toEqual([]);
    const ping = await fetch(`${relay.url}/ping`);
    expect(await ping.text()).toBe('pong');
  });

  it('rejects a hash sent after the file that does not match', async () => {
    const body =
      filePart('file', 'a.txt', 'abc') +
      fieldPart('sha256', 'a'.repeat(64)) +
      END;
    const response = await rawRequest(
      relay.url,
      'POST',
      '/api/blobs',
      MULTIPART,
      Buffer.from(body),
    );
    expect(response.status).toBe(422);
    expect(await blobFiles(relay.dataDir)).toEqual([]);
  });

  it('accepts a hash sent after the file that matches', async () => {
    const hash = sha256Of(new TextEncoder().encode('late'));
    const body =
      filePart('file', 'a.txt', 'late') + fieldPart('sha256', hash) + END;
    const response = await rawRequest(
      relay.url,
      'POST',
      '/api/blobs',
      MULTIPART,
      Buffer.from(body),
    );
    expect(response.status).toBe(201);
    expect(await relay.store.delete(hash)).toBe(true);
  });
});

describe('aborted uploads', () => {
  it('leave nothing when the client aborts mid-body', async () => {
    const head = fileHead('file', 'big.bin');
    await new Promise<void>((resolve) => {
      const req = httpRequest(`${relay.url}/api/blobs`, {
        method: 'POST',
        headers: {
          ...staffHeaders,
          ...MULTIPART,
          'Content-Length': String(1024 * 1024),
        },
      });
      req.on('error', () => resolve());
      req.write(head);
      req.write(Buffer.alloc(200 * 1024, 3), () => {
        // Wait until the relay has started a temp file, then cut the socket.
        void waitFor(
          async () => (await tmpFiles(relay.dataDir)).length > 0,
        ).then(() => {
          req.destroy();
          resolve();
        });
      });
    });

    const clean = await waitFor(
      async () => (await tmpFiles(relay.dataDir)).length === 0,
    );
    expect(clean).toBe(true);
    expect(await blobFiles(relay.dataDir)).toEqual([]);

    const after = await uploadBlob(
      relay.url,
      new Uint8Array([1, 2, 3]),
      'ok.bin',
    );
    expect(after.status).toBe(201);
    const { sha256 } = (await after.json()) as { sha256: string };
    await relay.store.delete(sha256);
  });

  it('remove a blob when the closing boundary never arrives', async () => {
    const content = 'complete file but no closing boundary';
    await new Promise<void>((resolve) => {
      const req = httpRequest(`${relay.url}/api/blobs`, {
        method: 'POST',
        headers: { ...staffHeaders, ...MULTIPART, 'Content-Length': '100000' },
      });
      req.on('error', () => resolve());
      // The next part's header makes busboy finish the file part.
      req.write(
        filePart('file', 'a.txt', content) + `--${BOUNDARY}${CRLF}`,
        () => {
          const stored = sha256Of(new TextEncoder().encode(content));
          void waitFor(() => relay.store.exists(stored)).then(() => {
            req.destroy();
            resolve();
          });
        },
      );
    });

    const clean = await waitFor(
      async () => (await blobFiles(relay.dataDir)).length === 0,
    );
    expect(clean).toBe(true);
    expect(await tmpFiles(relay.dataDir)).toEqual([]);
  });
});
