// Local receivers that behave as each chat service documents (for the alert delivery tests): the
// size limits, the rate limits and what happens past them, signatures, tokens, errors inside an
// HTTP 200. Time comes from the test's clock, so a ten-minute throttle passes without waiting.
// Sources are the ones lib/alerts/limits.ts and lib/alerts/answers.ts cite.
import { createHmac } from 'node:crypto';
import { startReceiver, type Received } from './receiver';
import type { ChannelType } from '../../lib/alerts/config';

const encoder = new TextEncoder();
const bytes = (text: string) => encoder.encode(text).length;

export interface Posted {
  /** What the group sees (the text or markdown as sent). */
  text: string;
  body: Record<string, unknown>;
  msgUuid: string | null;
  at: number;
}

export interface VendorOptions {
  clock?: () => number;
  /** The token in the URL (DingTalk access_token, WeCom key, the Slack/Feishu path). */
  token?: string;
  /** The signing secret the bot is set up with (DingTalk, Feishu); null: signing off. */
  secret?: string | null;
  /** Slack's Retry-After when it throttles (seconds). */
  retryAfterSeconds?: number;
  /** Throttled until this time from the start (someone else used the budget up). */
  throttledUntil?: number;
  /** Answers instead of the vendor for this request (index among all requests), or undefined: the vendor answers. */
  override?: (request: Received, index: number) => { status: number; body: string; headers?: Record<string, string> } | 'hang' | undefined;
  /** The message is posted to the group, and then the answer never comes (a timeout after success). */
  postThenHang?: (index: number) => boolean;
}

type Reply = { status: number; body: string; headers?: Record<string, string> } | 'hang';

