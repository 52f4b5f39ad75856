// What each chat service accepts, as its documentation states it, and the budget Thaw keeps under it.
// One table, used by the formatter (size), the delivery worker (budget, throttle windows) and the
// README. Sources (checked when this was written):
//
// - WeCom (企业微信) group robot, https://developer.work.weixin.qq.com/document/path/91770:
//   markdown `content` "最长不超过4096个字节，必须是utf8编码", text `content` "最长不超过2048个字节";
//   "每个机器人发送的消息不能超过20条/分钟". Over the limit WeCom answers HTTP 200 with errcode 45009
//   ("api freq out of limit", global codes https://developer.work.weixin.qq.com/document/path/90455)
//   and an oversize markdown with errcode 40058 ("markdown.content exceed max length 4096").
// - Feishu/Lark custom bot, https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot:
//   "单租户单机器人 100 次/分钟，5 次/秒" (else code 11232), "请求体的数据大小不能超过 20 KB".
//   Feishu's OpenAPI rate limiting (https://open.feishu.cn/document/server-docs/api-call-guide/frequency-control)
//   answers HTTP 429 (older APIs 400) with code 99991400 and `x-ogw-ratelimit-reset: <seconds>`.
// - DingTalk custom robot, https://open.dingtalk.com/document/robots/custom-robot-access:
//   "每个机器人每分钟最多发送20条消息到群里，如果超过20条，会限流10分钟" (errcode 410100,
//   "发送速度太快而限流"; older answers say 130101 "send too fast, exceed 20 times per minute").
//   No size limit is documented for markdown; Thaw keeps it to WeCom's 4,096 bytes.
// - Slack incoming webhooks, https://api.slack.com/docs/rate-limits: "Posting messages: 1 per
//   second. Short bursts >1 allowed"; over it HTTP 429 with `Retry-After: <seconds>`. Text over
//   40,000 characters is truncated (https://api.slack.com/changelog/2018-04-truncating-really-long-messages).
// - webhook: Thaw's own JSON; no vendor limit. Thaw keeps the message under 64 KiB and honours a
//   429/503 `Retry-After` from the receiver.
import type { ChannelType } from './config';

export interface RateWindow {
  /** Requests allowed per window. */
  requests: number;
  /** Window length, already including Thaw's margin past the documented one. */
  windowMs: number;
}

export interface ChannelLimits {
  /** How the size limit is counted and what it applies to. */
  size: { unit: 'bytes' | 'characters'; max: number; of: string };
  /** Budgets Thaw keeps (all must hold); empty: none. */
  budget: readonly RateWindow[];
  /** How long the service throttles once its limit is hit, when it says so only in its docs. */
  throttleMs: number;
  /** Human summary for `thaw alerts test` and the README. */
  summary: string;
}

/** Thaw sends no closer to a documented window edge than this. */
export const WINDOW_MARGIN_MS = 1_000;

const minute = 60_000 + WINDOW_MARGIN_MS;

export const CHANNEL_LIMITS: Record<ChannelType, ChannelLimits> = {
  webhook: {
    size: { unit: 'bytes', max: 64 * 1024, of: 'the `message` field' },
    budget: [],
    throttleMs: 60_000,
    summary: 'no vendor limit; message up to 64 KiB; Retry-After honoured',
  },
  slack: {
    size: { unit: 'characters', max: 40_000, of: 'the `text` field after escaping' },
    budget: [{ requests: 1, windowMs: 1_000 + WINDOW_MARGIN_MS / 2 }],
    throttleMs: 60_000,
    summary: 'text up to 40,000 characters; 1 message per second; 429 Retry-After honoured',
  },
  feishu: {
    size: { unit: 'bytes', max: 20_000, of: 'the whole JSON request body' },
    budget: [
      { requests: 5, windowMs: 1_000 + WINDOW_MARGIN_MS / 2 },
      { requests: 100, windowMs: minute },
    ],
    throttleMs: minute,
    summary: 'request body up to 20 KB; 5 per second and 100 per minute; code 11232 waits out the minute',
  },
  dingtalk: {
    size: { unit: 'bytes', max: 4_096, of: 'markdown `text` (undocumented; WeCom’s limit)' },
    budget: [{ requests: 20, windowMs: minute }],
    throttleMs: 10 * 60_000 + 5_000,
    summary: 'markdown up to 4,096 bytes; 20 per minute; errcode 410100 waits the 10-minute throttle out',
  },
  wecom: {
    size: { unit: 'bytes', max: 4_096, of: 'markdown `content`' },
    budget: [{ requests: 20, windowMs: minute }],
    throttleMs: minute,
    summary: 'markdown up to 4,096 bytes; 20 per minute; errcode 45009 waits out the minute',
  },
};

/** A Retry-After (or similar) longer than this is capped: a bad header must not silence a channel for days. */
export const MAX_RETRY_AFTER_MS = 60 * 60_000;
