/**
 * Hostile and unusual file names from the shared name fixture, uploaded by
 * a client and downloaded again through a real relay. Each name must come
 * back cleaned, in safe headers, and never reach the blob folder's paths.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sanitizeFileName } from '@portico/engine/files';
import {
  FIXTURE_NAMES,
  clientGet,
  clientUpload,
  listFiles,
  startFilesRelay,
  type FilesRelay,
} from './files-fixtures.js';

const SINGLE_ESCAPES: Record<string, string> = {
  '\\': '\\',
  n: '\n',
  r: '\r',
  t: '\t',
  '0': '\0',
  s: ' ',
};

/**
 * Turns one fixture line into the name it stands for. A backslash starts
 * an escape: `\\ \n \r \t \0 \s`, `\uXXXX`, `\U{hex}` or `\xHH`, the last
 * being one raw byte. Raw bytes that are not valid UTF-8 become U+FFFD, as
 * a browser's multipart encoder would send them.
 */
function decodeFixtureName(line: string): string {
  const out: number[] = [];
  const utf8 = new TextEncoder();
  const addText = (text: string) => out.push(...utf8.encode(text));
  let index = 0;
  while (index < line.length) {
    const char = line[index] ?? '';
    if (char !== '\\') {
      const codePoint = line.codePointAt(index) ?? 0;
      const text = String.fromCodePoint(codePoint);
      addText(text);
      index += text.length;
      continue;
    }
    const kind = line[index + 1] ?? '';
    const single = SINGLE_ESCAPES[kind];
    if (single !== undefined) {
      addText(single);
      index += 2;
    } else if (kind === 'u') {
      addText(
        String.fromCodePoint(parseInt(line.slice(index + 2, index + 6), 16)),
      );
      index += 6;
    } else if (kind === 'U') {
      const end = line.indexOf('}', index);
      addText(String.fromCodePoint(parseInt(line.slice(index + 3, end), 16)));
      index = end + 1;
    } else if (kind === 'x') {
      out.push(parseInt(line.slice(index + 2, index + 4), 16));
      index += 4;
    } else {
      throw new Error(`Unknown escape "\\${kind}" in fixture line ${line}`);
    }
  }
  return new TextDecoder().decode(new Uint8Array(out));
}

async function fixtureNames(): Promise<string[]> {
  const text = await readFile(FIXTURE_NAMES, 'utf8');
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map(decodeFixtureName);
}

/** Reads the RFC 5987 `filename*` parameter back out of the header. */
function extendedFileName(header: string): string {
  const match = /filename\*=UTF-8''([^;]*)$/.exec(header);
  return decodeURIComponent(match?.[1] ?? '');
}

let relay: FilesRelay;
let token: string;

beforeAll(async () => {
  relay = await startFilesRelay();
  token = await relay.clientToken('c-names', 'names@client.example');
});

afterAll(async () => {
  await relay.close();
});

describe('fixture file names', () => {
  it('survive upload and download safely', async () => {
    const names = await fixtureNames();
    expect(names.length).toBeGreaterThan(40);

    for (const [index, name] of names.entries()) {
      const bytes = new TextEncoder().encode(`file number ${index}`);
      const uploaded = await clientUpload(relay.url, token, name, bytes);
      expect(uploaded.status, `upload of ${JSON.stringify(name)}`).toBe(201);
      const body = (await uploaded.json()) as { id: string; name: string };
      const expected = sanitizeFileName(name);
      expect(body.name, JSON.stringify(name)).toBe(expected);

      const path = `/api/portal/files/${body.id}`;
      const download = await clientGet(relay.url, token, path);
      expect(download.status).toBe(200);
      const disposition = download.headers.get('content-disposition') ?? '';
      // Header values must be printable ASCII, so no name can split the
      // header or smuggle another one.
      expect(disposition, JSON.stringify(name)).toMatch(/^[\x20-\x7e]+$/);
      expect(disposition.startsWith('attachment;')).toBe(true);
      expect(extendedFileName(disposition)).toBe(expected);
      expect(download.headers.get('x-content-type-options')).toBe('nosniff');
      expect(new Uint8Array(await download.arrayBuffer())).toEqual(bytes);
    }
  });

  it('never reach the blob folder paths', async () => {
    const files = await listFiles(join(relay.dataDir, 'blobs'));
    expect(files.length).toBeGreaterThan(40);
    for (const file of files) {
      expect(file).toMatch(/^[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{64}$/);
    }
    const everything = await listFiles(relay.dataDir);
    for (const file of everything) {
      expect(file).toMatch(/^(blobs\/|portico\.db|uploads\/|mail\/)/);
    }
  });

  it('get a passive Content-Type for active files', async () => {
    const cases: [string, string][] = [
      ['page.html', 'application/octet-stream'],
      ['drawing.svg', 'application/octet-stream'],
      ['data.xml', 'application/octet-stream'],
      ['report.pdf', 'application/pdf'],
    ];
    for (const [name, type] of cases) {
      const uploaded = await clientUpload(
        relay.url,
        token,
        name,
        new TextEncoder().encode('<script>alert(1)</script>'),
      );
      const { id } = (await uploaded.json()) as { id: string };
      const download = await clientGet(
        relay.url,
        token,
        `/api/portal/files/${id}`,
      );
      expect(download.headers.get('content-type'), name).toBe(type);
      await download.arrayBuffer();
    }
  });
});
