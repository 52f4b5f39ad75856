// HParams session start info (TensorBoard's plugin data) and Lightning's hparams.yaml → a config tree.
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { describe, expect, it } from 'vitest';
import { decodeSessionStartHparams, parseHparamsYaml } from './hparams';
import { mulberry32 } from '../../testkit/random';

/** google.protobuf.Value */
function value(w: BinaryWriter, v: unknown): void {
  if (v === null) w.tag(1, WireType.Varint).int32(0);
  else if (typeof v === 'number') w.tag(2, WireType.Bit64).double(v);
  else if (typeof v === 'string') w.tag(3, WireType.LengthDelimited).string(v);
  else if (typeof v === 'boolean') w.tag(4, WireType.Varint).bool(v);
  else if (Array.isArray(v)) {
    w.tag(6, WireType.LengthDelimited).fork();
    for (const item of v) {
      w.tag(1, WireType.LengthDelimited).fork();
      value(w, item);
      w.join();
    }
    w.join();
  } else {
    w.tag(5, WireType.LengthDelimited).fork();
    for (const [key, item] of Object.entries(v as object)) {
      w.tag(1, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).string(key).tag(2, WireType.LengthDelimited).fork();
      value(w, item);
      w.join().join();
    }
    w.join();
  }
}

function sessionStart(hparams: Record<string, unknown>): Uint8Array {
  const w = new BinaryWriter();
  w.tag(1, WireType.Varint).int32(0);
  w.tag(3, WireType.LengthDelimited).fork();
  for (const [key, item] of Object.entries(hparams)) {
    w.tag(1, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).string(key).tag(2, WireType.LengthDelimited).fork();
    value(w, item);
    w.join().join();
  }
  w.tag(4, WireType.LengthDelimited).string('group');
  w.tag(5, WireType.Bit64).double(1.7e9);
  w.join();
  return w.finish();
}

describe('decodeSessionStartHparams', () => {
  it('numbers, strings, booleans, null, nested structs and lists', () => {
    const hparams = { lr: 0.001, optimizer: 'adam', amp: true, none: null, sched: { warmup: 100, kind: 'cosine' }, layers: [3, 4, 'x'] };
    expect(decodeSessionStartHparams(sessionStart(hparams))).toEqual(hparams);
  });

  it('an experiment or end info is not a session start: null', () => {
    const experiment = new BinaryWriter()
      .tag(2, WireType.LengthDelimited)
      .fork()
      .tag(1, WireType.LengthDelimited)
      .string('d')
      .join()
      .finish();
    expect(decodeSessionStartHparams(experiment)).toBeNull();
    expect(decodeSessionStartHparams(new Uint8Array(0))).toBeNull();
  });

  it('malformed bytes: null, never a throw', () => {
    const good = sessionStart({ lr: 0.5, name: 'x' });
    const rand = mulberry32(3);
    for (let cut = 0; cut < good.length; cut++) expect(() => decodeSessionStartHparams(good.subarray(0, cut))).not.toThrow();
    for (let i = 0; i < 500; i++) {
      const junk = Uint8Array.from({ length: Math.floor(rand() * 40) }, () => Math.floor(rand() * 256));
      expect(() => decodeSessionStartHparams(junk)).not.toThrow();
    }
  });
});

describe('parseHparamsYaml', () => {
  it('anchors and aliases resolved, Python tags read as the YAML under them', () => {
    const text = 'a: &x\n  k: 1\nb: *x\nc: !!python/tuple\n- 1\n- 2\nd: !!python/object:foo.Bar\n  f: 2\n';
    expect(parseHparamsYaml(text)).toEqual({
      ok: true,
      tree: { a: { k: 1 }, b: { k: 1 }, c: [1, 2], d: { f: 2 } },
      warnings: ['hparams.yaml: Python-specific tags read as plain YAML (!!python/object, !!python/tuple)'],
    });
  });

  it('dates become ISO strings; an alias bomb is refused, not expanded', () => {
    const parsed = parseHparamsYaml('when: 2025-01-02T03:04:05Z\n');
    expect(parsed.ok && parsed.tree).toEqual({ when: '2025-01-02T03:04:05Z' });
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 0; i < 9; i++)
      bomb.push(
        `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10)
          .fill(`*${String.fromCharCode(97 + i)}`)
          .join(', ')}]`,
      );
    expect(parseHparamsYaml(bomb.join('\n')).ok).toBe(false);
  });
});
