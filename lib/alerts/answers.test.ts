import { describe, expect, it } from 'vitest';
import { classifyAnswer, parseRetryAfter, type Outcome } from './answers';
import type { ChannelType } from './config';

const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);

function answer(status: number | null, body: string, headers: Record<string, string> = {}) {
  return {
    status,
    headers: status === null ? null : new Headers(headers),
    body,
    error: status === null ? 'connect ECONNREFUSED' : undefined,
  };
}

type Case = [string, ChannelType, ReturnType<typeof answer>, Outcome['kind'], number?];

// One table: what every vendor's answer means (and for throttles, how long Thaw waits, in s).
const CASES: Case[] = [
  ['slack ok', 'slack', answer(200, 'ok'), 'delivered'],
  ['slack 429 Retry-After 600', 'slack', answer(429, 'rate_limited', { 'Retry-After': '600' }), 'throttled', 601],
  ['slack 429 without Retry-After: the documented minute', 'slack', answer(429, ''), 'throttled', 60],
  ['slack revoked webhook', 'slack', answer(404, 'no_service'), 'permanent'],
  ['slack invalid token', 'slack', answer(403, 'invalid_token'), 'permanent'],
  ['slack archived channel', 'slack', answer(410, 'channel_is_archived'), 'permanent'],
  ['slack invalid payload', 'slack', answer(400, 'invalid_payload'), 'permanent'],
  ['slack 500', 'slack', answer(500, 'rollup_error'), 'retry'],
  ['slack 503 with Retry-After', 'slack', answer(503, '', { 'Retry-After': '30' }), 'throttled', 31],
  ['network error', 'slack', answer(null, ''), 'retry'],
  ['dingtalk ok', 'dingtalk', answer(200, '{"errcode":0,"errmsg":"ok"}'), 'delivered'],
  ['dingtalk throttled 410100: ten minutes', 'dingtalk', answer(200, '{"errcode":410100,"errmsg":"send too fast"}'), 'throttled', 605],
  [
    'dingtalk old throttle code 130101',
    'dingtalk',
    answer(200, '{"errcode":130101,"errmsg":"send too fast, exceed 20 times per minute"}'),
    'throttled',
    605,
  ],
  ['dingtalk bad signature', 'dingtalk', answer(200, '{"errcode":310000,"errmsg":"sign not match"}'), 'permanent'],
  ['dingtalk keyword missing', 'dingtalk', answer(200, '{"errcode":310000,"errmsg":"keywords not in content"}'), 'permanent'],
  ['dingtalk revoked token', 'dingtalk', answer(200, '{"errcode":300001,"errmsg":"token is not exist"}'), 'permanent'],
  ['dingtalk robot disabled', 'dingtalk', answer(200, '{"errcode":400102,"errmsg":"robot stopped"}'), 'permanent'],
  ['dingtalk busy', 'dingtalk', answer(200, '{"errcode":-1,"errmsg":"系统繁忙"}'), 'retry'],
  ['dingtalk unknown code: retried', 'dingtalk', answer(200, '{"errcode":123456,"errmsg":"?"}'), 'retry'],
  ['wecom ok', 'wecom', answer(200, '{"errcode":0,"errmsg":"ok"}'), 'delivered'],
  ['wecom 45009: the minute', 'wecom', answer(200, '{"errcode":45009,"errmsg":"api freq out of limit"}'), 'throttled', 61],
  ['wecom invalid webhook url', 'wecom', answer(200, '{"errcode":93000,"errmsg":"invalid webhook url"}'), 'permanent'],
  ['wecom oversize markdown', 'wecom', answer(200, '{"errcode":40058,"errmsg":"markdown.content exceed max length 4096"}'), 'permanent'],
  ['feishu ok', 'feishu', answer(200, '{"code":0,"msg":"success","data":{}}'), 'delivered'],
  ['feishu ok (StatusCode form)', 'feishu', answer(200, '{"StatusCode":0,"StatusMessage":"success"}'), 'delivered'],
  ['feishu 11232: the minute', 'feishu', answer(200, '{"code":11232,"msg":"frequency limited"}'), 'throttled', 61],
  ['feishu 429 with x-ogw-ratelimit-reset', 'feishu', answer(429, '{"code":99991400}', { 'x-ogw-ratelimit-reset': '52' }), 'throttled', 53],
  [
    'feishu bad signature',
    'feishu',
    answer(200, '{"code":19021,"msg":"sign match fail or timestamp is not within one hour"}'),
    'permanent',
  ],
  ['feishu keyword missing', 'feishu', answer(200, '{"code":19024,"msg":"Key Words Not Found"}'), 'permanent'],
  ['feishu bad request', 'feishu', answer(200, '{"code":9499,"msg":"Bad Request"}'), 'permanent'],
  ['webhook 204', 'webhook', answer(204, ''), 'delivered'],
  ['webhook 401', 'webhook', answer(401, 'nope'), 'permanent'],
  ['webhook 413', 'webhook', answer(413, ''), 'permanent'],
  ['webhook 502', 'webhook', answer(502, 'bad gateway'), 'retry'],
  ['webhook 429 with an HTTP date', 'webhook', answer(429, '', { 'Retry-After': new Date(NOW + 120_000).toUTCString() }), 'throttled', 121],
  ['webhook 429 asking for a week: capped at an hour', 'webhook', answer(429, '', { 'Retry-After': '604800' }), 'throttled', 3600],
];

describe('classifyAnswer', () => {
  it.each(CASES)('%s', (_, type, given, kind, waitSeconds) => {
    const outcome = classifyAnswer(type, given, NOW);
    expect(outcome.kind).toBe(kind);
    if (outcome.kind === 'throttled') expect(Math.round(outcome.waitMs / 1000)).toBe(waitSeconds);
    if (outcome.kind === 'permanent' || outcome.kind === 'retry') expect(outcome.reason.length).toBeGreaterThan(5);
  });

  it('names the setting to check for a hopeless answer', () => {
    const sign = classifyAnswer('dingtalk', answer(200, '{"errcode":310000,"errmsg":"sign not match"}'), NOW);
    expect(sign.kind === 'permanent' && sign.reason).toMatch(/signature.*secret/);
    const gone = classifyAnswer('slack', answer(404, 'no_service'), NOW);
    expect(gone.kind === 'permanent' && gone.reason).toMatch(/revoked.*`url`/);
  });
});

describe('parseRetryAfter', () => {
  it.each([
    ['600', 600_000],
    ['1.5', 1_500],
    [new Date(NOW + 30_000).toUTCString(), 30_000],
    ['soon', null],
    ['', null],
  ])('%j', (value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });
});
