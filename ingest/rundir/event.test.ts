import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { describe, expect, it } from 'vitest';
import {
  bfloat16ToNumber,
  decodeEvent,
  DT_BFLOAT16,
  DT_DOUBLE,
  DT_FLOAT,
  DT_HALF,
  DT_INT64,
  EventReader,
  eventDecoder,
  halfToNumber,
  type EventReaderOptions,
} from './event';
import { encodeEvent, FILE_VERSION, type ScalarStyle } from '../../testkit/tfevents-writer';
import { mulberry32 } from '../../testkit/random';

const f32 = (x: number): number => Math.fround(x);

function ok(data: Uint8Array) {
  const r = decodeEvent(data);
  if (!r.ok) throw new Error(r.error);
  return r.event;
}

/** A Value with a custom tensor, built by hand. */
function tensorEvent(build: (w: BinaryWriter) => void, plugin?: string): Uint8Array {
  const w = new BinaryWriter();
  w.tag(1, WireType.Bit64).double(1.5);
  w.tag(2, WireType.Varint).int64(7);
  w.tag(5, WireType.LengthDelimited).fork();
  w.tag(1, WireType.LengthDelimited).fork();
  w.tag(1, WireType.LengthDelimited).string('t');
  if (plugin !== undefined) {
    w.tag(9, WireType.LengthDelimited).fork();
    w.tag(1, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).string(plugin).join();
    w.join();
  }
  w.tag(8, WireType.LengthDelimited).fork();
  build(w);
  w.join();
  w.join();
  w.join();
  return w.finish();
}

