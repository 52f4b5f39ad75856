// The one place where Thaw reads process.env. Every variable is validated here with zod, and a bad
// value fails fast with a message naming the variable and the form it expects.
import { z } from 'zod';
import { ConfigError } from './errors';

const port = z.coerce
  .number({ error: 'a port number' })
  .int('a whole port number')
  .min(1, 'a port from 1 to 65535')
  .max(65535, 'a port from 1 to 65535');

const postgresUrl = z
  .string()
  .refine((value) => /^postgres(ql)?:\/\/.+/.test(value), 'a postgresql://user:password@host:port/db URL')
  .refine((value) => URL.canParse(value), 'a valid URL (percent-encode special characters in the password)');

const positiveMinutes = z.coerce
  .number({ error: 'a number of minutes' })
  .positive('a positive number of minutes')
  .max(60 * 24 * 365, 'at most a year of minutes');

/**
 * The name a machine's log files are recorded under (LogSource.host; the identity of a file is host +
 * device + inode + first bytes). `thaw ingest --hostname` and THAW_HOSTNAME; default: the OS host name.
 */
export const hostLabel = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'a host name like gpu-box-3 (letters, digits, ".", "_", "-"; at most 63 characters)');

const envSchema = z.object({
  /** External PostgreSQL (any version ≥ 14). Unset: Thaw runs an embedded PostgreSQL. */
  DATABASE_URL: postgresUrl.optional(),
  /** Where the embedded database and other state live. */
  THAW_DATA_DIR: z.string().min(1, 'a directory path').default('.thaw'),
  /** Port for the embedded PostgreSQL; unset: the first free port from 54329. */
  THAW_PG_PORT: port.optional(),
  /**
   * As root, when the `postgres` user cannot reach node_modules or THAW_DATA_DIR (a checkout under a
   * 0700 directory): where the embedded PostgreSQL's staged binaries and data live instead.
   */
  THAW_SHARED_DIR: z.string().min(1, 'a directory path').default('/var/lib/thaw'),
  /** Web UI bind address and port (the CLI flags --host/--port override them). */
  THAW_HOST: z.string().min(1, 'a host name or IP address').default('127.0.0.1'),
  THAW_PORT: port.default(3000),
  /** Required when binding anywhere but loopback: every page and API call must present it. */
  THAW_TOKEN: z.string().min(16, 'a secret of at least 16 characters').optional(),
  /** Log directories or globs to watch, separated by commas (the CLI flag --logs overrides). */
  THAW_LOGS: z.string().min(1, 'one or more directories or globs, comma-separated').default('./logs'),
  /** This machine's name for the files it ingests (see hostLabel); unset: the OS host name. */
  THAW_HOSTNAME: hostLabel.optional(),
  /** A running run with no new line for this long is marked stale. */
  THAW_STALE_MINUTES: positiveMinutes.default(10),
  /** Tuning: events per ingest transaction during a backfill (smaller = more, shorter commits). */
  THAW_INGEST_BATCH_EVENTS: z.coerce
    .number({ error: 'a whole number of events' })
    .int('a whole number of events')
    .min(1, 'at least 1 event')
    .default(50_000),
  /** The alert channels file; missing file = no channels. */
  THAW_ALERTS: z.string().min(1, 'a file path').default('thaw-alerts.yaml'),
  /** The address people open Thaw at, for links in alerts, e.g. https://thaw.lab.example:3000 (no trailing path). */
  THAW_PUBLIC_URL: z
    .string()
    .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), 'an http(s) URL like http://gpu-box:3000')
    .optional(),
  THAW_LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
});

export type Env = z.infer<typeof envSchema>;

/** Validate an environment (process.env by default). Throws ConfigError naming every bad variable. */
export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  // Empty strings mean "unset" (a common result of `VAR= thaw start`).
  const present = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ''));
  const result = envSchema.safeParse(present);
  if (result.success) return result.data;
  throw new ConfigError(formatIssues(result.error.issues, (path) => path, present));
}

/**
 * One line per bad setting: "THAW_PORT: expected a port from 1 to 65535 (got "99999")".
 * `label` turns an issue path into the name the user typed (an env var or a --flag).
 */
export function formatIssues(
  issues: readonly z.core.$ZodIssue[],
  label: (path: string) => string,
  given?: Record<string, unknown>,
): string {
  return issues
    .map((issue) => {
      const key = issue.path.join('.');
      const value = given?.[key];
      const got = value === undefined ? '' : ` (got ${JSON.stringify(value)})`;
      return `${label(key)}: expected ${issue.message}${got}`;
    })
    .join('\n');
}

/**
 * Settings the composition root (cli/) decides at run time, e.g. DATABASE_URL of the embedded server,
 * handed to everything in this process explicitly instead of by writing process.env. Kept on
 * globalThis because the web server's bundle (.next/server) has its own copy of this module.
 */
type Overrides = Partial<Record<keyof Env, string>>;
const OVERRIDES = Symbol.for('thaw.env.overrides');
const holder = globalThis as { [OVERRIDES]?: { values: Overrides; env?: Env } };

function state(): { values: Overrides; env?: Env } {
  return (holder[OVERRIDES] ??= { values: {} });
}

/** The validated environment (process.env plus the overrides), read once. */
export function getEnv(): Env {
  const current = state();
  current.env ??= parseEnv({ ...process.env, ...current.values });
  return current.env;
}

/** Sets run-time settings for this whole process (the CLI after the embedded database has started). */
export function setEnvOverrides(values: Overrides): void {
  const current = state();
  current.values = { ...current.values, ...values };
  current.env = undefined;
}

/** The environment for a child process: this process's own, plus what the caller sets. */
export function childEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...extra };
}
