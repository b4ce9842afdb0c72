// Delivery of rendered outbox messages: over SMTP when `smtpUrl` is set,
// otherwise as .eml files in `mailDir`. Both paths compose the message with
// nodemailer, so an .eml file is byte for byte what SMTP would have carried
// apart from the Date header.
import { describeValue, validateEmailAddress } from '@portico/engine/mail';
import nodemailer from 'nodemailer';
import type { SendMailOptions, Transporter } from 'nodemailer';
import type { Logger } from 'pino';

import { emlFileName, writeEmlFile } from './eml-file.js';
import { InvalidMessageError } from './retry.js';

export {
  backoffDelay,
  classifySendError,
  InvalidMessageError,
  RETRY_BASE_DELAY_MS,
  RETRY_MAX_DELAY_MS,
  type BackoffOptions,
  type SendErrorClass,
} from './retry.js';

/** Configuration of `createMailer`. */
export interface MailerOptions {
  /** `smtp://` or `smtps://` URL with optional credentials; unset: .eml. */
  smtpUrl?: string;
  /** Folder for .eml files when `smtpUrl` is unset. */
  mailDir: string;
  /** Sender, `address` or `Display Name <address>`. */
  from: string;
  logger: Logger;
}

/** One rendered message, addressed to exactly one recipient. */
export interface OutgoingMessage {
  /** Envelope recipient and `To:`; must be a valid, normalised address. */
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Stable `<local@domain>` id derived from the outbox id. */
  messageId: string;
}

/** Outcome of a successful `send`. */
export interface SendResult {
  messageId: string;
  /** Path of the .eml file, when no SMTP server is configured. */
  file?: string;
}

/** Sender of outbox messages. */
export interface Mailer {
  /** Sends one message; rejects with an error for `classifySendError`. */
  send(message: OutgoingMessage): Promise<SendResult>;
  /** Closes the SMTP transport; later sends reject. */
  close(): void;
}

interface Sender {
  name: string;
  address: string;
}

// Waits for one SMTP exchange. Nodemailer's defaults (up to 10 minutes of
// socket inactivity) would hold an outbox claim far longer than a retry.
const SMTP_TIMEOUTS = {
  connectionTimeout: 30_000,
  greetingTimeout: 30_000,
  socketTimeout: 60_000,
};

// Printable ASCII except space and angle brackets, on both sides of the @.
const MESSAGE_ID = /^<[\x21-\x3b\x3d\x3f-\x7e]+@[\x21-\x3b\x3d\x3f-\x7e]+>$/;
const MAX_MESSAGE_ID_LENGTH = 200;

// eslint-disable-next-line no-control-regex
const HEADER_BREAK = /[\u0000-\u001f\u007f]/;

/**
 * Creates the relay's mailer. Throws when `from` or `smtpUrl` is invalid,
 * so a misconfigured relay stops at start instead of at the first send.
 */
export function createMailer(options: MailerOptions): Mailer {
  const sender = parseSender(options.from);
  const logger = options.logger.child({ component: 'mailer' });

  if (options.smtpUrl === undefined || options.smtpUrl === '') {
    logger.info({ mailDir: options.mailDir }, 'mail is written as .eml files');
    return createEmlMailer(sender, options.mailDir, logger);
  }
  const url = parseSmtpUrl(options.smtpUrl);
  logger.info({ smtp: redactUrl(url) }, 'mail is sent over SMTP');
  return createSmtpMailer(sender, url, logger);
}

function createSmtpMailer(sender: Sender, url: URL, logger: Logger): Mailer {
  const transport = nodemailer.createTransport({
    url: url.href,
    ...SMTP_TIMEOUTS,
  });
  let closed = false;

  return {
    async send(message) {
      assertOpen(closed);
      try {
        const info = await transport.sendMail(composeMail(sender, message));
        logger.info(
          {
            messageId: message.messageId,
            to: message.to,
            reply: info.response,
          },
          'mail sent',
        );
        return { messageId: message.messageId };
      } catch (error) {
        logFailure(logger, message, error);
        throw error;
      }
    },
    close() {
      closed = true;
      transport.close();
    },
  };
}