describe('decodeEvent', () => {
  it('reads the file_version event', () => {
    expect(ok(encodeEvent({ wallTime: 1764579600.25, step: 0, fileVersion: FILE_VERSION }))).toEqual({
      wallTime: 1764579600.25,
      step: 0,
      fileVersion: FILE_VERSION,
      scalars: [],
    });
  });

  const styles: ScalarStyle[] = ['simple', 'tensor', 'float_val', 'double_val'];
  for (const style of styles) {
    it(`reads scalars written in ${style} style`, () => {
      const e = ok(
        encodeEvent(
          {
            wallTime: 1.25,
            step: 41,
            scalars: [
              { tag: 'train/loss', value: 0.5511 },
              { tag: 'validation/task1_loss', value: 0.1 },
              { tag: 'inf', value: Infinity },
            ],
          },
          style,
        ),
      );
      const conv = style === 'double_val' ? (x: number) => x : f32;
      expect(e.step).toBe(41);
      expect(e.wallTime).toBe(1.25);
      expect(e.scalars).toEqual([
        { tag: 'train/loss', value: conv(0.5511) },
        { tag: 'validation/task1_loss', value: conv(0.1) },
        { tag: 'inf', value: Infinity },
      ]);
    });
  }

  it('reads NaN', () => {
    const e = ok(encodeEvent({ wallTime: 0, step: 0, scalars: [{ tag: 'x', value: NaN }] }));
    expect(e.scalars[0]?.value).toBeNaN();
  });

  it('reads large and negative steps', () => {
    expect(ok(encodeEvent({ wallTime: 0, step: 2 ** 40 + 3 })).step).toBe(2 ** 40 + 3);
    expect(ok(encodeEvent({ wallTime: 0, step: -1 })).step).toBe(-1);
  });

  it('reads tensor_content of every supported dtype', () => {
    const content = (bytes: number[]) => Uint8Array.from(bytes);
    const cases: [number, Uint8Array, number][] = [
      [DT_DOUBLE, new Uint8Array(new Float64Array([0.1]).buffer), 0.1],
      [DT_HALF, content([0x00, 0x3c]), 1],
      [DT_BFLOAT16, content([0x80, 0x3f]), 1],
      [DT_INT64, new Uint8Array(new BigInt64Array([-5n]).buffer), -5],
      [3, content([7, 0, 0, 0]), 7],
    ];
    for (const [dtype, bytes, expected] of cases) {
      const e = ok(tensorEvent((w) => w.tag(1, WireType.Varint).int32(dtype).tag(4, WireType.LengthDelimited).bytes(bytes), 'scalars'));
      expect(e.scalars).toEqual([{ tag: 't', value: expected }]);
    }
  });

  it('reads half_val, int_val, int64_val and unpacked float_val', () => {
    const cases: [(w: BinaryWriter) => void, number][] = [
      [(w) => w.tag(1, WireType.Varint).int32(DT_HALF).tag(13, WireType.LengthDelimited).fork().int32(0x3800).join(), 0.5],
      [(w) => w.tag(1, WireType.Varint).int32(3).tag(7, WireType.LengthDelimited).fork().int32(-3).join(), -3],
      [(w) => w.tag(1, WireType.Varint).int32(DT_INT64).tag(10, WireType.LengthDelimited).fork().int64(12).join(), 12],
      [(w) => w.tag(1, WireType.Varint).int32(DT_FLOAT).tag(5, WireType.Bit32).float(2.5), 2.5],
    ];
    for (const [build, expected] of cases) expect(ok(tensorEvent(build, 'scalars')).scalars).toEqual([{ tag: 't', value: expected }]);
  });

  it('ignores non-scalar tensors and tensors of other plugins', () => {
    const twoFloats = (w: BinaryWriter) =>
      w.tag(1, WireType.Varint).int32(DT_FLOAT).tag(5, WireType.LengthDelimited).fork().float(1).float(2).join();
    expect(ok(tensorEvent(twoFloats, 'scalars')).scalars).toEqual([]);
    const shaped = (w: BinaryWriter) => {
      w.tag(1, WireType.Varint).int32(DT_FLOAT);
      w.tag(2, WireType.LengthDelimited).fork().tag(2, WireType.LengthDelimited).fork().tag(1, WireType.Varint).int64(3).join().join();
      w.tag(4, WireType.LengthDelimited).bytes(new Uint8Array(4));
    };
    expect(ok(tensorEvent(shaped, 'scalars')).scalars).toEqual([]);
    const one = (w: BinaryWriter) => w.tag(1, WireType.Varint).int32(DT_FLOAT).tag(5, WireType.Bit32).float(1);
    expect(ok(tensorEvent(one, 'text')).scalars).toEqual([]);
    expect(ok(tensorEvent(one, 'histograms')).scalars).toEqual([]);
    const str = (w: BinaryWriter) =>
      w
        .tag(1, WireType.Varint)
        .int32(7)
        .tag(8, WireType.LengthDelimited)
        .bytes(new Uint8Array([65]));
    expect(ok(tensorEvent(str)).scalars).toEqual([]);
  });

  it('skips unknown fields, including groups and the image/histo oneof members', () => {
    const w = new BinaryWriter();
    w.tag(99, WireType.Varint).uint32(5);
    w.tag(1, WireType.Bit64).double(3);
    w.tag(98, WireType.StartGroup).tag(1, WireType.Varint).uint32(1).tag(98, WireType.EndGroup);
    w.tag(10, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).string('writer').join(); // source_metadata
    w.tag(5, WireType.LengthDelimited).fork();
    w.tag(1, WireType.LengthDelimited)
      .fork()
      .tag(1, WireType.LengthDelimited)
      .string('img')
      .tag(4, WireType.LengthDelimited)
      .fork()
      .tag(1, WireType.Varint)
      .int32(2)
      .join()
      .join();
    w.tag(1, WireType.LengthDelimited)
      .fork()
      .tag(7, WireType.LengthDelimited)
      .string('node')
      .tag(1, WireType.LengthDelimited)
      .string('a')
      .tag(2, WireType.Bit32)
      .float(1)
      .join();
    w.join();
    expect(ok(w.finish())).toEqual({ wallTime: 3, step: 0, scalars: [{ tag: 'a', value: 1 }] });
  });

  it('returns an error value for malformed protobuf, never throws', () => {
    const good = encodeEvent({ wallTime: 1, step: 2, scalars: [{ tag: 'train/loss', value: 1 }] }, 'tensor');
    for (let cut = 1; cut < good.length; cut++) {
      const r = decodeEvent(good.subarray(0, cut));
      // A cut at a field boundary is a valid (shorter) message; anything else must be an error value.
      if (!r.ok) expect(r.error).toMatch(/malformed Event protobuf/);
    }
    expect(decodeEvent(Uint8Array.from([0x0f])).ok).toBe(false); // wire type 7
    expect(decodeEvent(Uint8Array.from([0x00])).ok).toBe(false); // field 0
    expect(decodeEvent(Uint8Array.from([0x09, 1, 2])).ok).toBe(false); // truncated double
    expect(decodeEvent(Uint8Array.from([0x2a, 0x80])).ok).toBe(false); // truncated length
    const rand = mulberry32(11);
    for (let i = 0; i < 2000; i++) {
      const junk = Uint8Array.from({ length: Math.floor(rand() * 64) }, () => Math.floor(rand() * 256));
      expect(() => decodeEvent(junk)).not.toThrow();
    }
    for (let i = 0; i < 2000; i++) {
      const mutated = good.slice();
      mutated[Math.floor(rand() * mutated.length)] = Math.floor(rand() * 256);
      expect(() => decodeEvent(mutated)).not.toThrow();
    }
  });

  it('empty input is an event with defaults', () => {
    expect(decodeEvent(new Uint8Array(0))).toEqual({ ok: true, event: { wallTime: 0, step: 0, scalars: [] } });
  });
});

