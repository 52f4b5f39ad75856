// What a channel's answer means for the delivery (pure): delivered, throttled (wait, then send
// again: not a failure), worth retrying, or hopeless (fail now with the reason instead of eight
// doomed retries). One table of vendor codes, tested by one table of cases (answers.test.ts).
//
// Sources: WeCom global error codes https://developer.work.weixin.qq.com/document/path/90455 and the
// group robot page (…/91770); Feishu custom bot https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot
// and rate limits …/server-docs/api-call-guide/frequency-control; DingTalk custom robot
// https://open.dingtalk.com/document/robots/custom-robot-access (error table of 自定义机器人发送群消息);
// Slack incoming webhooks https://api.slack.com/messaging/webhooks#handling_errors and
// https://api.slack.com/docs/rate-limits.
import type { ChannelType } from './config';
import { CHANNEL_LIMITS, MAX_RETRY_AFTER_MS } from './limits';

export type Outcome =
  | { kind: 'delivered' }
  | { kind: 'throttled'; waitMs: number; reason: string }
  | { kind: 'retry'; reason: string }
  | { kind: 'permanent'; reason: string };

export interface Answer {
  /** null: no HTTP answer (network error, timeout). */
  status: number | null;
  headers: Headers | null;
  /** The body as received (the caller redacts the outcome's reason, which may quote it). */
  body: string;
  /** For network errors: what went wrong. */
  error?: string;
}

type CodeRule = { kind: 'throttled' | 'permanent' | 'retry'; why: string };

const SECRET_HINT = 'check `secret` in thaw-alerts.yaml and this machine’s clock';
const URL_HINT = 'the robot or its token is gone: check `url` in thaw-alerts.yaml';

/** Codes in the JSON body of an HTTP 200 (DingTalk/WeCom `errcode`, Feishu `code`/`StatusCode`). */
const BODY_CODES: Partial<Record<ChannelType, Record<number, CodeRule>>> = {
  dingtalk: {
    [-1]: { kind: 'retry', why: 'DingTalk is busy' },
    410100: { kind: 'throttled', why: 'DingTalk throttles this robot for 10 minutes after 20 messages in a minute' },
    130101: { kind: 'throttled', why: 'DingTalk throttles this robot for 10 minutes after 20 messages in a minute' },
    300001: { kind: 'permanent', why: URL_HINT },
    400101: { kind: 'permanent', why: URL_HINT },
    400102: { kind: 'permanent', why: 'the robot is disabled; an admin must enable it' },
    400013: { kind: 'permanent', why: 'the group was dissolved' },
    400105: { kind: 'permanent', why: 'DingTalk refused the message type' },
    400106: { kind: 'permanent', why: 'the robot is not in the group' },
    430101: { kind: 'permanent', why: 'DingTalk refused the content (unsafe link)' },
    430102: { kind: 'permanent', why: 'DingTalk refused the content' },
    430103: { kind: 'permanent', why: 'DingTalk refused the content' },
    430104: { kind: 'permanent', why: 'DingTalk refused the content' },
  },
  wecom: {
    [-1]: { kind: 'retry', why: 'WeCom is busy' },
    45009: { kind: 'throttled', why: 'WeCom allows 20 messages a minute per robot' },
    93000: { kind: 'permanent', why: URL_HINT },
    40058: { kind: 'permanent', why: 'WeCom refused the message size' },
    40033: { kind: 'permanent', why: 'WeCom refused a character in the message' },
    40008: { kind: 'permanent', why: 'WeCom refused the message type' },
  },
  feishu: {
    11232: { kind: 'throttled', why: 'Feishu allows 5 messages a second and 100 a minute per bot' },
    99991400: { kind: 'throttled', why: 'Feishu rate limit' },
    19021: { kind: 'permanent', why: `the signature was refused: ${SECRET_HINT}` },
    19022: { kind: 'permanent', why: 'this machine’s IP address is not in the bot’s allow list' },
    19024: { kind: 'permanent', why: 'the message lacks the keyword the bot’s security settings require' },
    19001: { kind: 'permanent', why: URL_HINT },
    19007: { kind: 'permanent', why: 'the bot is disabled' },
    9499: { kind: 'permanent', why: 'Feishu refused the request as malformed' },
  },
};

/** Slack answers with a status and a plain-text error word (https://api.slack.com/messaging/webhooks#handling_errors). */
const SLACK_WORDS: Record<string, string> = {
  invalid_payload: 'Slack refused the payload',
  no_text: 'Slack refused a message without text',
  invalid_token: 'the webhook was revoked: check `url` in thaw-alerts.yaml',
  no_service: 'the webhook was revoked or disabled: check `url` in thaw-alerts.yaml',
  no_team: 'the Slack workspace is gone',
  team_disabled: 'the Slack workspace is disabled',
  channel_not_found: 'the channel is gone',
  channel_is_archived: 'the channel is archived',
  action_prohibited: 'an admin restricted posting to this channel',
  posting_to_general_channel_denied: 'only admins may post to this channel',
  user_not_found: 'the user is gone',
  too_many_attachments: 'Slack refused the attachments',
};

