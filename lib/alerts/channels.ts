// One alert → one HTTP request per channel type, with the service's signing, and the sending itself.
//
// Payload shapes and signing, as each service documents them:
// - webhook (Thaw's own): POST JSON {"id","rule","run":{"id","taskId","taskName","strategy","status"},
//   "message","url"}; with a secret, header `X-Thaw-Signature: sha256=<hex HMAC-SHA256(secret, body)>`
//   (the GitHub-webhook convention) and `X-Thaw-Alert-Id`.
// - slack: incoming webhook, POST {"text": "..."} (mrkdwn); no signature
//   (https://api.slack.com/messaging/webhooks).
// - feishu / Lark custom bot: POST {"msg_type":"text","content":{"text":"..."}}; with signature
//   verification on, the body also carries "timestamp" (seconds) and "sign" = base64(HMAC-SHA256 keyed
//   with `${timestamp}\n${secret}` over an empty message)
//   (https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot).
// - dingtalk robot: POST {"msgtype":"markdown","markdown":{"title","text"}}; with 加签 on, the URL gets
//   `timestamp` (milliseconds) and `sign` = urlencode(base64(HMAC-SHA256 keyed with the secret over
//   `${timestamp}\n${secret}`)) (https://open.dingtalk.com/document/robots/customize-robot-security-settings).
// - wecom group robot: POST {"msgtype":"markdown","markdown":{"content":"..."}}; the key in the URL is
//   the only credential, no signature (https://developer.work.weixin.qq.com/document/path/91770).
//
// Secrets: channel URLs (which hold tokens) and secrets never leave this module in an error or a
// result; `redact` strips them from whatever the network layer says.
import { createHmac } from 'node:crypto';
import type { AlertChannel } from './config';

export interface AlertPayload {
  id: string;
  rule: string;
  run: { id: number; taskId: number | null; taskName: string | null; strategy: string | null; status: string };
  message: string;
  url: string | null;
}

export interface OutgoingRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

function title(alert: AlertPayload): string {
  const task = alert.run.taskId === null ? '' : ` task ${alert.run.taskId}${alert.run.taskName ? ` (${alert.run.taskName})` : ''}`;
  return `Thaw: run ${alert.run.id}${task} ${alert.rule}`;
}

function plainText(alert: AlertPayload): string {
  const lines = [title(alert), alert.message];
  if (alert.run.strategy) lines.push(`Strategy: ${alert.run.strategy}`);
  lines.push(`Status: ${alert.run.status}`);
  if (alert.url) lines.push(alert.url);
  lines.push(`Alert id: ${alert.id}`);
  return lines.join('\n');
}

function markdown(alert: AlertPayload): string {
  const lines = [`### ${title(alert)}`, '', alert.message, ''];
  if (alert.run.strategy) lines.push(`- Strategy: ${alert.run.strategy}`);
  lines.push(`- Status: ${alert.run.status}`);
  if (alert.url) lines.push(`- [Open in Thaw](${alert.url})`);
  lines.push(`- Alert id: ${alert.id}`);
  return lines.join('\n');
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

/** The request for one alert on one channel (pure but for `now`). */
export function buildRequest(channel: AlertChannel, alert: AlertPayload, now: Date = new Date()): OutgoingRequest {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', 'User-Agent': 'thaw-alerts' };
  switch (channel.type) {
    case 'webhook': {
      const body = JSON.stringify(alert);
      headers['X-Thaw-Alert-Id'] = alert.id;
      if (channel.secret) headers['X-Thaw-Signature'] = webhookSignature(channel.secret, body);
      return { url: channel.url, headers, body };
    }
    case 'slack':
      return { url: channel.url, headers, body: JSON.stringify({ text: plainText(alert) }) };
    case 'feishu': {
      const content = { msg_type: 'text', content: { text: plainText(alert) } };
      if (!channel.secret) return { url: channel.url, headers, body: JSON.stringify(content) };
      const timestamp = Math.floor(now.getTime() / 1000);
      return {
        url: channel.url,
        headers,
        body: JSON.stringify({ timestamp: String(timestamp), sign: feishuSign(channel.secret, timestamp), ...content }),
      };
    }
    case 'dingtalk': {
      const body = JSON.stringify({ msgtype: 'markdown', markdown: { title: title(alert), text: markdown(alert) } });
      if (!channel.secret) return { url: channel.url, headers, body };
      const url = new URL(channel.url);
      const timestamp = now.getTime();
      url.searchParams.set('timestamp', String(timestamp));
      url.searchParams.set('sign', dingtalkSign(channel.secret, timestamp));
      return { url: url.toString(), headers, body };
    }
    case 'wecom':
      return { url: channel.url, headers, body: JSON.stringify({ msgtype: 'markdown', markdown: { content: markdown(alert) } }) };
  }
}

export interface SendResult {
  ok: boolean;
  httpStatus: number | null;
  /** The receiver's answer (first 300 characters), or the redacted network error. */
  answer: string;
}

/** Removes the channel's URL (and its parts that hold tokens) and secret from a message. */
export function redact(text: string, channel: AlertChannel): string {
  let out = text;
  const secrets = [channel.url, channel.secret ?? ''];
  if (URL.canParse(channel.url)) {
    const url = new URL(channel.url);
    secrets.push(url.pathname.length > 1 ? url.pathname : '', url.search, ...[...url.searchParams.values()]);
  }
  for (const secret of secrets.filter((s) => s.length >= 4).sort((a, b) => b.length - a.length)) out = out.split(secret).join('[redacted]');
  return out;
}

/**
 * Chat services answer HTTP 200 with an error code in the body (Feishu `code`, DingTalk/WeCom
 * `errcode`): a non-zero one is a failed delivery.
 */
function bodyError(text: string): string | null {
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    for (const key of ['errcode', 'code', 'StatusCode']) {
      const value = parsed[key];
      const said = [parsed['errmsg'], parsed['msg'], parsed['StatusMessage']].find((text) => typeof text === 'string') ?? '';
      if (typeof value === 'number' && value !== 0) return `${key} ${value}: ${said}`;
    }
  } catch {
    // Not JSON (Slack answers "ok"): the HTTP status decides.
  }
  return null;
}

export async function sendAlert(channel: AlertChannel, alert: AlertPayload, timeoutMs = 10_000): Promise<SendResult> {
  const request = buildRequest(channel, alert);
  try {
    const response = await fetch(request.url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
    const text = redact((await response.text()).slice(0, 300), channel);
    const refused = response.ok ? bodyError(text) : null;
    return { ok: response.ok && refused === null, httpStatus: response.status, answer: refused ?? (text || response.statusText) };
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    const detail = error instanceof Error ? `${error.message}${cause instanceof Error ? `: ${cause.message}` : ''}` : String(error);
    return { ok: false, httpStatus: null, answer: redact(detail, channel) };
  }
}