/** A Value of another kind (histo = 5, image = 4, audio = 6) or a plain tensor, with optional metadata (plugin, data class, content). */
function valueEvent(
  tag: string,
  body: (w: BinaryWriter) => void,
  metadata?: { plugin: string; dataClass?: number; content?: Uint8Array },
): Uint8Array {
  const w = new BinaryWriter();
  w.tag(2, WireType.Varint).int64(3);
  w.tag(5, WireType.LengthDelimited).fork();
  w.tag(1, WireType.LengthDelimited).fork();
  w.tag(1, WireType.LengthDelimited).string(tag);
  body(w);
  if (metadata) {
    w.tag(9, WireType.LengthDelimited).fork();
    w.tag(1, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).string(metadata.plugin);
    if (metadata.content) w.tag(2, WireType.LengthDelimited).bytes(metadata.content);
    w.join();
    if (metadata.dataClass !== undefined) w.tag(4, WireType.Varint).int32(metadata.dataClass);
    w.join();
  }
  w.join().join();
  return w.finish();
}

const rank0 = (x: number) => (w: BinaryWriter) =>
  w.tag(8, WireType.LengthDelimited).fork().tag(1, WireType.Varint).int32(DT_FLOAT).tag(5, WireType.Bit32).float(x).join();
const histo = (w: BinaryWriter) => w.tag(5, WireType.LengthDelimited).fork().tag(1, WireType.Bit64).double(0).join();
const image = (w: BinaryWriter) => w.tag(4, WireType.LengthDelimited).fork().tag(1, WireType.Varint).int32(2).join();
const audio = (w: BinaryWriter) => w.tag(6, WireType.LengthDelimited).fork().tag(1, WireType.Bit32).float(16000).join();
const simple = (x: number) => (w: BinaryWriter) => w.tag(2, WireType.Bit32).float(x);

/** Reads records with one reader: per record, its scalars and the plugins of its other values. */
function readAll(records: Uint8Array[], options?: EventReaderOptions) {
  const reader = new EventReader(options);
  const out = records.map((record) => {
    expect(reader.read(record, 0, record.length)).toBeNull();
    const f = reader.fields;
    return {
      scalars: f.tags.slice(0, f.count).map((tag, i) => [tag, f.values[i]]),
      others: f.otherPlugins.slice(0, f.otherCount),
      hparams: f.hparamsCount,
    };
  });
  return { out, reader };
}

