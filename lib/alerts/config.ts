// thaw-alerts.yaml: the alert channels, validated with zod. The file lives in the working directory
// by default; THAW_ALERTS (lib/env.ts) moves it. A missing file means "no channels" (alerts are still
// recorded); a file that does not validate is a ConfigError naming each bad field — by line and
// column or field path, never by quoting the file: its lines hold channel tokens and secrets.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ALERT_RULES, DEFAULT_ALERT_RULES, type AlertRule } from '../analysis/alerts';
import { formatIssues, getEnv } from '../env';
import { ConfigError, errorMessage } from '../errors';
import { credentialsInConfigText, redactCredentials } from './redact';
import { cutEnd } from './text';

export const CHANNEL_TYPES = ['webhook', 'slack', 'feishu', 'dingtalk', 'wecom'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

const channelSchema = z
  .object({
    name: z.string({ error: 'a channel name' }).min(1, 'a non-empty channel name'),
    type: z.enum(CHANNEL_TYPES, { error: `one of ${CHANNEL_TYPES.join(', ')}` }),
    url: z
      .string({ error: 'an http(s) URL' })
      .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), 'an http(s) URL'),
    secret: z.string().min(1, 'a non-empty secret (or leave it out)').optional(),
    rules: z
      .array(z.enum(ALERT_RULES, { error: `a rule: one of ${ALERT_RULES.join(', ')}` }))
      .min(1, 'at least one rule (or leave `rules` out for the default)')
      .optional(),
    tasks: z.array(z.number({ error: 'a task id number' }).int('a whole task id')).optional(),
  })
  .strict();

const configSchema = z
  .object({ channels: z.array(channelSchema, { error: 'a list of channels' }) })
  .strict()
  .refine((config) => new Set(config.channels.map((c) => c.name)).size === config.channels.length, {
    message: 'unique channel names',
    path: ['channels'],
  });

export interface AlertChannel {
  name: string;
  type: ChannelType;
  url: string;
  secret: string | null;
  rules: readonly AlertRule[];
  tasks: readonly number[] | null;
}

export interface AlertsConfig {
  file: string;
  /** False when the file does not exist (no channels). */
  found: boolean;
  channels: AlertChannel[];
}

/**
 * A YAML syntax error as line, column and what is wrong. The parser's own message ends with a code
 * frame quoting the offending lines (a `url:` line holds the channel's token): only its first
 * sentence is kept, without the frame.
 */
function yamlProblem(error: unknown): string {
  const { linePos, code } = error as { linePos?: { line: number; col: number }[]; code?: string };
  const what = errorMessage(error)
    .split('\n')[0]!
    .replace(/ at line \d+, column \d+:?\s*$/, '');
  const where = linePos?.[0] ? `line ${linePos[0].line}, column ${linePos[0].col}: ` : '';
  return `${where}${what}${code ? ` (${code})` : ''}`;
}

/** Parses the YAML text of an alerts file; throws ConfigError with one line per problem, no secret in it. */
export function parseAlertsConfig(text: string, file: string): AlertChannel[] {
  // Whatever the error says, the values of `url:` and `secret:` lines (and their tokens) are hidden.
  const hide = (message: string) => redactCredentials(message, credentialsInConfigText(text));
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new ConfigError(hide(`${file}: not valid YAML at ${yamlProblem(error)}`));
  }
  const result = configSchema.safeParse(raw ?? { channels: [] });
  if (!result.success) {
    throw new ConfigError(
      hide(`${file} is not a valid alerts file:\n${formatIssues(result.error.issues, (key) => cutEnd(key || '(top level)', 80))}`),
    );
  }
  return result.data.channels.map((c) => ({
    name: c.name,
    type: c.type,
    url: c.url,
    secret: c.secret ?? null,
    rules: c.rules ?? DEFAULT_ALERT_RULES,
    tasks: c.tasks ?? null,
  }));
}

export function alertsConfigPath(): string {
  return path.resolve(getEnv().THAW_ALERTS);
}

/** Reads THAW_ALERTS (default ./thaw-alerts.yaml). */
export async function loadAlertsConfig(file: string = alertsConfigPath()): Promise<AlertsConfig> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { file, found: false, channels: [] };
    throw new ConfigError(`cannot read the alerts file ${file}: ${errorMessage(error)}`);
  }
  return { file, found: true, channels: parseAlertsConfig(text, file) };
}

/** Whether a channel wants an alert of this rule for this task. */
export function channelWants(channel: AlertChannel, rule: string, taskId: number | null): boolean {
  if (!channel.rules.includes(rule as AlertRule)) return false;
  return channel.tasks === null || (taskId !== null && channel.tasks.includes(taskId));
}
