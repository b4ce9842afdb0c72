/**
 * Relay configuration, read from environment variables and validated with
 * zod so that a bad value stops the start with the variable's name.
 */
import path from 'node:path';
import { z } from 'zod';
import {
  createPaymentProvider,
  PaymentSettingsError,
  type PaymentSettings,
} from './payments/index.js';

const MIB = 1024 * 1024;
const DAY_MS = 24 * 60 * 60 * 1000;

const LOG_LEVELS = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
] as const;

export type LogLevel = (typeof LOG_LEVELS)[number];

export interface RelayConfig {
  port: number;
  host: string;
  dataDir: string;
  /** Origin and base path that browsers use to reach the relay. */
  publicUrl: string;
  /** SMTP connection URL; undefined writes mail as `.eml` files instead. */
  smtpUrl: string | undefined;
  mailFrom: string | undefined;
  firmName: string | undefined;
  firmNotifyEmail: string | undefined;
  /** Lifetime of a temporary password from a portal invitation, in hours. */
  inviteValidHours: number;
  logLevel: LogLevel;
  /** Largest WebSocket frame accepted, in bytes. */
  maxMessageBytes: number;
  maxDocsPerConnection: number;
  maxConnectionsPerAccount: number;
  /** Time a doc stays in memory after its last connection left, in ms. */
  docIdleMs: number;
  /** Online payment provider secrets; none set turns payments off. */
  payments: PaymentSettings;
  /** Largest accepted file upload, in bytes. */
  maxUploadBytes: number;
  /**
   * Age in ms after which a blob that no record references is removed, and
   * an unfinished resumable upload is abandoned.
   */
  blobGraceMs: number;
}

/** Thrown by `loadConfig`; the message names every invalid variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const integer = (min: number, max: number) =>
  z.coerce.number().int().min(min).max(max);

const optionalText = z.string().trim().min(1).optional();

const envSchema = z.object({
  PORT: integer(0, 65535).default(8080),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().trim().min(1).default('./data'),
  PUBLIC_URL: z
    .url({ protocol: /^https?$/, message: 'must be an http or https URL' })
    .optional(),
  SMTP_URL: z
    .url({ protocol: /^smtps?$/, message: 'must be an smtp or smtps URL' })
    .optional(),
  MAIL_FROM: optionalText,
  FIRM_NAME: optionalText,
  FIRM_NOTIFY_EMAIL: z.email().optional(),
  INVITE_VALID_HOURS: integer(1, 90 * 24).default(7 * 24),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  MAX_MESSAGE_BYTES: integer(1024, 1024 * MIB).default(32 * MIB),
  MAX_DOCS_PER_CONNECTION: integer(1, 1_000_000).default(2000),
  MAX_CONNECTIONS_PER_ACCOUNT: integer(1, 1_000_000).default(50),
  DOC_IDLE_MS: integer(0, 24 * 60 * 60 * 1000).default(30_000),
  STRIPE_SECRET_KEY: optionalText,
  STRIPE_WEBHOOK_SECRET: optionalText,
  STRIPE_API_BASE: optionalText,
  MAX_UPLOAD_BYTES: integer(0, Number.MAX_SAFE_INTEGER).default(2 * 1024 * MIB),
  BLOB_GRACE_MS: integer(0, 365 * DAY_MS).default(DAY_MS),
});

type EnvName = keyof z.infer<typeof envSchema>;
const ENV_NAMES = Object.keys(envSchema.shape) as EnvName[];

/**
 * Builds the relay configuration from environment variables. Empty strings
 * count as unset. Throws `ConfigError` naming each invalid variable.
 */
export function loadConfig(
  env: Readonly<Record<string, string | undefined>>,
): RelayConfig {
  const result = envSchema.safeParse(pickSetVariables(env));
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${issue.path.join('.')}: ${issue.message}`,
    );
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  const values = result.data;
  const publicUrl =
    values.PUBLIC_URL ?? `http://${hostForUrl(values.HOST)}:${values.PORT}`;
  return {
    port: values.PORT,
    host: values.HOST,
    dataDir: path.resolve(values.DATA_DIR),
    publicUrl: publicUrl.replace(/\/+$/, ''),
    smtpUrl: values.SMTP_URL,
    mailFrom: values.MAIL_FROM,
    firmName: values.FIRM_NAME,
    firmNotifyEmail: values.FIRM_NOTIFY_EMAIL,
    inviteValidHours: values.INVITE_VALID_HOURS,
    logLevel: values.LOG_LEVEL,
    maxMessageBytes: values.MAX_MESSAGE_BYTES,
    maxDocsPerConnection: values.MAX_DOCS_PER_CONNECTION,
    maxConnectionsPerAccount: values.MAX_CONNECTIONS_PER_ACCOUNT,
    docIdleMs: values.DOC_IDLE_MS,
    payments: checkedPaymentSettings({
      stripeSecretKey: values.STRIPE_SECRET_KEY,
      stripeWebhookSecret: values.STRIPE_WEBHOOK_SECRET,
      stripeApiBase: values.STRIPE_API_BASE,
    }),
    maxUploadBytes: values.MAX_UPLOAD_BYTES,
    blobGraceMs: values.BLOB_GRACE_MS,
  };
}

function pickSetVariables(
  env: Readonly<Record<string, string | undefined>>,
): Partial<Record<EnvName, string>> {
  const picked: Partial<Record<EnvName, string>> = {};
  for (const name of ENV_NAMES) {
    const value = env[name];
    if (value !== undefined && value !== '') picked[name] = value;
  }
  return picked;
}

/** Raises `ConfigError` for payment settings the provider cannot use. */
function checkedPaymentSettings(settings: PaymentSettings): PaymentSettings {
  try {
    createPaymentProvider(settings);
  } catch (error) {
    if (!(error instanceof PaymentSettingsError)) throw error;
    throw new ConfigError(`Invalid configuration: ${error.message}`);
  }
  return settings;
}

/** Wraps an IPv6 literal in brackets so it can stand in a URL. */
function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