/** Seconds (`Retry-After: 600`) or an HTTP date, in ms from `nowMs`; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, nowMs: number): number | null {
  if (value === null || value.trim() === '') return null;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - nowMs);
}

function bodyJson(body: string): Record<string, unknown> | null {
  try {
    const parsed: unknown = JSON.parse(body);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function said(json: Record<string, unknown>): string {
  const text = [json.errmsg, json.msg, json.StatusMessage, json.message].find((v) => typeof v === 'string');
  return typeof text === 'string' ? text : '';
}

/**
 * How long a throttle lasts: past the window, never before it. A plain HTTP 429/503 waits what its
 * `Retry-After` (Feishu: `x-ogw-ratelimit-reset`) says, plus a second; a vendor throttling code
 * waits the larger of that and the documented window. Capped at MAX_RETRY_AFTER_MS.
 */
function throttleWait(type: ChannelType, answer: Answer, nowMs: number, vendorCode: boolean): number {
  const header =
    parseRetryAfter(answer.headers?.get('retry-after') ?? null, nowMs) ??
    parseRetryAfter(answer.headers?.get('x-ogw-ratelimit-reset') ?? null, nowMs);
  const told = header === null ? null : header + 1_000;
  const documented = CHANNEL_LIMITS[type].throttleMs;
  const wait = vendorCode ? Math.max(documented, told ?? 0) : (told ?? documented);
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(1_000, wait));
}

/** The outcome of one request on a channel of this type. */
export function classifyAnswer(type: ChannelType, answer: Answer, nowMs: number): Outcome {
  if (answer.status === null) return { kind: 'retry', reason: answer.error ?? 'no answer' };
  const status = answer.status;
  const json = bodyJson(answer.body);
  const shown = answer.body.trim() || `HTTP ${status}`;
  if (status === 429 || (status === 503 && answer.headers?.get('retry-after'))) {
    const wait = throttleWait(type, answer, nowMs, false);
    return { kind: 'throttled', waitMs: wait, reason: `rate limited (HTTP ${status}); waiting ${Math.round(wait / 1000)} s: ${shown}` };
  }
  // Feishu: vendor code in the body of a 200 (or, for its OpenAPI limit, a 400).
  const code = json ? [json.errcode, json.code, json.StatusCode].find((v) => typeof v === 'number' && v !== 0) : undefined;
  if (typeof code === 'number') {
    const rule = BODY_CODES[type]?.[code];
    const text = `${type} ${code}${said(json!) ? ` ${said(json!)}` : ''}`;
    // DingTalk 310000 covers three security checks; its errmsg says which.
    if (type === 'dingtalk' && code === 310000) {
      const msg = said(json!).toLowerCase();
      const why = msg.includes('sign')
        ? `the signature was refused: ${SECRET_HINT}`
        : msg.includes('keyword')
          ? 'the message lacks the keyword the robot’s security settings require'
          : msg.includes('ip')
            ? 'this machine’s IP address is not in the robot’s allow list'
            : 'a security setting of the robot refused the message';
      return { kind: 'permanent', reason: `${text}: ${why}` };
    }
    if (rule?.kind === 'throttled') {
      const waitMs = throttleWait(type, answer, nowMs, true);
      return { kind: 'throttled', waitMs, reason: `${text}: ${rule.why}; waiting ${Math.round(waitMs / 1000)} s` };
    }
    if (rule) return { kind: rule.kind, reason: `${text}: ${rule.why}` };
    // An unknown code: tell it as it is and try again later (it may be transient).
    return { kind: 'retry', reason: text };
  }
  if (status >= 200 && status < 300) return { kind: 'delivered' };
  if (type === 'slack') {
    const word = answer.body.trim();
    if (word in SLACK_WORDS) return { kind: 'permanent', reason: `slack ${status} ${word}: ${SLACK_WORDS[word]}` };
  }
  if (status === 408 || status === 425 || status >= 500) return { kind: 'retry', reason: `HTTP ${status}: ${shown}` };
  if (status === 401 || status === 403 || status === 404 || status === 410)
    return { kind: 'permanent', reason: `HTTP ${status}: ${shown} (the receiver refuses this URL: check \`url\` in thaw-alerts.yaml)` };
  if (status === 413) return { kind: 'permanent', reason: `HTTP 413: ${shown} (the receiver refuses the message size)` };
  if (status >= 400) return { kind: 'permanent', reason: `HTTP ${status}: ${shown}` };
  return { kind: 'retry', reason: `HTTP ${status}: ${shown}` };
}
