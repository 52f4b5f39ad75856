import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { credentialsInConfigText, redact, redactThenCut } from './redact';

const DING = {
  url: 'https://oapi.dingtalk.com/robot/send?access_token=9f8e7d6c5b4a39281706f5e4d3c2b1a0',
  secret: 'SECa1b2c3d4e5f60718293a4b5c6d7e8f',
};
const SLACK = { url: 'https://hooks.slack.com/services/T0ABCDEF1/B0GHIJKL2/xYzAbCdEfGhIjKlMnOpQrStU', secret: null };
const WECOM = { url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7aoc-4bc4-97a0-0ec2sifa5aaa', secret: null };

const TOKENS = [
  '9f8e7d6c5b4a39281706f5e4d3c2b1a0',
  'SECa1b2c3d4e5f60718293a4b5c6d7e8f',
  'xYzAbCdEfGhIjKlMnOpQrStU',
  '693a91f6-7aoc-4bc4-97a0-0ec2sifa5aaa',
];

/** No run of 6 characters of any token survives. */
function leaks(text: string): string[] {
  const out: string[] = [];
  for (const token of TOKENS)
    for (let i = 0; i + 6 <= token.length; i++) if (text.includes(token.slice(i, i + 6))) out.push(token.slice(i, i + 6));
  return out;
}

describe('redact', () => {
  it.each([
    ['the whole URL echoed', DING, `{"errcode":300001,"errmsg":"token is not exist: ${DING.url}"}`],
    ['the token alone', DING, 'bad access_token=9f8e7d6c5b4a39281706f5e4d3c2b1a0 given'],
    ['a truncated echo (prefix of the token)', DING, 'invalid token 9f8e7d6c5b4a39…'],
    ['the secret', DING, 'sign computed with SECa1b2c3d4e5f60718293a4b5c6d7e8f failed'],
    [
      'the Slack path, JSON-escaped',
      SLACK,
      '{"url":"https:\\/\\/hooks.slack.com\\/services\\/T0ABCDEF1\\/B0GHIJKL2\\/xYzAbCdEfGhIjKlMnOpQrStU"}',
    ],
    ['percent-encoded', WECOM, `fetch failed: ${encodeURIComponent(WECOM.url)}`],
  ])('%s', (_, channel, text) => {
    const out = redact(text, channel);
    expect(leaks(out)).toEqual([]);
    expect(out).toContain('[redacted]');
  });

  it('keeps what is not secret readable', () => {
    expect(redact('errcode 45009 api freq out of limit, more info at https://open.work.weixin.qq.com/devtool/query?e=45009', WECOM)).toBe(
      'errcode 45009 api freq out of limit, more info at https://open.work.weixin.qq.com/devtool/query?e=45009',
    );
  });

  it('redacts before it cuts: an echo across the 300th character leaks nothing', () => {
    for (let pad = 250; pad < 320; pad++) {
      const text = `${'x'.repeat(pad)} ${DING.url} trailing`;
      const out = redactThenCut(text, DING, 300);
      expect(leaks(out)).toEqual([]);
      expect(Array.from(out).length).toBeLessThanOrEqual(300);
    }
  });

  it('leaves no 6-character piece of a token, wherever it sits in any text', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 40 }),
        fc.integer({ min: 0, max: 3 }),
        fc.nat(),
        fc.nat(),
        fc.string({ maxLength: 40 }),
        (a, which, from, len, b) => {
          const token = TOKENS[which]!;
          const start = from % token.length;
          const piece = token.slice(start, start + 6 + (len % token.length));
          fc.pre(piece.length >= 6);
          const channel = [DING, DING, SLACK, WECOM][which]!;
          expect(leaks(redactThenCut(`${a}${piece}${b}`, channel, 60))).toEqual([]);
        },
      ),
    );
  });
});

describe('credentialsInConfigText', () => {
  it('finds url and secret values on any line, quoted or not, parseable or not', () => {
    const text = `channels:\n  - name: ding\n    url: "${DING.url}\n    secret: '${DING.secret}'\n  - { name: s, type: slack, url: ${SLACK.url} }\n`;
    const found = credentialsInConfigText(text).map((c) => c.value);
    expect(found).toContain('9f8e7d6c5b4a39281706f5e4d3c2b1a0');
    expect(found).toContain(DING.secret);
  });
});
