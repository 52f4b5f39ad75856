// One message → one HTTP request per channel type, with the service's signing, and the sending.
// What the message says and how it is fitted is lib/alerts/format.ts; what an answer means is
// lib/alerts/answers.ts; keeping credentials out of it all is lib/alerts/redact.ts.
//
// Signing, as each service documents it:
// - webhook (Thaw's own): POST JSON {"id","rule","run":{"id","taskId","taskName","strategy","status"},
//   "message","url"}; with a secret, header `X-Thaw-Signature: sha256=<hex HMAC-SHA256(secret, body)>`
//   (the GitHub-webhook convention) and `X-Thaw-Alert-Id`.
// - slack: incoming webhook, POST {"text", "mrkdwn": false}; no signature
//   (https://api.slack.com/messaging/webhooks).
// - feishu / Lark custom bot: POST {"msg_type":"text","content":{"text":"..."}}; with signature
//   verification on, the body also carries "timestamp" (seconds) and "sign" = base64(HMAC-SHA256 keyed
//   with `${timestamp}\n${secret}` over an empty message)
//   (https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot).
// - dingtalk robot: POST {"msgtype":"markdown","markdown":{"title","text"},"msgUuid"}; with 加签 on,
//   the URL gets `timestamp` (milliseconds) and `sign` = urlencode(base64(HMAC-SHA256 keyed with the
//   secret over `${timestamp}\n${secret}`)) (https://open.dingtalk.com/document/robots/customize-robot-security-settings).
//   `msgUuid` is the message's stable key: the same alert (or digest) sent again after a timeout
//   carries the same one, so DingTalk posts it once. (The field is the one the requirements name; the
//   DingTalk pages reachable when this was written do not list it: should the robot ignore it, a
//   repeat after a timeout may post twice, which is the at-least-once the outbox promises anyway.)
// - wecom group robot: POST {"msgtype":"markdown","markdown":{"content":"..."}}; the key in the URL is
//   the only credential, no signature (https://developer.work.weixin.qq.com/document/path/91770).
import { createHmac } from 'node:crypto';
import { classifyAnswer, type Outcome } from './answers';
import type { AlertChannel } from './config';
import { renderAlert, type AlertPayload } from './format';
import { redactThenCut } from './redact';

export type { AlertPayload } from './format';

export interface OutgoingRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export function feishuSign(secret: string, timestampSeconds: number): string {
  return createHmac('sha256', `${timestampSeconds}\n${secret}`).update('').digest('base64');
}

export function dingtalkSign(secret: string, timestampMs: number): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
}

export function webhookSignature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * The request for a rendered message body on one channel (pure but for `nowMs`). `key` identifies
 * the message across retries (an alert's id, or a digest's key).
 */
export function buildRequest(channel: AlertChannel, body: Record<string, unknown>, key: string, nowMs: number): OutgoingRequest {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', 'User-Agent': 'thaw-alerts' };
  switch (channel.type) {
    case 'webhook': {
      const text = JSON.stringify(body);
      headers['X-Thaw-Alert-Id'] = key;
      if (channel.secret) headers['X-Thaw-Signature'] = webhookSignature(channel.secret, text);
      return { url: channel.url, headers, body: text };
    }
    case 'slack':
    case 'wecom':
      return { url: channel.url, headers, body: JSON.stringify(body) };
    case 'feishu': {
      if (!channel.secret) return { url: channel.url, headers, body: JSON.stringify(body) };
      const timestamp = Math.floor(nowMs / 1000);
      return {
        url: channel.url,
        headers,
        body: JSON.stringify({ timestamp: String(timestamp), sign: feishuSign(channel.secret, timestamp), ...body }),
      };
    }
    case 'dingtalk': {
      const text = JSON.stringify({ ...body, msgUuid: key });
      if (!channel.secret) return { url: channel.url, headers, body: text };
      const url = new URL(channel.url);
      url.searchParams.set('timestamp', String(nowMs));
      url.searchParams.set('sign', dingtalkSign(channel.secret, nowMs));
      return { url: url.toString(), headers, body: text };
    }
  }
}

/** How much of an answer's body is read (an error page can be large; what matters is at its start). */
const MAX_ANSWER_BYTES = 64 * 1024;

async function readSome(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < MAX_ANSWER_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return new TextDecoder().decode(Buffer.concat(chunks).subarray(0, MAX_ANSWER_BYTES));
}

export interface SendResult {
  ok: boolean;
  outcome: Outcome;
  httpStatus: number | null;
  /** What to show and store: the outcome's reason, redacted first, then cut (never the reverse). */
  answer: string;
  /** The caller's `signal` stopped the request (shutting down): it says nothing about the channel. */
  aborted?: boolean;
}

/** Sends one request and says what its answer means. Never throws; nothing it returns holds a credential. */
export async function sendRequest(
  channel: AlertChannel,
  request: OutgoingRequest,
  options: { timeoutMs?: number; nowMs?: number; signal?: AbortSignal } = {},
): Promise<SendResult> {
  const nowMs = options.nowMs ?? Date.now();
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 10_000);
  let outcome: Outcome;
  let httpStatus: number | null = null;
  try {
    const response = await fetch(request.url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      signal: options.signal ? AbortSignal.any([timeout, options.signal]) : timeout,
      redirect: 'error',
    });
    httpStatus = response.status;
    // The raw body decides (a code such as 123456 may look like a piece of a token); the reason
    // built from it is redacted as a whole below, before it is cut, stored or shown.
    const body = await readSome(response);
    outcome = classifyAnswer(channel.type, { status: response.status, headers: response.headers, body }, nowMs);
  } catch (error) {
    if (options.signal?.aborted)
      return { ok: false, outcome: { kind: 'retry', reason: 'stopped' }, httpStatus, answer: 'stopped', aborted: true };
    const cause = (error as { cause?: unknown }).cause;
    const timedOut = timeout.aborted;
    const detail = timedOut
      ? `no answer within ${Math.round((options.timeoutMs ?? 10_000) / 1000)} s`
      : error instanceof Error
        ? `${error.message}${cause instanceof Error ? `: ${cause.message}` : ''}`
        : String(error);
    outcome = classifyAnswer(channel.type, { status: null, headers: null, body: '', error: detail }, nowMs);
  }
  const answer = outcome.kind === 'delivered' ? 'ok' : redactThenCut(outcome.reason, channel);
  return { ok: outcome.kind === 'delivered', outcome, httpStatus, answer };
}

/** One alert to one channel now (`thaw alerts test`): rendered, fitted, signed, sent. */
export async function sendAlert(channel: AlertChannel, alert: AlertPayload, timeoutMs = 10_000): Promise<SendResult> {
  const rendered = renderAlert(channel, alert);
  if (!rendered.ok)
    return { ok: false, outcome: { kind: 'permanent', reason: rendered.reason }, httpStatus: null, answer: rendered.reason };
  const nowMs = Date.now();
  return sendRequest(channel, buildRequest(channel, rendered.body, alert.id, nowMs), { timeoutMs, nowMs });
}