describe("a tag's plugin is its first value's (TensorBoard's initial metadata)", () => {
  it('TF2 names the scalars plugin on the first value only: the later ones are scalars too', () => {
    const { out } = readAll([
      valueEvent('acc', rank0(0.5), { plugin: 'scalars' }),
      valueEvent('acc', rank0(0.25)),
      valueEvent('acc', rank0(0.125)),
    ]);
    expect(out.map((r) => r.scalars)).toEqual([[['acc', 0.5]], [['acc', 0.25]], [['acc', 0.125]]]);
  });

  it('a tensor whose tag never named a plugin is no scalar (TensorBoard shows none): counted under plugin ""', () => {
    const { out } = readAll([valueEvent('t', rank0(1)), valueEvent('t', rank0(2), { plugin: 'scalars' })]);
    expect(out).toEqual([
      { scalars: [], others: [''], hparams: 0 },
      { scalars: [], others: [''], hparams: 0 },
    ]);
  });

  it('histograms, images and audio (legacy or plugin tensors) are counted by plugin; a later simple_value of such a tag too', () => {
    const { out } = readAll([
      valueEvent('h', histo),
      valueEvent('i', image),
      valueEvent('a', audio),
      valueEvent('h', simple(1)),
      valueEvent('w', rank0(1), { plugin: 'histograms' }),
      valueEvent('w', rank0(2)),
      valueEvent('txt', (w) => w.tag(8, WireType.LengthDelimited).fork().tag(1, WireType.Varint).int32(7).join(), {
        plugin: 'text',
        dataClass: 2,
      }),
    ]);
    expect(out.map((r) => r.others)).toEqual([
      ['histograms'],
      ['images'],
      ['audio'],
      ['histograms'],
      ['histograms'],
      ['histograms'],
      ['text'],
    ]);
    expect(out.every((r) => r.scalars.length === 0)).toBe(true);
  });

  it('a simple_value is a scalar whatever its metadata names (data_compat), unless the metadata sets a data class', () => {
    const { out } = readAll([
      valueEvent('s', simple(0.5), { plugin: 'ignored_plugin' }),
      valueEvent('c', simple(1), { plugin: 'custom', dataClass: 1 }),
    ]);
    expect(out.map((r) => [r.scalars, r.others])).toEqual([
      [[['s', 0.5]], []],
      [[], ['custom']],
    ]);
  });

  it('graphs and run metadata are counted; hparams metadata contents are handed over', () => {
    const w = new BinaryWriter();
    w.tag(4, WireType.LengthDelimited).bytes(new Uint8Array([1, 2, 3]));
    const graph = w.finish();
    const meta = new BinaryWriter()
      .tag(8, WireType.LengthDelimited)
      .fork()
      .tag(1, WireType.LengthDelimited)
      .string('step1')
      .join()
      .finish();
    const hp = valueEvent('_hparams_/session_start_info', (x) => x.tag(8, WireType.LengthDelimited).fork().join(), {
      plugin: 'hparams',
      content: new Uint8Array([0x08, 0x00]),
    });
    const { out } = readAll([graph, meta, hp]);
    expect(out.map((r) => [r.others, r.hparams])).toEqual([
      [['graphs'], 0],
      [['graph_run_metadata'], 0],
      [['hparams'], 1],
    ]);
  });

  it('the plugins it learnt are its state: a reader resumed with it reads the later values as the first would', () => {
    const first = readAll([valueEvent('acc', rank0(0.5), { plugin: 'scalars' }), valueEvent('h', histo)]);
    expect(first.reader.state).toEqual({ plugins: { acc: 'scalars', h: 'histograms' } });
    const state = JSON.parse(JSON.stringify(first.reader.state)) as EventReaderOptions['state'];
    const resumed = readAll([valueEvent('acc', rank0(0.25)), valueEvent('h', rank0(1))], { state });
    expect(resumed.out.map((r) => [r.scalars, r.others])).toEqual([
      [[['acc', 0.25]], []],
      [[], ['histograms']],
    ]);
  });

  it('resumed without a state (a cursor saved before plugins were kept): a plain one-element tensor is taken for a scalar', () => {
    const twoFloats = (w: BinaryWriter) =>
      w
        .tag(8, WireType.LengthDelimited)
        .fork()
        .tag(1, WireType.Varint)
        .int32(DT_FLOAT)
        .tag(5, WireType.LengthDelimited)
        .fork()
        .float(1)
        .float(2)
        .join()
        .join();
    const { out } = readAll([valueEvent('acc', rank0(0.25)), valueEvent('v', twoFloats), valueEvent('acc', rank0(0.5))], {
      resumedWithoutState: true,
    });
    expect(out.map((r) => [r.scalars, r.others])).toEqual([
      [[['acc', 0.25]], []],
      [[], ['']],
      [[['acc', 0.5]], []],
    ]);
  });

  it('eventDecoder reads its records as one file', () => {
    const decode = eventDecoder();
    decode(encodeEvent({ wallTime: 1, step: 0, scalars: [{ tag: 'x', value: 1 }] }, 'tensor'));
    const later = decode(encodeEvent({ wallTime: 2, step: 1, scalars: [{ tag: 'x', value: 2 }] }, 'tensor_no_metadata'));
    expect(later.ok && later.event.scalars).toEqual([{ tag: 'x', value: 2 }]);
    // On its own (a first value without metadata), the same record holds no scalar.
    const alone = decodeEvent(encodeEvent({ wallTime: 2, step: 1, scalars: [{ tag: 'x', value: 2 }] }, 'tensor_no_metadata'));
    expect(alone.ok && alone.event.scalars).toEqual([]);
  });
});

describe('16-bit floats', () => {
  it('half', () => {
    expect(halfToNumber(0x3c00)).toBe(1);
    expect(halfToNumber(0xc000)).toBe(-2);
    expect(halfToNumber(0x7c00)).toBe(Infinity);
    expect(halfToNumber(0x7e00)).toBeNaN();
    expect(halfToNumber(0x0001)).toBe(2 ** -24);
    expect(halfToNumber(0x7bff)).toBe(65504);
  });
  it('bfloat16', () => {
    expect(bfloat16ToNumber(0x3f80)).toBe(1);
    expect(bfloat16ToNumber(0xc040)).toBe(-3);
    expect(bfloat16ToNumber(0x7f80)).toBe(Infinity);
  });
});

describe('decodeUtf8', () => {
  it('matches TextDecoder for ASCII, non-ASCII, long and invalid input', async () => {
    const { decodeUtf8 } = await import('./event');
    const td = new TextDecoder();
    const enc = new TextEncoder();
    for (const s of ['', 'train/loss', '损失/训练', 'a'.repeat(100), 'é']) expect(decodeUtf8(enc.encode(s))).toBe(s);
    const bad = Uint8Array.from([0x61, 0xff, 0x62]);
    expect(decodeUtf8(bad)).toBe(td.decode(bad));
  });
});
