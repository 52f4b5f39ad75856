import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChannelType } from './config';
import { renderAlert, renderDigest, type AlertPayload } from './format';
import { CHANNEL_LIMITS } from './limits';
import { utf8Bytes } from './text';

const TYPES: ChannelType[] = ['webhook', 'slack', 'feishu', 'dingtalk', 'wecom'];

function alert(message: string, overrides: Partial<AlertPayload> = {}): AlertPayload {
  return {
    id: '7f1c2d3e-0000-4000-8000-000000000001',
    rule: 'crashed',
    run: { id: 12, taskId: 1, taskName: 'moving_grasp', strategy: 'unfreeze last 9 (layers 3–11)', status: 'crashed' },
    message,
    url: 'http://gpu-box:3000/runs/12',
    ...overrides,
  };
}

/** The text the vendor counts, and its size in the vendor's unit. */
function measured(type: ChannelType, body: Record<string, unknown>, secret: string | null): { text: string; size: number } {
  switch (type) {
    case 'webhook':
      return { text: String(body.message), size: utf8Bytes(String(body.message)) };
    case 'slack':
      return { text: String(body.text), size: Array.from(String(body.text)).length };
    case 'feishu': {
      const full = JSON.stringify(secret ? { timestamp: '1764590400', sign: 'x'.repeat(44), ...body } : body);
      return { text: (body.content as { text: string }).text, size: utf8Bytes(full) };
    }
    case 'dingtalk':
      return { text: (body.markdown as { text: string }).text, size: utf8Bytes((body.markdown as { text: string }).text) };
    case 'wecom':
      return { text: (body.markdown as { content: string }).content, size: utf8Bytes((body.markdown as { content: string }).content) };
  }
}

const SHAPE_MISMATCH = `RuntimeError: Error(s) in loading state_dict for SmolVLAPolicy: size mismatch for model.vlm.text_model.layers.${'0.self_attn.q_proj.weight: copying a param with shape torch.Size([960, 960]) from checkpoint, the shape in current model is torch.Size([576, 576]). '.repeat(40)}END-OF-ERROR`;
const CHINESE = `训练崩溃：${'显存不足，无法分配张量。'.repeat(125)}最后一行`;

describe('renderAlert fits every channel', () => {
  it.each(
    TYPES.flatMap((type) => [
      [type, 'a 6,000-character shape mismatch', SHAPE_MISMATCH],
      [type, '1,500 Chinese characters (4,500 bytes)', CHINESE],
      [type, 'control characters and ANSI colours', `\u001b[31mCUDA error\u001b[0m\u0000\u0007 ${'\u0001x'.repeat(3000)}`],
    ]),
  )('%s: %s', (type, _, message) => {
    for (const secret of [null, 'sec-ret']) {
      const rendered = renderAlert({ type, secret }, alert(message));
      expect(rendered.ok).toBe(true);
      if (!rendered.ok) return;
      const { text, size } = measured(type, rendered.body, secret);
      expect(size).toBeLessThanOrEqual(CHANNEL_LIMITS[type].size.max);
      if (type === 'webhook') continue;
      // What must survive any cut: rule, run, task, strategy, link and the alert id.
      for (const kept of [
        'crashed',
        'run 12',
        'moving',
        'unfreeze last 9',
        'http://gpu-box:3000/runs/12',
        '7f1c2d3e-0000-4000-8000-000000000001',
      ])
        expect(text.replace(/\\/g, '')).toContain(kept);
      // When it had to be cut: the start and the end of the error both stay, the middle says what was cut.
      const plain = text.replace(/\\/g, '');
      if (rendered.cut) {
        expect(plain).toMatch(/… \[\d+ characters \(\d+ bytes\) cut\] …/);
        expect(plain).toContain(message.includes('END-OF-ERROR') ? 'END-OF-ERROR' : message.includes('最后一行') ? '最后一行' : 'x');
      }
      expect(rendered.cut).toBe(utf8Bytes(message) > CHANNEL_LIMITS[type].size.max - 300);
      expect(JSON.stringify(rendered.body)).not.toMatch(/\\u00[01][0-9a-f]/i);
    }
  });

  it('a short message is sent whole', () => {
    for (const type of TYPES) {
      const rendered = renderAlert({ type, secret: null }, alert('The run crashed: CUDA out of memory.'));
      expect(rendered.ok && !rendered.cut).toBe(true);
    }
  });

  it('any message fits any channel (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...TYPES), fc.string({ unit: 'binary', maxLength: 8_000 }), (type, message) => {
        const rendered = renderAlert({ type, secret: 'k' }, alert(message));
        expect(rendered.ok).toBe(true);
        if (rendered.ok) expect(measured(type, rendered.body, 'k').size).toBeLessThanOrEqual(CHANNEL_LIMITS[type].size.max);
      }),
      { numRuns: 150 },
    );
  });

  it('fails with a reason when even the fixed parts do not fit', () => {
    const rendered = renderAlert(
      { type: 'wecom', secret: null },
      alert('x', { run: { ...alert('x').run, taskName: '很长'.repeat(2000) } }),
    );
    expect(rendered.ok).toBe(false);
    expect(!rendered.ok && rendered.reason).toMatch(/does not fit wecom's limit of 4,096 bytes/);
  });
});

