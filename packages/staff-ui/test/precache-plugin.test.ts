/// <reference types="node" />
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { buildManifest, manifestScript } from '../build/precache-plugin.js';

describe('buildManifest', () => {
  it('lists the shell without the worker and maps', () => {
    const manifest = buildManifest(
      ['sw.js', 'assets/main-1.js', 'assets/main-1.js.map', 'index.html'],
      'sw.js',
    );
    expect(manifest.files).toEqual(['assets/main-1.js', 'index.html']);
  });

  it('lists a page named twice once', () => {
    const manifest = buildManifest(['index.html', 'index.html'], 'sw.js');
    expect(manifest.files).toEqual(['index.html']);
  });

  it('changes the version when a file name changes', () => {
    const first = buildManifest(['assets/main-1.js', 'index.html'], 'sw.js');
    const same = buildManifest(['index.html', 'assets/main-1.js'], 'sw.js');
    const next = buildManifest(['assets/main-2.js', 'index.html'], 'sw.js');
    expect(same.version).toBe(first.version);
    expect(next.version).not.toBe(first.version);
  });
});

describe('manifestScript', () => {
  it('assigns the manifest to the worker global', () => {
    const script = manifestScript({ version: 'abc', files: ['index.html'] });
    const scope: Record<string, unknown> = {};
    runInNewContext(script, { self: scope });
    expect(scope['__PORTICO_PRECACHE__']).toEqual({
      version: 'abc',
      files: ['index.html'],
    });
  });
});