function createEmlMailer(
  sender: Sender,
  mailDir: string,
  logger: Logger,
): Mailer {
  const composer: Transporter<{ message: unknown }> =
    nodemailer.createTransport({
      streamTransport: true,
      buffer: true,
      newline: 'windows',
    });
  let closed = false;

  return {
    async send(message) {
      assertOpen(closed);
      try {
        const mail = composeMail(sender, message);
        const { message: content } = await composer.sendMail(mail);
        if (!Buffer.isBuffer(content)) {
          throw new Error('nodemailer returned a stream instead of a buffer');
        }
        const name = emlFileName(message.messageId);
        const file = await writeEmlFile(mailDir, name, content);
        logger.info(
          { messageId: message.messageId, to: message.to, ...file },
          'mail written to file',
        );
        return { messageId: message.messageId, file: file.path };
      } catch (error) {
        logFailure(logger, message, error);
        throw error;
      }
    },
    close() {
      closed = true;
    },
  };
}

// Builds the nodemailer message after checking every header value. The
// envelope is set explicitly so the SMTP recipient is exactly `to` and never
// something nodemailer derives from headers.
function composeMail(
  sender: Sender,
  message: OutgoingMessage,
): SendMailOptions {
  checkMessage(message);
  return {
    from: sender,
    to: message.to,
    subject: message.subject,
    text: message.text,
    html: message.html,
    messageId: message.messageId,
    envelope: { from: sender.address, to: [message.to] },
    // The bodies come from templates, but nothing in them should make
    // nodemailer read a local file or fetch a URL.
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

function checkMessage(message: OutgoingMessage): void {
  const recipient = validateEmailAddress(message.to);
  if (!recipient.ok) {
    throw new InvalidMessageError(`Recipient rejected: ${recipient.reason}`);
  }
  if (recipient.address !== message.to) {
    throw new InvalidMessageError(
      `Recipient ${describeValue(message.to)} is not in normalised form. ` +
        `Store it as ${describeValue(recipient.address)}.`,
    );
  }
  if (HEADER_BREAK.test(message.subject)) {
    throw new InvalidMessageError(
      `Subject ${describeValue(message.subject)} contains a line break or ` +
        'control character. Render it with renderMessage.',
    );
  }
  if (
    message.messageId.length > MAX_MESSAGE_ID_LENGTH ||
    !MESSAGE_ID.test(message.messageId)
  ) {
    throw new InvalidMessageError(
      `Message-ID ${describeValue(message.messageId)} is invalid. ` +
        `Use <outbox-id@domain>, at most ${MAX_MESSAGE_ID_LENGTH} ` +
        'characters without spaces.',
    );
  }
}

// Accepts `address` or `Display Name <address>`, because MAIL_FROM usually
// carries the firm's name. The name goes to nodemailer separately so that
// it is encoded, never pasted into the header.
function parseSender(from: string): Sender {
  if (HEADER_BREAK.test(from)) {
    throw new Error(
      `Sender ${describeValue(from)} contains a line break or control ` +
        'character. Remove it.',
    );
  }
  const match = /^\s*(?:([^<>"]*?)\s*<([^<>]*)>|([^<>]*))\s*$/.exec(from);
  const address = validateEmailAddress(match?.[2] ?? match?.[3] ?? '');
  if (!address.ok) {
    throw new Error(
      `Sender ${describeValue(from)} is invalid: ${address.reason} Use ` +
        'name@example.com or Firm Name <name@example.com>.',
    );
  }
  return { name: match?.[1] ?? '', address: address.address };
}

function parseSmtpUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(
      'SMTP URL is not a valid URL. Use smtp://user:password@host:port ' +
        'or smtps://host:465.',
    );
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
    throw new Error(
      `SMTP URL ${redactUrl(url)} uses ${url.protocol} but only smtp: and ` +
        'smtps: are supported.',
    );
  }
  return url;
}

// SMTP URLs carry credentials, which must never reach a log or an error.
function redactUrl(url: URL): string {
  return `${url.protocol}//${url.host}`;
}

function assertOpen(closed: boolean): void {
  if (closed) {
    throw new Error('Mailer is closed. Create a new mailer to send.');
  }
}

// The message bodies are never logged, because an invitation contains a
// temporary password.
function logFailure(logger: Logger, message: OutgoingMessage, error: unknown) {
  logger.warn(
    { err: error, messageId: message.messageId, to: message.to },
    'mail send failed',
  );
}
