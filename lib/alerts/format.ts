// What an alert (or a digest of several) says on each channel, escaped for its format and fitted to
// its documented size (lib/alerts/limits.ts). Pure. Only the free text (the alert's message: a
// crash's error line) is shortened, in the middle; the rule, run, task, strategy, status, link and
// alert id always stay. lib/alerts/channels.ts adds signatures and sends.
import type { AlertChannel, ChannelType } from './config';
import { CHANNEL_LIMITS } from './limits';
import { cleanText, cutEnd, cutMiddle, escapeMarkdown, escapeSlack, utf8Bytes } from './text';

export interface AlertPayload {
  id: string;
  rule: string;
  run: { id: number; taskId: number | null; taskName: string | null; strategy: string | null; status: string };
  message: string;
  url: string | null;
}

export type Rendered = { ok: true; body: Record<string, unknown>; cut: boolean } | { ok: false; reason: string };

function taskLabel(alert: AlertPayload): string {
  return alert.run.taskId === null ? '' : `task ${alert.run.taskId}${alert.run.taskName ? ` (${cleanText(alert.run.taskName)})` : ''}`;
}

function titleText(alert: AlertPayload): string {
  return ['Thaw:', `run ${alert.run.id}`, taskLabel(alert), alert.rule].filter(Boolean).join(' ');
}

function factsLines(alert: AlertPayload): string[] {
  const lines: string[] = [];
  if (alert.run.strategy) lines.push(`Strategy: ${cleanText(alert.run.strategy)}`);
  lines.push(`Status: ${cleanText(alert.run.status)}`);
  return lines;
}