describe('escaping per format', () => {
  const hostile =
    'Traceback: in __init__(self, *args, **kwargs) <!channel> <@U024BE7LH> <http://evil|click> & <at user_id="all">所有人</at> [x](http://y)';

  it('slack: &, < and > are entities, formatting off', () => {
    const rendered = renderAlert({ type: 'slack', secret: null }, alert(hostile));
    const body = rendered.ok ? rendered.body : {};
    expect(body.mrkdwn).toBe(false);
    expect(String(body.text)).toContain('&lt;!channel&gt;');
    expect(String(body.text)).toContain('&lt;http://evil|click&gt;');
    expect(String(body.text)).not.toMatch(/<[!@]/);
  });

  it('feishu: an <at> in free text cannot mention anyone', () => {
    const rendered = renderAlert({ type: 'feishu', secret: null }, alert(hostile));
    expect(JSON.stringify(rendered.ok && rendered.body)).not.toMatch(/<at /);
  });

  it.each(['dingtalk', 'wecom'] as const)('%s: markdown specials are escaped, mentions cannot form', (type) => {
    const rendered = renderAlert({ type, secret: null }, alert(hostile));
    const { text } = measured(type, rendered.ok ? rendered.body : {}, null);
    expect(text).toContain('\\_\\_init\\_\\_');
    expect(text).toContain('\\*args');
    expect(text).toContain('&lt;@U024BE7LH&gt;');
    expect(text).not.toMatch(/<[@!a]/);
    expect(text).toContain('[Open in Thaw](http://gpu-box:3000/runs/12)');
  });
});

describe('renderDigest', () => {
  const many = Array.from({ length: 25 }, (_, i) =>
    alert(`The run crashed: ${'CUDA error: an illegal memory access was encountered '.repeat(5)}`, {
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      run: { ...alert('').run, id: 100 + i },
      url: `http://gpu-box:3000/runs/${100 + i}`,
    }),
  );

  it.each(['slack', 'feishu', 'dingtalk', 'wecom'] as const)('%s: as many as fit, each with its run, link and id', (type) => {
    const digest = renderDigest({ type, secret: null }, many);
    expect(digest.count).toBeGreaterThanOrEqual(type === 'slack' || type === 'feishu' ? 25 : 14);
    const { text, size } = measured(type, digest.body, null);
    expect(size).toBeLessThanOrEqual(CHANNEL_LIMITS[type].size.max);
    for (const a of many.slice(0, digest.count)) {
      expect(text).toContain(a.id);
      expect(text).toContain(a.url!);
      expect(text).toContain(`run ${a.run.id}`);
    }
  });

  it('webhook receivers get one payload per alert, never a digest', () => {
    expect(renderDigest({ type: 'webhook', secret: null }, many).count).toBe(0);
  });
});
