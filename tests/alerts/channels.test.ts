// Each channel format against a real local HTTP receiver: payload shape and signature.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendAlert, type AlertPayload } from '../../lib/alerts/channels';
import type { AlertChannel } from '../../lib/alerts/config';
import { startReceiver } from './receiver';

const alert: AlertPayload = {
  id: '7f1c2d3e-0000-4000-8000-000000000001',
  rule: 'overfitting',
  run: { id: 12, taskId: 1, taskName: 'pick cube', strategy: 'unfreeze 8 of 12', status: 'running' },
  message: 'Overfitting began at epoch 15; best validation 0.31 at epoch 14.',
  url: 'http://thaw.lab:3000/runs/12',
};

let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  receiver = await startReceiver((request) =>
    request.path.startsWith('/refuse')
      ? { status: 200, body: '{"errcode":310000,"errmsg":"sign not match"}' }
      : { status: 200, body: '{"errcode":0}' },
  );
});
afterAll(() => receiver.close());

function channel(type: AlertChannel['type'], secret: string | null, path = `/${type}`): AlertChannel {
  return { name: type, type, url: `${receiver.url}${path}`, secret, rules: ['overfitting'], tasks: null };
}

async function send(ch: AlertChannel) {
  const before = receiver.received.length;
  const result = await sendAlert(ch, alert);
  const request = receiver.received[before]!;
  return { result, request, json: JSON.parse(request.body) as Record<string, unknown> };
}

describe('channel formats', () => {
  it('webhook: the documented JSON and an X-Thaw-Signature over the body', async () => {
    const { result, request, json } = await send(channel('webhook', 'hook-secret'));
    expect(result.ok).toBe(true);
    expect(json).toEqual(alert);
    expect(request.headers['x-thaw-signature']).toBe(`sha256=${createHmac('sha256', 'hook-secret').update(request.body).digest('hex')}`);
    expect(request.headers['x-thaw-alert-id']).toBe(alert.id);
  });

  it('webhook without a secret: no signature header', async () => {
    const { request } = await send(channel('webhook', null));
    expect(request.headers['x-thaw-signature']).toBeUndefined();
  });

  it('slack: {"text", "mrkdwn": false} with the facts', async () => {
    const { json } = await send(channel('slack', null));
    expect(Object.keys(json)).toEqual(['text', 'mrkdwn']);
    expect(json.mrkdwn).toBe(false);
    expect(json.text).toContain('run 12');
    expect(json.text).toContain(alert.id);
    expect(json.text).toContain(alert.url);
  });

  it('feishu: msg_type text, timestamp + sign in the body', async () => {
    const { json } = await send(channel('feishu', 'fs-secret'));
    expect(json.msg_type).toBe('text');
    expect((json.content as { text: string }).text).toContain('Overfitting began at epoch 15');
    const timestamp = Number(json.timestamp);
    expect(Math.abs(timestamp - Date.now() / 1000)).toBeLessThan(60);
    expect(json.sign).toBe(createHmac('sha256', `${timestamp}\n${'fs-secret'}`).update('').digest('base64'));
  });

  it('dingtalk: markdown body with msgUuid, timestamp + sign query parameters', async () => {
    const { request, json } = await send(channel('dingtalk', 'SECding', '/dingtalk?access_token=tok123'));
    expect(json.msgtype).toBe('markdown');
    expect(json.msgUuid).toBe(alert.id);
    expect((json.markdown as { title: string; text: string }).text).toContain(alert.url);
    expect(request.query.get('access_token')).toBe('tok123');
    const timestamp = request.query.get('timestamp')!;
    expect(request.query.get('sign')).toBe(createHmac('sha256', 'SECding').update(`${timestamp}\nSECding`).digest('base64'));
  });

  it('wecom: markdown content, no signature', async () => {
    const { request, json } = await send(channel('wecom', null, '/wecom?key=abc-123'));
    expect(json.msgtype).toBe('markdown');
    expect((json.markdown as { content: string }).content).toContain('pick cube');
    expect(request.query.get('key')).toBe('abc-123');
  });

  it('a chat service refusing in its body is a failure, and its answer carries no URL or secret', async () => {
    const result = await sendAlert(channel('dingtalk', 'SECding', '/refuse?access_token=tok123'), alert);
    expect(result.ok).toBe(false);
    expect(result.outcome.kind).toBe('permanent');
    expect(result.answer).toContain('310000');
    const down = await sendAlert({ ...channel('webhook', 's3cret-value'), url: 'http://127.0.0.1:1/hook?token=tok-abcdef' }, alert);
    expect(down.ok).toBe(false);
    expect(down.answer).not.toContain('tok-abcdef');
    expect(down.answer).not.toContain('s3cret-value');
  });
});