/** A URL as a markdown link target: the characters that end or break one are percent-encoded. */
function markdownUrl(url: string): string {
  return url.replace(/[()<> \\]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/**
 * Markdown for DingTalk and WeCom: `&`, `<`, `>` as entities (so WeCom's `<@userid>` mention syntax
 * and HTML-like tags such as `<font>` cannot be formed from an error line; CommonMark decodes them
 * back to the character), everything else that is markup backslash-escaped.
 */
function md(text: string, lineBreak = '\n'): string {
  return escapeMarkdown(text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'), lineBreak).replace(
    /\\&(amp|lt|gt);/g,
    '&$1;',
  );
}

/**
 * Feishu text messages turn `<at user_id="all">` into an @-mention of everyone; the `<` of any
 * `<at` in free text becomes a full-width ＜ (U+FF1C), which Feishu shows as text.
 */
function feishuSafe(text: string): string {
  return text.replace(/<(\s*at\b)/gi, '＜$1');
}

interface Shape {
  /** The request body for a given (already cleaned) message text. */
  body: (message: string) => Record<string, unknown>;
  /** The size the vendor's limit counts, for that body. */
  size: (body: Record<string, unknown>) => number;
}

const FEISHU_SIGNATURE = { timestamp: '0000000000', sign: 'A'.repeat(44) };

function plainLines(alert: AlertPayload, message: string): string {
  return [titleText(alert), message, ...factsLines(alert), ...(alert.url ? [alert.url] : []), `Alert id: ${alert.id}`].join('\n');
}

function markdownText(alert: AlertPayload, message: string, lineBreak: string): string {
  const lines = [`### ${md(titleText(alert))}`, '', md(message, lineBreak), ''];
  for (const fact of factsLines(alert)) lines.push(`- ${md(fact)}`);
  if (alert.url) lines.push(`- [Open in Thaw](${markdownUrl(alert.url)})`);
  lines.push(`- Alert id: ${md(alert.id)}`);
  return lines.join('\n');
}

function shapeOf(channel: Pick<AlertChannel, 'type' | 'secret'>, alert: AlertPayload): Shape {
  switch (channel.type) {
    case 'webhook':
      return {
        body: (message) => ({ id: alert.id, rule: alert.rule, run: alert.run, message, url: alert.url }),
        size: (body) => utf8Bytes(String(body.message)),
      };
    case 'slack':
      // mrkdwn off: the text is shown as typed (no *bold*, _italic_ or `code` from a traceback).
      return {
        body: (message) => ({ text: escapeSlack(plainLines(alert, message)), mrkdwn: false }),
        size: (body) => Array.from(String(body.text)).length,
      };
    case 'feishu':
      return {
        body: (message) => ({ msg_type: 'text', content: { text: feishuSafe(plainLines(alert, message)) } }),
        size: (body) => utf8Bytes(JSON.stringify(channel.secret ? { ...FEISHU_SIGNATURE, ...body } : body)),
      };
    case 'dingtalk':
      return {
        body: (message) => ({
          msgtype: 'markdown',
          markdown: { title: cutEnd(titleText(alert), 60), text: markdownText(alert, message, '  \n') },
        }),
        size: (body) => utf8Bytes((body.markdown as { text: string }).text),
      };
    case 'wecom':
      return {
        body: (message) => ({ msgtype: 'markdown', markdown: { content: markdownText(alert, message, '\n') } }),
        size: (body) => utf8Bytes((body.markdown as { content: string }).content),
      };
  }
}

function limitText(type: ChannelType): string {
  const { size } = CHANNEL_LIMITS[type];
  return `${size.max.toLocaleString('en-US')} ${size.unit} (${size.of})`;
}

/** One alert on one channel, fitted to the channel's limit; not ok when even its fixed parts do not fit. */
export function renderAlert(channel: Pick<AlertChannel, 'type' | 'secret'>, alert: AlertPayload): Rendered {
  const shape = shapeOf(channel, alert);
  const max = CHANNEL_LIMITS[channel.type].size.max;
  // The webhook's payload keeps the message as the trainer printed it (receivers are programs).
  const message = channel.type === 'webhook' ? alert.message : cleanText(alert.message);
  const fitted = cutMiddle(message, max, (candidate) => shape.size(shape.body(candidate)));
  if (fitted === null) {
    return {
      ok: false,
      reason: `the alert does not fit ${channel.type}'s limit of ${limitText(channel.type)} even with its message cut out`,
    };
  }
  return { ok: true, body: shape.body(fitted), cut: fitted !== message };
}

/**
 * How long one alert's message preview may be in a digest line (code points), longest first: the
 * longest with which the most alerts fit is used; at 0 a line keeps only the facts (rule, run,
 * task, strategy, link, id).
 */
const DIGEST_SNIPPETS = [160, 100, 60, 30, 0] as const;

function digestLine(alert: AlertPayload, snippet: number): { label: string; snippet: string } {
  const label = [alert.rule, `run ${alert.run.id}`, taskLabel(alert), alert.run.strategy ? cleanText(alert.run.strategy) : '']
    .filter(Boolean)
    .join(' · ');
  return { label, snippet: snippet === 0 ? '' : cutEnd(cleanText(alert.message).replace(/\s*\n\s*/g, ' ⏎ '), snippet) };
}

type ChatChannel = { type: Exclude<ChannelType, 'webhook'>; secret: string | null };

function digestBody(channel: ChatChannel, alerts: readonly AlertPayload[], snippet: number): Record<string, unknown> {
  const heading = `Thaw: ${alerts.length} alerts at once (one message, to stay under ${channel.type}'s rate limit)`;
  const items = alerts.map((alert) => digestLine(alert, snippet));
  switch (channel.type) {
    case 'slack':
    case 'feishu': {
      const text = [
        heading,
        ...items.map((item, i) => {
          const alert = alerts[i]!;
          return `${i + 1}. ${item.label}${item.snippet ? `: ${item.snippet}` : ''}${alert.url ? ` ${alert.url}` : ''} (alert ${alert.id})`;
        }),
      ].join('\n');
      return channel.type === 'slack'
        ? { text: escapeSlack(text), mrkdwn: false }
        : { msg_type: 'text', content: { text: feishuSafe(text) } };
    }
    case 'dingtalk':
    case 'wecom': {
      const text = [
        `### ${md(heading)}`,
        '',
        ...items.map((item, i) => {
          const alert = alerts[i]!;
          const link = alert.url ? ` [open](${markdownUrl(alert.url)})` : '';
          return `- **${md(item.label)}**${item.snippet ? `: ${md(item.snippet)}` : ''}${link} (alert ${md(alert.id)})`;
        }),
      ].join('\n');
      return channel.type === 'dingtalk'
        ? { msgtype: 'markdown', markdown: { title: cutEnd(heading, 60), text } }
        : { msgtype: 'markdown', markdown: { content: text } };
    }
  }
}

function digestSize(channel: ChatChannel, body: Record<string, unknown>): number {
  switch (channel.type) {
    case 'slack':
      return Array.from(String(body.text)).length;
    case 'feishu':
      return utf8Bytes(JSON.stringify(channel.secret ? { ...FEISHU_SIGNATURE, ...body } : body));
    case 'dingtalk':
      return utf8Bytes((body.markdown as { text: string }).text);
    case 'wecom':
      return utf8Bytes((body.markdown as { content: string }).content);
  }
}

/**
 * A digest of the first alerts of `alerts` (oldest first) that fit in one message of the channel's
 * size: each keeps its rule, run, task, strategy, a preview of its message, its link and its id.
 * `count` is how many it holds (0 when not even one fits: send them one by one instead). Thaw's
 * own webhook has no rate limit and is never sent a digest (its receivers are programs that want
 * one payload per alert): 0.
 */
export function renderDigest(
  channel: Pick<AlertChannel, 'type' | 'secret'>,
  alerts: readonly AlertPayload[],
): { count: number; body: Record<string, unknown> } {
  if (channel.type === 'webhook') return { count: 0, body: {} };
  const chat: ChatChannel = { type: channel.type, secret: channel.secret };
  const max = CHANNEL_LIMITS[channel.type].size.max;
  let best = { count: 0, snippet: DIGEST_SNIPPETS[0] as number };
  for (const snippet of DIGEST_SNIPPETS) {
    const fits = (n: number) => digestSize(chat, digestBody(chat, alerts.slice(0, n), snippet)) <= max;
    // The size grows with the number of lines: the largest count that fits, by bisection.
    let lo = 0;
    let hi = alerts.length;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (fits(mid)) lo = mid;
      else hi = mid - 1;
    }
    if (lo > best.count) best = { count: lo, snippet };
    if (lo === alerts.length) break;
  }
  return { count: best.count, body: digestBody(chat, alerts.slice(0, best.count), best.snippet) };
}
