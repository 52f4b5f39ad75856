// thaw-alerts.yaml, validated once (lib/alerts/config.ts): defaults, and every bad field named.
import { describe, expect, it } from 'vitest';
import { parseAlertsConfig } from './config';

describe('thaw-alerts.yaml', () => {
  it('defaults rules to all but completed, and names each bad field', () => {
    const [lab] = parseAlertsConfig('channels:\n  - name: lab\n    type: webhook\n    url: http://127.0.0.1:9000/hook\n', 'x.yaml');
    expect(lab?.rules).toEqual(['overfitting', 'diverged', 'crashed', 'stalled']);
    expect(() => parseAlertsConfig('channels:\n  - name: lab\n    type: teams\n    url: nope\n    rules: [boom]\n', 'x.yaml')).toThrow(
      /channels\.0\.type: expected one of webhook, slack, feishu, dingtalk, wecom[\s\S]*channels\.0\.url: expected an http\(s\) URL[\s\S]*channels\.0\.rules\.0/,
    );
    expect(() => parseAlertsConfig('channels: [', 'x.yaml')).toThrow(/x\.yaml: not valid YAML/);
  });
});
