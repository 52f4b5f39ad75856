// thaw-alerts.yaml, validated once (lib/alerts/config.ts): defaults, every bad field named, and no
// part of a token or secret in any error, whatever is wrong with the file.
import { describe, expect, it } from 'vitest';
import { parseAlertsConfig } from './config';

describe('thaw-alerts.yaml', () => {
  it('defaults rules to all but completed, and names each bad field', () => {
    const [lab] = parseAlertsConfig('channels:\n  - name: lab\n    type: webhook\n    url: http://127.0.0.1:9000/hook\n', 'x.yaml');
    expect(lab?.rules).toEqual(['overfitting', 'diverged', 'crashed', 'stalled']);
    expect(() => parseAlertsConfig('channels:\n  - name: lab\n    type: teams\n    url: nope\n    rules: [boom]\n', 'x.yaml')).toThrow(
      /channels\.0\.type: expected one of webhook, slack, feishu, dingtalk, wecom[\s\S]*channels\.0\.url: expected an http\(s\) URL[\s\S]*channels\.0\.rules\.0/,
    );
    expect(() => parseAlertsConfig('channels: [', 'x.yaml')).toThrow(/x\.yaml: not valid YAML at line 1, column 12: Flow sequence/);
  });

  const TOKEN = '9f8e7d6c5b4a39281706f5e4d3c2b1a0';
  const SECRET = 'SECa1b2c3d4e5f60718293a4b5c6d7e8f';
  /** The message of what parsing `text` throws. */
  function problem(text: string): string {
    try {
      parseAlertsConfig(text, 'thaw-alerts.yaml');
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error('parsed');
  }

  it.each([
    [
      'an unclosed quote',
      `channels:\n  - name: ding\n    type: dingtalk\n    url: "https://oapi.dingtalk.com/robot/send?access_token=${TOKEN}\n    secret: ${SECRET}\n`,
    ],
    [
      'a duplicate key',
      `channels:\n  - name: ding\n    url: https://oapi.dingtalk.com/robot/send?access_token=${TOKEN}\n    url: https://oapi.dingtalk.com/robot/send?access_token=${TOKEN}\n    secret: ${SECRET}\n`,
    ],
    [
      'bad indentation',
      `channels:\n  - name: ding\n    type: dingtalk\n   url: https://oapi.dingtalk.com/robot/send?access_token=${TOKEN}\n    secret: ${SECRET}\n`,
    ],
    [
      'a nested mapping on the secret line',
      `channels:\n  - name: ding\n    type: dingtalk\n    url: https://oapi.dingtalk.com/robot/send?access_token=${TOKEN}\n    secret: ${SECRET}: oops\n`,
    ],
    [
      'a flow mapping cut short',
      `channels: [{ name: ding, type: dingtalk, url: https://oapi.dingtalk.com/robot/send?access_token=${TOKEN}, secret: ${SECRET}`,
    ],
    [
      'valid YAML, wrong fields',
      `channels:\n  - name: ding\n    type: teams\n    url: https://oapi.dingtalk.com/robot/send?access_token=${TOKEN}\n    secret: ${SECRET}\n    extra: 1\n`,
    ],
  ])('a malformed file (%s) names the problem without any part of the token or secret', (_, text) => {
    const message = problem(text);
    expect(message).toMatch(/thaw-alerts\.yaml/);
    for (const secret of [TOKEN, SECRET])
      for (let i = 0; i + 6 <= secret.length; i++) expect(message).not.toContain(secret.slice(i, i + 6));
  });
});
