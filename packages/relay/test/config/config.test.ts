import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('loadConfig', () => {
  it('applies the defaults', () => {
    const config = loadConfig({});
    expect(config.port).toBe(8080);
    expect(config.host).toBe('127.0.0.1');
    expect(config.dataDir).toBe(path.resolve('./data'));
    expect(config.publicUrl).toBe('http://127.0.0.1:8080');
    expect(config.logLevel).toBe('info');
    expect(config.maxMessageBytes).toBe(32 * 1024 * 1024);
    expect(config.maxDocsPerConnection).toBe(2000);
    expect(config.maxConnectionsPerAccount).toBe(50);
    expect(config.docIdleMs).toBe(30_000);
    expect(config.smtpUrl).toBeUndefined();
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '9000',
      HOST: '0.0.0.0',
      DATA_DIR: '/srv/portico',
      PUBLIC_URL: 'https://portal.firm.example/',
      SMTP_URL: 'smtp://mail.firm.example:587',
      MAIL_FROM: 'Portal <portal@firm.example>',
      FIRM_NAME: 'Baker & Co',
      FIRM_NOTIFY_EMAIL: 'office@firm.example',
      LOG_LEVEL: 'debug',
      MAX_MESSAGE_BYTES: '1048576',
      MAX_DOCS_PER_CONNECTION: '10',
      MAX_CONNECTIONS_PER_ACCOUNT: '3',
      DOC_IDLE_MS: '0',
    });
    expect(config).toMatchObject({
      port: 9000,
      host: '0.0.0.0',
      dataDir: '/srv/portico',
      publicUrl: 'https://portal.firm.example',
      smtpUrl: 'smtp://mail.firm.example:587',
      mailFrom: 'Portal <portal@firm.example>',
      firmName: 'Baker & Co',
      firmNotifyEmail: 'office@firm.example',
      logLevel: 'debug',
      maxMessageBytes: 1048576,
      maxDocsPerConnection: 10,
      maxConnectionsPerAccount: 3,
      docIdleMs: 0,
    });
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ PORT: '', SMTP_URL: '' }).port).toBe(8080);
  });

  const invalid: [string, string][] = [
    ['PORT', '70000'],
    ['PORT', 'eighty'],
    ['PUBLIC_URL', 'portal.firm.example'],
    ['PUBLIC_URL', 'ftp://firm.example'],
    ['SMTP_URL', 'http://mail.example'],
    ['FIRM_NOTIFY_EMAIL', 'not-an-email'],
    ['LOG_LEVEL', 'verbose'],
    ['MAX_MESSAGE_BYTES', '-1'],
    ['MAX_DOCS_PER_CONNECTION', '0'],
    ['MAX_CONNECTIONS_PER_ACCOUNT', '1.5'],
    ['DOC_IDLE_MS', 'soon'],
  ];
  it.each(invalid)('names %s=%s in the error', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });

  it('names every invalid variable at once', () => {
    expect(() => loadConfig({ PORT: 'x', LOG_LEVEL: 'y' })).toThrow(
      /PORT.*LOG_LEVEL/,
    );
  });
});
