import { describe, expect, it } from 'vitest';

import {
  MASKED_PASSWORD,
  renderMessage,
  type MessageInput,
  type PortalInviteInput,
} from '../../src/mail/templates.js';

const invite: PortalInviteInput = {
  kind: 'portal-invite',
  firmName: 'Baker & Co',
  portalUrl: 'https://portal.example.com/',
  loginEmail: 'client@example.com',
  temporaryPassword: 'Tq7-vX2p-9mKa',
  validForMinutes: 7 * 24 * 60,
  recipientName: 'Ann Client',
};

const everyKind: MessageInput[] = [
  invite,
  {
    kind: 'file-notice',
    firmName: 'Baker & Co',
    portalUrl: 'https://portal.example.com/',
    fileNames: ['2024 return.pdf', 'notes.txt'],
  },
  {
    kind: 'staff-notice',
    firmName: 'Baker & Co',
    clientName: 'Ann Client',
    fileName: 'receipts.zip',
  },
  {
    kind: 'password-reset',
    firmName: 'Baker & Co',
    resetUrl: 'https://portal.example.com/reset?token=abc',
    validForMinutes: 60,
  },
];

// Text of the HTML body with tags removed and entities decoded, to compare
// the facts it shows with the text body.
function visibleText(html: string): string {
  return html
    .replace(/<title>.*<\/title>/s, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

describe('renderMessage', () => {
  it('renders the invite facts', () => {
    const message = renderMessage(invite);

    expect(message.subject).toBe('Your client portal account with Baker & Co');
    for (const body of [message.text, visibleText(message.html)]) {
      expect(body).toContain('Baker & Co');
      expect(body).toContain('https://portal.example.com/');
      expect(body).toContain('client@example.com');
      expect(body).toContain('Tq7-vX2p-9mKa');
      expect(body).toContain('7 days');
      expect(body).toContain('permanent password');
      expect(body).toContain('Hello Ann Client,');
    }
  });

  it('masks only the password', () => {
    const real = renderMessage(invite);
    const masked = renderMessage({ ...invite, temporaryPassword: null });

    expect(masked.text).not.toContain('Tq7-vX2p-9mKa');
    expect(masked.html).not.toContain('Tq7-vX2p-9mKa');
    expect(masked.text).toContain(MASKED_PASSWORD);
    expect(masked.subject).toBe(real.subject);
    expect(real.text.replace('Tq7-vX2p-9mKa', MASKED_PASSWORD)).toBe(
      masked.text,
    );
    expect(real.html.replace('Tq7-vX2p-9mKa', MASKED_PASSWORD)).toBe(
      masked.html,
    );
  });

  it('escapes a hostile firm name in HTML', () => {
    const firmName = '<script>alert("x")</script> & \'Co\'';
    const message = renderMessage({ ...invite, firmName });

    expect(message.html).not.toContain('<script>');
    expect(message.html).toContain(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;Co&#39;',
    );
    expect(message.text).toContain(firmName);
    expect(message.subject).toContain(firmName);
  });

  it('escapes file and client names in HTML', () => {
    const files = renderMessage({
      kind: 'file-notice',
      firmName: 'Firm',
      portalUrl: 'https://portal.example.com/',
      fileNames: ['<img src=x onerror=alert(1)>.pdf'],
    });
    const staff = renderMessage({
      kind: 'staff-notice',
      firmName: 'Firm',
      clientName: '<b>Mallory</b>',
      fileName: 'a"onmouseover="x.pdf',
    });

    expect(files.html).not.toContain('<img');
    expect(staff.html).not.toContain('<b>');
    expect(staff.html).not.toContain('"onmouseover="');
  });

  it('escapes a quote in a link href', () => {
    const message = renderMessage({
      ...invite,
      portalUrl: 'https://portal.example.com/?a="><script>',
    });

    expect(message.html).not.toContain('"><script>');
  });

  it.each(everyKind)('keeps the $kind subject on one line', (input) => {
    const hostile = { ...input, firmName: 'Evil\r\nBcc: x@evil.com' };
    if (hostile.kind === 'staff-notice') {
      hostile.clientName = 'Eve\nBcc: x@evil.com';
    }
    const message = renderMessage(hostile);

    expect(message.subject).not.toMatch(/[\r\n]/);
    expect(message.text).not.toContain('\nBcc:');
  });

  it.each(everyKind)('renders $kind deterministically', (input) => {
    expect(renderMessage(input)).toEqual(renderMessage(input));
  });

  it.each(everyKind)('carries the $kind facts in both bodies', (input) => {
    const { text, html } = renderMessage(input);
    const words = (body: string) =>
      body.split(/\s+/).filter((word) => word !== '');

    expect(words(visibleText(html))).toEqual(
      words(text.replace(/^(- |\d+\. )/gm, '')),
    );
  });

  it('lists every shared file', () => {
    const message = renderMessage(everyKind[1]!);

    expect(message.subject).toBe('Baker & Co shared 2 files with you');
    expect(message.text).toContain('- 2024 return.pdf\n- notes.txt');
    expect(message.html).toContain('<li>2024 return.pdf</li>');
  });

  it('names client and file in the staff notice', () => {
    const message = renderMessage(everyKind[2]!);

    expect(message.subject).toBe('Ann Client uploaded receipts.zip');
    expect(message.text).toContain('File: receipts.zip');
  });

  it('gives the reset link and one-hour expiry', () => {
    const message = renderMessage(everyKind[3]!);

    expect(message.text).toContain(
      'https://portal.example.com/reset?token=abc',
    );
    expect(message.text).toContain('expires in 1 hour');
    expect(message.html).toContain(
      'href="https://portal.example.com/reset?token=abc"',
    );
  });

  it('rejects a javascript: link', () => {
    expect(() =>
      renderMessage({ ...invite, portalUrl: 'javascript:alert(1)' }),
    ).toThrow(/only http: and https:/);
  });

  it('rejects a relative link', () => {
    expect(() => renderMessage({ ...invite, portalUrl: '/login' })).toThrow(
      /not an absolute URL/,
    );
  });

  it('rejects an empty file list', () => {
    expect(() =>
      renderMessage({
        kind: 'file-notice',
        firmName: 'Firm',
        portalUrl: 'https://portal.example.com/',
        fileNames: [],
      }),
    ).toThrow(/at least one/);
  });

  it('rejects a non-positive validity', () => {
    expect(() => renderMessage({ ...invite, validForMinutes: 0 })).toThrow(
      /validForMinutes/,
    );
  });

  it('rejects an unknown kind', () => {
    const input = { kind: 'newsletter' } as unknown as MessageInput;

    expect(() => renderMessage(input)).toThrow(/newsletter/);
  });

  it('strips bidi overrides from file names', () => {
    const message = renderMessage({
      kind: 'staff-notice',
      firmName: 'Firm',
      clientName: 'Ann',
      fileName: 'invoice\u202efdp.exe',
    });

    expect(message.text).toContain('invoicefdp.exe');
    expect(message.subject).not.toContain('\u202e');
  });
});