export async function startVendor(type: ChannelType, options: VendorOptions = {}) {
  const clock = options.clock ?? Date.now;
  const token = options.token ?? `tok${type}0123456789abcdef`;
  const secret = options.secret ?? null;
  const posted: Posted[] = [];
  const accepted: number[] = [];
  const seenUuids = new Set<string>();
  let throttledUntil = options.throttledUntil ?? 0;

  const ok = (): Reply => {
    switch (type) {
      case 'dingtalk':
      case 'wecom':
        return { status: 200, body: '{"errcode":0,"errmsg":"ok"}' };
      case 'feishu':
        return { status: 200, body: '{"StatusCode":0,"StatusMessage":"success","code":0,"data":{},"msg":"success"}' };
      case 'slack':
        return { status: 200, body: 'ok' };
      case 'webhook':
        return { status: 204, body: '' };
    }
  };
  const inWindow = (ms: number) => accepted.filter((at) => at > clock() - ms).length;

  function vendor(request: Received): Reply {
    const now = clock();
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(request.body) as Record<string, unknown>;
    } catch {
      return type === 'slack'
        ? { status: 400, body: 'invalid_payload' }
        : { status: 400, body: '{"errcode":40035,"errmsg":"invalid json"}' };
    }
    switch (type) {
      case 'wecom': {
        // https://developer.work.weixin.qq.com/document/path/91770 and global codes …/90455.
        if (request.query.get('key') !== token) return { status: 200, body: '{"errcode":93000,"errmsg":"invalid webhook url"}' };
        if (/\\u[0-9a-fA-F]{4}/.test(request.body)) return { status: 200, body: '{"errcode":40033,"errmsg":"invalid charset"}' };
        const content = (json.markdown as { content?: string } | undefined)?.content ?? '';
        if (bytes(content) > 4096)
          return { status: 200, body: '{"errcode":40058,"errmsg":"markdown.content exceed max length 4096. invalid Request Parameter"}' };
        if (inWindow(60_000) >= 20) return { status: 200, body: '{"errcode":45009,"errmsg":"api freq out of limit"}' };
        return accept({ text: content, body: json, msgUuid: null, at: now });
      }
      case 'dingtalk': {
        // https://open.dingtalk.com/document/robots/custom-robot-access: 20/min, then 10 minutes throttled.
        if (request.query.get('access_token') !== token) return { status: 200, body: '{"errcode":300001,"errmsg":"token is not exist"}' };
        if (secret) {
          const timestamp = Number(request.query.get('timestamp'));
          const expected = createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
          if (!(Math.abs(now - timestamp) < 3_600_000) || request.query.get('sign') !== expected)
            return {
              status: 200,
              body: '{"errcode":310000,"errmsg":"sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]"}',
            };
        }
        if (now < throttledUntil) return { status: 200, body: '{"errcode":410100,"errmsg":"send too fast, exceed 20 times per minute"}' };
        if (inWindow(60_000) >= 20) {
          throttledUntil = now + 10 * 60_000;
          return { status: 200, body: '{"errcode":410100,"errmsg":"send too fast, exceed 20 times per minute"}' };
        }
        const msgUuid = typeof json.msgUuid === 'string' ? json.msgUuid : null;
        // The same msgUuid again: already posted, not posted twice.
        if (msgUuid && seenUuids.has(msgUuid)) return ok();
        if (msgUuid) seenUuids.add(msgUuid);
        return accept({ text: (json.markdown as { text?: string } | undefined)?.text ?? '', body: json, msgUuid, at: now });
      }
      case 'feishu': {
        // https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot: 20 KB body, 5/s and 100/min.
        if (!request.path.endsWith(`/${token}`))
          return { status: 200, body: '{"code":19001,"msg":"param invalid: incoming webhook access token invalid"}' };
        if (bytes(request.body) > 20_000) return { status: 200, body: '{"code":9499,"msg":"Bad Request"}' };
        if (secret) {
          const timestamp = Number(json.timestamp);
          const expected = createHmac('sha256', `${timestamp}\n${secret}`).update('').digest('base64');
          if (!(Math.abs(now / 1000 - timestamp) < 3600) || json.sign !== expected)
            return { status: 200, body: '{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"}' };
        }
        if (now < throttledUntil || inWindow(1_000) >= 5 || inWindow(60_000) >= 100)
          return { status: 200, body: '{"code":11232,"msg":"frequency limited psm[lark.oapi.app_platform_runtime]appID[1]"}' };
        return accept({ text: (json.content as { text?: string } | undefined)?.text ?? '', body: json, msgUuid: null, at: now });
      }
      case 'slack': {
        // https://api.slack.com/messaging/webhooks, https://api.slack.com/docs/rate-limits.
        if (!request.path.endsWith(`/${token}`)) return { status: 404, body: 'no_service' };
        if (typeof json.text !== 'string' || json.text === '') return { status: 400, body: 'no_text' };
        if (now < throttledUntil || inWindow(1_000) >= 1) {
          const retryAfter = options.retryAfterSeconds ?? 30;
          throttledUntil = Math.max(throttledUntil, now + retryAfter * 1000);
          return { status: 429, body: 'rate_limited', headers: { 'Retry-After': String(Math.ceil((throttledUntil - now) / 1000)) } };
        }
        // Slack truncates text past 40,000 characters: what is past it is lost.
        return accept({ text: Array.from(json.text).slice(0, 40_000).join(''), body: json, msgUuid: null, at: now });
      }
      case 'webhook': {
        // Thaw's own: X-Thaw-Signature = sha256=HMAC-SHA256(secret, body) when a secret is set.
        const expected = secret ? `sha256=${createHmac('sha256', secret).update(request.body).digest('hex')}` : undefined;
        if (expected && request.headers['x-thaw-signature'] !== expected) return { status: 401, body: 'bad signature' };
        return accept({ text: typeof json.message === 'string' ? json.message : '', body: json, msgUuid: null, at: now });
      }
    }
  }

  function accept(post: Posted): Reply {
    posted.push(post);
    accepted.push(post.at);
    return ok();
  }

  const receiver = await startReceiver((request, index) => {
    const override = options.override?.(request, index);
    if (override !== undefined) return override;
    const reply = vendor(request);
    if (options.postThenHang?.(index)) return 'hang';
    return reply;
  });
  const url =
    type === 'dingtalk'
      ? `${receiver.url}/robot/send?access_token=${token}`
      : type === 'wecom'
        ? `${receiver.url}/cgi-bin/webhook/send?key=${token}`
        : type === 'feishu'
          ? `${receiver.url}/open-apis/bot/v2/hook/${token}`
          : type === 'slack'
            ? `${receiver.url}/services/T0ABCDEF1/B0GHIJKL2/${token}`
            : `${receiver.url}/hook/${token}`;
  return {
    ...receiver,
    url,
    token,
    posted,
    channel: (name: string = type) => ({ name, type, url, secret, rules: [...RULES], tasks: null }),
  };
}

const RULES = ['overfitting', 'diverged', 'crashed', 'stalled'] as const;

export type Vendor = Awaited<ReturnType<typeof startVendor>>;
