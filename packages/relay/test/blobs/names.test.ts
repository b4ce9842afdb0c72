import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sanitizeFileName } from '@portico/engine/files';
import {
  download,
  listFiles,
  removeDir,
  startRelay,
  uploadBlob,
  type TestRelay,
} from './harness.js';

const NAMES_FILE = '/work/shared/fixtures/names/names.txt';

// Decodes the fixture's escape notation: \\ \n \r \t \0 \s \uXXXX \U{X...}
// and \xHH (a raw byte, decoded here as UTF-8 with replacement characters).
function decodeNameLine(line: string): string {
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  const pushText = (text: string) => bytes.push(...encoder.encode(text));
  for (let i = 0; i < line.length; i += 1) {
    const char = line[i] ?? '';
    if (char !== '\\') {
      const codePoint = line.codePointAt(i) ?? 0;
      const whole = String.fromCodePoint(codePoint);
      pushText(whole);
      i += whole.length - 1;
      continue;
    }
    const next = line[i + 1] ?? '';
    i += 1;
    const simple: Record<string, string> = {
      '\\': '\\',
      n: '\n',
      r: '\r',
      t: '\t',
      '0': '\0',
      s: ' ',
    };
    if (next in simple) {
      pushText(simple[next] ?? '');
    } else if (next === 'u') {
      pushText(String.fromCodePoint(parseInt(line.slice(i + 1, i + 5), 16)));
      i += 4;
    } else if (next === 'U') {
      const close = line.indexOf('}', i);
      pushText(String.fromCodePoint(parseInt(line.slice(i + 2, close), 16)));
      i = close;
    } else if (next === 'x') {
      bytes.push(parseInt(line.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      throw new Error(`Unknown escape \\${next} in ${line}`);
    }
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

async function loadNames(): Promise<string[]> {
  const text = await readFile(NAMES_FILE, 'utf8');
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map(decodeNameLine);
}

// Reads filename* back out of a Content-Disposition value.
function extendedName(header: string): string {
  const match = /filename\*=UTF-8''([^;]*)$/.exec(header);
  return decodeURIComponent(match?.[1] ?? '');
}

let relay: TestRelay;

beforeAll(async () => {
  relay = await startRelay();
});

afterAll(async () => {
  await relay.close();
  await removeDir(relay.dataDir);
});

describe('fixture file names', () => {
  it('get safe headers and hash-named files', async () => {
    const names = await loadNames();
    expect(names.length).toBeGreaterThanOrEqual(40);

    for (const [index, name] of names.entries()) {
      const bytes = new TextEncoder().encode(`content ${index}`);
      const uploaded = await uploadBlob(relay.url, bytes, name);
      expect(uploaded.status, JSON.stringify(name)).toBe(201);
      const body = (await uploaded.json()) as { sha256: string; name: string };
      expect(body.name, JSON.stringify(name)).toBe(sanitizeFileName(name));

      const fetched = await download(relay.url, body.sha256, { name });
      expect(fetched.status, JSON.stringify(name)).toBe(200);
      await fetched.arrayBuffer();
      const header = fetched.headers.get('content-disposition') ?? '';
      // Printable ASCII only: no CR, LF, NUL or raw UTF-8 in the header.
      expect(header, JSON.stringify(name)).toMatch(/^[\x20-\x7e]+$/);
      const fallback = /filename="([^"]*)"/.exec(header)?.[1] ?? '';
      expect(fallback, JSON.stringify(name)).not.toMatch(/["\\/]/);
      expect(fallback.length, JSON.stringify(name)).toBeGreaterThan(0);
      const exact = extendedName(header);
      expect(exact, JSON.stringify(name)).toBe(sanitizeFileName(name));
      expect(exact, JSON.stringify(name)).not.toMatch(
        // eslint-disable-next-line no-control-regex
        /[/\\\u0000-\u001f\u202a-\u202e\u2066-\u2069]/,
      );
    }

    // Names are data: every stored file is a blob named by its hash.
    const files = await listFiles(relay.dataDir);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      expect(file).toMatch(/^blobs\/[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{64}$/);
    }
  });
});
