// A second, deliberately simple reader of TensorBoard event files, written apart from
// ingest/rundir/event.ts (no shared code, no @bufbuild): the tests compare what Thaw reads from the
// real fixtures with what this says TensorBoard shows. It follows TensorBoard's own rules:
//
// * Runs: TensorBoard makes one run of each directory holding event files; its files are read in
//   name order (tensorboard/backend/event_processing/directory_loader.py, data/server/run.rs).
// * A time series' plugin is decided by its FIRST value in the run (dataclass_compat.py
//   `initial_metadata`, data/server/data_compat.rs `SummaryValue::initial_metadata`): a value whose
//   metadata has a data class keeps it; a `simple_value` is the `scalars` plugin; `histo`, `image`,
//   `audio` are the histograms, images and audio plugins (data_compat.py); any other value takes its
//   metadata's plugin name ('' when it has none). Later values of the tag are read as that plugin.
// * A scalar point is a value of a `scalars` tag that is a `simple_value` or a rank-0 tensor
//   (rustboard: DT_FLOAT only; the Python reader: any one-element tensor; here float and double).
// * Every point is kept (TensorBoard's UI samples 1,000 per tag, but reads them all; counts here are
//   of all points), repeated steps included.
//
// Pure; for tests only.

export interface RefPoint {
  step: number;
  wallTime: number;
  value: number;
}

export interface RefRun {
  /** Scalar tag → its points in file order. */
  scalars: Map<string, RefPoint[]>;
  /** Plugin → number of non-scalar values of that plugin (graph_def and meta_graph_def events count under 'graphs'). */
  others: Map<string, number>;
  /** Tag → the plugin its first value named. */
  plugins: Map<string, string>;
  /** HParams session start info: hparam name → value (number, string, boolean). */
  hparams: Map<string, number | string | boolean>;
  /** Events that carried nothing but the file version. */
  headers: number;
}

interface Field {
  field: number;
  wire: number;
  /** Varint as bigint, fixed64/fixed32 as raw bytes, length-delimited as bytes. */
  varint?: bigint;
  bytes?: Uint8Array;
}

function readVarint(buf: Uint8Array, at: { pos: number }): bigint {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    if (at.pos >= buf.length) throw new Error('varint runs past the buffer');
    const byte = buf[at.pos++]!;
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return result;
    shift += 7n;
  }
}

/** Every field of one message, in order (no schema). */
export function fields(buf: Uint8Array): Field[] {
  const out: Field[] = [];
  const at = { pos: 0 };
  while (at.pos < buf.length) {
    const key = Number(readVarint(buf, at));
    const field = key >>> 3;
    const wire = key & 7;
    if (wire === 0) out.push({ field, wire, varint: readVarint(buf, at) });
    else if (wire === 1) {
      out.push({ field, wire, bytes: buf.subarray(at.pos, at.pos + 8) });
      at.pos += 8;
    } else if (wire === 2) {
      const length = Number(readVarint(buf, at));
      out.push({ field, wire, bytes: buf.subarray(at.pos, at.pos + length) });
      at.pos += length;
    } else if (wire === 5) {
      out.push({ field, wire, bytes: buf.subarray(at.pos, at.pos + 4) });
      at.pos += 4;
    } else throw new Error(`wire type ${wire}`);
  }
  if (at.pos !== buf.length) throw new Error('message runs past its end');
  return out;
}

const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
const f64 = (b: Uint8Array) => dv(b).getFloat64(0, true);
const f32 = (b: Uint8Array) => dv(b).getFloat32(0, true);
const text = (b: Uint8Array) => new TextDecoder().decode(b);
/** int64 varint as a signed number. */
const int64 = (v: bigint) => Number(BigInt.asIntN(64, v));

/** The data of each TFRecord (length, CRC, data, CRC; CRCs not checked here), until the bytes end. */
export function records(file: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  while (at + 12 <= file.length) {
    const length = Number(dv(file.subarray(at, at + 8)).getBigUint64(0, true));
    if (at + 12 + length + 4 > file.length) break;
    out.push(file.subarray(at + 12, at + 12 + length));
    at += 12 + length + 4;
  }
  return out;
}

interface Metadata {
  plugin: string;
  content?: Uint8Array;
  dataClass: number;
}

function metadataOf(bytes: Uint8Array): Metadata {
  const md: Metadata = { plugin: '', dataClass: 0 };
  for (const f of fields(bytes)) {
    if (f.field === 1 && f.bytes) {
      for (const p of fields(f.bytes)) {
        if (p.field === 1 && p.bytes) md.plugin = text(p.bytes);
        if (p.field === 2 && p.bytes) md.content = p.bytes;
      }
    }
    if (f.field === 4 && f.varint !== undefined) md.dataClass = Number(f.varint);
  }
  return md;
}

