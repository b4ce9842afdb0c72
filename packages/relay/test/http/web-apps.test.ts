import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, startRelay, type Relay } from '../../src/index.js';

let root: string;
let relay: Relay;
let unbuilt: Relay;

async function writeApp(dir: string, title: string): Promise<void> {
  await mkdir(path.join(dir, 'assets'), { recursive: true });
  await writeFile(path.join(dir, 'index.html'), `<title>${title}</title>`);
  await writeFile(path.join(dir, 'assets', 'app-1234.js'), 'void 0;');
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'portico-web-'));
  const staffDir = path.join(root, 'staff');
  const portalDir = path.join(root, 'portal');
  await writeApp(staffDir, 'staff');
  await writeApp(portalDir, 'portal');
  relay = await startRelay(
    loadConfig({
      PORT: '0',
      DATA_DIR: path.join(root, 'data'),
      LOG_LEVEL: 'silent',
    }),
    { webApps: { staffDir, portalDir } },
  );
  unbuilt = await startRelay(
    loadConfig({
      PORT: '0',
      DATA_DIR: path.join(root, 'data2'),
      LOG_LEVEL: 'silent',
    }),
    {
      webApps: {
        staffDir: path.join(root, 'missing-staff'),
        portalDir: path.join(root, 'missing-portal'),
      },
    },
  );
});

afterAll(async () => {
  await relay?.close();
  await unbuilt?.close();
  await rm(root, { recursive: true, force: true });
});

async function get(base: string, pathname: string) {
  const response = await fetch(`${base}${pathname}`);
  return { response, body: await response.text() };
}

describe('web app serving', () => {
  it('serves the staff app under /staff/', async () => {
    const { response, body } = await get(relay.url, '/staff/');
    expect(response.status).toBe(200);
    expect(body).toContain('<title>staff</title>');
    expect(response.headers.get('cache-control')).toBe('no-cache');
  });

  it('serves the staff index for app routes', async () => {
    const { body } = await get(relay.url, '/staff/contacts/abc');
    expect(body).toContain('<title>staff</title>');
  });

  it('serves the portal at the root and its routes', async () => {
    expect((await get(relay.url, '/')).body).toContain('portal');
    const reset = await get(relay.url, '/reset?token=abc');
    expect(reset.response.status).toBe(200);
    expect(reset.body).toContain('<title>portal</title>');
  });

  it('caches hashed assets and 404s missing ones', async () => {
    const asset = await get(relay.url, '/staff/assets/app-1234.js');
    expect(asset.response.status).toBe(200);
    expect(asset.response.headers.get('cache-control')).toContain('immutable');
    const missing = await get(relay.url, '/staff/assets/nope.js');
    expect(missing.response.status).toBe(404);
  });

  it('keeps unknown API paths as JSON 404', async () => {
    const { response, body } = await get(relay.url, '/api/nothing');
    expect(response.status).toBe(404);
    expect(JSON.parse(body)).toMatchObject({ error: { code: 'not_found' } });
  });

  it('sends a content security policy without https upgrades', async () => {
    const { response } = await get(relay.url, '/staff/');
    const policy = response.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("script-src 'self'");
    expect(policy).not.toContain('upgrade-insecure-requests');
    expect(response.headers.get('strict-transport-security')).toBeNull();
  });

  it('explains an app that is not built', async () => {
    const { response, body } = await get(unbuilt.url, '/staff/');
    expect(response.status).toBe(503);
    expect(body).toContain('npm run build');
  });
});
