// One renderer for every outbox email. The staff preview and the relay's
// send both call `renderMessage`, so it must stay deterministic: no clock,
// no randomness, no locale-dependent formatting. Each message is first built
// as a list of blocks, and the text and HTML bodies are both rendered from
// that list, so they always carry the same facts.

/** Placeholder shown instead of a temporary password in staff previews. */
export const MASKED_PASSWORD = '••••••••';

/** Invitation to a client's portal account. */
export interface PortalInviteInput {
  kind: 'portal-invite';
  firmName: string;
  /** Absolute http(s) URL of the portal's login page. */
  portalUrl: string;
  /** Email address the client logs in with. */
  loginEmail: string;
  /** The temporary password, or `null` to show `MASKED_PASSWORD`. */
  temporaryPassword: string | null;
  /** Minutes until the temporary password expires. */
  validForMinutes: number;
  /** Client's name for the greeting; omitted gives a neutral greeting. */
  recipientName?: string;
}

/** Notice to a client that the firm shared files on the portal. */
export interface FileNoticeInput {
  kind: 'file-notice';
  firmName: string;
  portalUrl: string;
  /** Display names of the shared files, at least one. */
  fileNames: readonly string[];
  recipientName?: string;
}

/** Notice to the firm's staff that a client uploaded a file. */
export interface StaffNoticeInput {
  kind: 'staff-notice';
  firmName: string;
  clientName: string;
  fileName: string;
}

/** Link for a client who forgot the portal password. */
export interface PasswordResetInput {
  kind: 'password-reset';
  firmName: string;
  /** Absolute http(s) URL carrying the single-use reset token. */
  resetUrl: string;
  /** Minutes until the link expires. */
  validForMinutes: number;
}

/** Everything `renderMessage` needs for one outbox email. */
export type MessageInput =
  PortalInviteInput | FileNoticeInput | StaffNoticeInput | PasswordResetInput;

/** Outbox message kind that `renderMessage` can render. */
export type MessageKind = MessageInput['kind'];

/** Rendered email: a single-line subject and two equivalent bodies. */
export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
}

// Building blocks of a message body. Values in them are raw; escaping
// happens only in the HTML renderer.
type Block =
  | { type: 'paragraph'; text: string }
  | { type: 'link'; label: string; url: string }
  | { type: 'fields'; rows: readonly (readonly [string, string])[] }
  | { type: 'list'; items: readonly string[] }
  | { type: 'steps'; items: readonly string[] };

interface MessageDraft {
  subject: string;
  blocks: Block[];
}

// Maximum characters of one user value (a firm or file name) in a subject.
const MAX_SUBJECT_VALUE = 80;

/**
 * Renders the subject, text and HTML of one outbox email. Throws an `Error`
 * naming the field when the input cannot make a sensible message, such as a
 * non-http(s) URL or an empty file list.
 */
export function renderMessage(input: MessageInput): RenderedMessage {
  const draft = draftMessage(input);
  const subject = toSingleLine(draft.subject);
  return {
    subject,
    text: renderText(draft.blocks),
    html: renderHtml(subject, draft.blocks),
  };
}

function draftMessage(input: MessageInput): MessageDraft {
  switch (input.kind) {
    case 'portal-invite':
      return draftPortalInvite(input);
    case 'file-notice':
      return draftFileNotice(input);
    case 'staff-notice':
      return draftStaffNotice(input);
    case 'password-reset':
      return draftPasswordReset(input);
    default:
      return unknownKind(input);
  }
}

function draftPortalInvite(input: PortalInviteInput): MessageDraft {
  const firm = toSingleLine(input.firmName);
  const password = input.temporaryPassword ?? MASKED_PASSWORD;
  const validity = formatDuration(input.validForMinutes, 'validForMinutes');
  return {
    subject: `Your client portal account with ${shorten(firm)}`,
    blocks: [
      greeting(input.recipientName),
      paragraph(`${firm} has set up a client portal account for you.`),
      { type: 'link', label: 'Portal', url: checkUrl(input.portalUrl) },
      {
        type: 'fields',
        rows: [
          ['Login email', toSingleLine(input.loginEmail)],
          ['Temporary password', password],
        ],
      },
      paragraph(
        `The temporary password works once and expires in ${validity}.`,
      ),
      {
        type: 'steps',
        items: [
          'Open the portal link above.',
          'Log in with your email address and the temporary password.',
          'Choose a permanent password when the portal asks you to.',
        ],
      },
      paragraph(`If you did not expect this email, contact ${firm}.`),
    ],
  };
}

function draftFileNotice(input: FileNoticeInput): MessageDraft {
  if (input.fileNames.length === 0) {
    throw new Error(
      'file-notice needs at least one name in fileNames, got none. ' +
        'Pass the names of the shared files.',
    );
  }
  const firm = toSingleLine(input.firmName);
  const count = countFiles(input.fileNames.length);
  return {
    subject: `${shorten(firm)} shared ${count} with you`,
    blocks: [
      greeting(input.recipientName),
      paragraph(`${firm} shared ${count} with you on your client portal:`),
      { type: 'list', items: input.fileNames.map(toSingleLine) },
      { type: 'link', label: 'Portal', url: checkUrl(input.portalUrl) },
    ],
  };
}

function draftStaffNotice(input: StaffNoticeInput): MessageDraft {
  const firm = toSingleLine(input.firmName);
  const client = toSingleLine(input.clientName);
  const file = toSingleLine(input.fileName);
  return {
    subject: `${shorten(client)} uploaded ${shorten(file)}`,
    blocks: [
      paragraph(`${client} uploaded a file to the ${firm} portal.`),
      {
        type: 'fields',
        rows: [
          ['Client', client],
          ['File', file],
        ],
      },
      paragraph(
        'Use "Check for New Files" on the contact to download it into ' +
          'the document list.',
      ),
    ],
  };
}