/** A rank-0 float or double tensor's value, else undefined. */
function tensorValue(bytes: Uint8Array): number | undefined {
  let dtype = 0;
  let rank = 0;
  let content: Uint8Array | undefined;
  const floats: number[] = [];
  const doubles: number[] = [];
  for (const f of fields(bytes)) {
    if (f.field === 1) dtype = Number(f.varint);
    else if (f.field === 2 && f.bytes) rank = fields(f.bytes).filter((d) => d.field === 2).length;
    else if (f.field === 4 && f.bytes) content = f.bytes;
    else if (f.field === 5 && f.bytes && f.wire === 2) for (let i = 0; i < f.bytes.length; i += 4) floats.push(f32(f.bytes.subarray(i)));
    else if (f.field === 5 && f.bytes) floats.push(f32(f.bytes));
    else if (f.field === 6 && f.bytes && f.wire === 2) for (let i = 0; i < f.bytes.length; i += 8) doubles.push(f64(f.bytes.subarray(i)));
    else if (f.field === 6 && f.bytes) doubles.push(f64(f.bytes));
  }
  if (rank !== 0) return undefined;
  if (dtype === 1) return content?.length === 4 ? f32(content) : floats.length === 1 ? floats[0] : undefined;
  if (dtype === 2) return content?.length === 8 ? f64(content) : doubles.length === 1 ? doubles[0] : undefined;
  return undefined;
}

function protobufValue(bytes: Uint8Array): number | string | boolean | null {
  for (const f of fields(bytes)) {
    if (f.field === 2 && f.bytes) return f64(f.bytes);
    if (f.field === 3 && f.bytes) return text(f.bytes);
    if (f.field === 4) return f.varint !== 0n;
  }
  return null;
}

function readHparams(content: Uint8Array, into: Map<string, number | string | boolean>): void {
  for (const f of fields(content)) {
    if (f.field !== 3 || !f.bytes) continue; // session_start_info
    for (const s of fields(f.bytes)) {
      if (s.field !== 1 || !s.bytes) continue; // map<string, Value> hparams
      let key = '';
      let value: number | string | boolean | null = null;
      for (const e of fields(s.bytes)) {
        if (e.field === 1 && e.bytes) key = text(e.bytes);
        if (e.field === 2 && e.bytes) value = protobufValue(e.bytes);
      }
      if (value !== null) into.set(key, value);
    }
  }
}

/** One TensorBoard run: the files of one directory, in name order. */
export function readRun(files: Uint8Array[]): RefRun {
  const run: RefRun = { scalars: new Map(), others: new Map(), plugins: new Map(), hparams: new Map(), headers: 0 };
  const other = (plugin: string) => run.others.set(plugin, (run.others.get(plugin) ?? 0) + 1);
  for (const file of files) {
    for (const record of records(file)) {
      let step = 0;
      let wallTime = 0;
      let summary: Uint8Array | undefined;
      let header = false;
      for (const f of fields(record)) {
        if (f.field === 1 && f.bytes) wallTime = f64(f.bytes);
        else if (f.field === 2 && f.varint !== undefined) step = int64(f.varint);
        else if (f.field === 3) header = true;
        else if (f.field === 4) other('graphs');
        else if (f.field === 5 && f.bytes) summary = f.bytes;
        else if (f.field === 8) other('graph_run_metadata');
        else if (f.field === 9) other('graphs'); // meta_graph_def
      }
      if (header) run.headers++;
      if (summary === undefined) continue;
      for (const v of fields(summary)) {
        if (v.field !== 1 || !v.bytes) continue;
        let tag = '';
        let kind = '';
        let simple = 0;
        let tensor: Uint8Array | undefined;
        let metadata: Metadata | undefined;
        for (const f of fields(v.bytes)) {
          if (f.field === 1 && f.bytes) tag = text(f.bytes);
          else if (f.field === 2 && f.bytes) {
            kind = 'simple_value';
            simple = f32(f.bytes);
          } else if (f.field === 4) kind = 'image';
          else if (f.field === 5) kind = 'histo';
          else if (f.field === 6) kind = 'audio';
          else if (f.field === 8 && f.bytes) {
            kind = 'tensor';
            tensor = f.bytes;
          } else if (f.field === 9 && f.bytes) metadata = metadataOf(f.bytes);
        }
        let plugin = run.plugins.get(tag);
        if (plugin === undefined) {
          const legacy = { simple_value: 'scalars', histo: 'histograms', image: 'images', audio: 'audio' }[kind];
          plugin = metadata && metadata.dataClass !== 0 ? metadata.plugin : (legacy ?? metadata?.plugin ?? '');
          run.plugins.set(tag, plugin);
        }
        if (plugin === 'hparams' && metadata?.content) readHparams(metadata.content, run.hparams);
        const value = plugin !== 'scalars' ? undefined : kind === 'simple_value' ? simple : tensor ? tensorValue(tensor) : undefined;
        if (value === undefined) {
          other(plugin);
          continue;
        }
        let points = run.scalars.get(tag);
        if (!points) run.scalars.set(tag, (points = []));
        points.push({ step, wallTime, value });
      }
    }
  }
  return run;
}