function draftPasswordReset(input: PasswordResetInput): MessageDraft {
  const firm = toSingleLine(input.firmName);
  const validity = formatDuration(input.validForMinutes, 'validForMinutes');
  return {
    subject: `Reset your ${shorten(firm)} portal password`,
    blocks: [
      paragraph(
        `Someone asked to reset the password of your ${firm} client ` +
          'portal account.',
      ),
      { type: 'link', label: 'Reset link', url: checkUrl(input.resetUrl) },
      paragraph(
        `The link works once and expires in ${validity}. If you did not ` +
          'ask for a reset, ignore this email and your password stays ' +
          'the same.',
      ),
    ],
  };
}

function renderText(blocks: readonly Block[]): string {
  return `${blocks.map(blockToText).join('\n\n')}\n`;
}

function blockToText(block: Block): string {
  switch (block.type) {
    case 'paragraph':
      return block.text;
    case 'link':
      return `${block.label}: ${block.url}`;
    case 'fields':
      return block.rows
        .map(([label, value]) => `${label}: ${value}`)
        .join('\n');
    case 'list':
      return block.items.map((item) => `- ${item}`).join('\n');
    case 'steps':
      return block.items.map((item, i) => `${i + 1}. ${item}`).join('\n');
  }
}

function renderHtml(subject: string, blocks: readonly Block[]): string {
  const body = blocks.map(blockToHtml).join('\n');
  return (
    '<!doctype html>\n' +
    '<html>\n<head>\n<meta charset="utf-8">\n' +
    `<title>${escapeHtml(subject)}</title>\n` +
    `</head>\n<body>\n${body}\n</body>\n</html>\n`
  );
}

function blockToHtml(block: Block): string {
  switch (block.type) {
    case 'paragraph':
      return `<p>${escapeHtml(block.text)}</p>`;
    case 'link': {
      const url = escapeHtml(block.url);
      return `<p>${escapeHtml(block.label)}: <a href="${url}">${url}</a></p>`;
    }
    case 'fields':
      return `<p>${block.rows.map(fieldToHtml).join('<br>\n')}</p>`;
    case 'list':
      return `<ul>\n${block.items.map(itemToHtml).join('\n')}\n</ul>`;
    case 'steps':
      return `<ol>\n${block.items.map(itemToHtml).join('\n')}\n</ol>`;
  }
}

function fieldToHtml([label, value]: readonly [string, string]): string {
  return `${escapeHtml(label)}: <strong>${escapeHtml(value)}</strong>`;
}

function itemToHtml(item: string): string {
  return `<li>${escapeHtml(item)}</li>`;
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes a value for HTML text and for a double-quoted attribute. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character]!);
}

// Values from users (firm, client and file names) must not break a subject
// into two header lines or a text body into fake lines, and bidi overrides
// could make a file name read differently than it is.
// eslint-disable-next-line no-control-regex
const LINE_BREAKING = /[\s\u0000-\u001f\u007f-\u009f]+/gu;
const INVISIBLE = /[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/gu;

/** Collapses line breaks, controls and whitespace runs to single spaces. */
export function toSingleLine(value: string): string {
  return value.replace(INVISIBLE, '').replace(LINE_BREAKING, ' ').trim();
}

function shorten(value: string): string {
  const characters = Array.from(value);
  if (characters.length <= MAX_SUBJECT_VALUE) {
    return value;
  }
  return `${characters.slice(0, MAX_SUBJECT_VALUE - 1).join('')}…`;
}

function greeting(name: string | undefined): Block {
  const displayName = name === undefined ? '' : toSingleLine(name);
  return paragraph(displayName === '' ? 'Hello,' : `Hello ${displayName},`);
}

function paragraph(text: string): Block {
  return { type: 'paragraph', text };
}

function countFiles(count: number): string {
  return count === 1 ? '1 file' : `${count} files`;
}

// Whole days, else whole hours, else minutes, so the common values (7 days,
// 1 hour) read naturally.
function formatDuration(minutes: number, field: string): string {
  if (!Number.isInteger(minutes) || minutes <= 0) {
    throw new Error(
      `${field} must be a positive whole number of minutes, got ` +
        `${String(minutes)}.`,
    );
  }
  if (minutes % (24 * 60) === 0) {
    return plural(minutes / (24 * 60), 'day');
  }
  if (minutes % 60 === 0) {
    return plural(minutes / 60, 'hour');
  }
  return plural(minutes, 'minute');
}

function plural(count: number, unit: string): string {
  return count === 1 ? `1 ${unit}` : `${count} ${unit}s`;
}

// Only http(s) links are rendered, because an `href` with another scheme
// (javascript:, data:) would run or embed content in some mail clients.
function checkUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(
      `Link ${JSON.stringify(value)} is not an absolute URL. ` +
        'Configure the public URL as https://host/...',
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(
      `Link ${JSON.stringify(value)} uses ${url.protocol} but only ` +
        'http: and https: links are sent. Configure an http(s) URL.',
    );
  }
  return url.href;
}

function unknownKind(input: never): never {
  const kind = (input as { kind?: unknown }).kind;
  throw new Error(
    `Unknown message kind ${JSON.stringify(kind)}. Expected one of ` +
      'portal-invite, file-notice, staff-notice, password-reset.',
  );
}
