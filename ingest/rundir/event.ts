// TFRecord payload → the scalars of one `tensorflow.Event` (TensorBoard event files).
//
// Hand-decoded with @bufbuild/protobuf's BinaryReader; only the fields we need are read, everything
// else is skipped by wire type. Field numbers verified against tensorflow/tensorboard:
//   tensorboard/compat/proto/event.proto   Event { double wall_time = 1; int64 step = 2;
//                                            oneof what { string file_version = 3; bytes graph_def = 4;
//                                            Summary summary = 5; … } }
//   tensorboard/compat/proto/summary.proto Summary { repeated Value value = 1; }
//                                          Value { string node_name = 7; string tag = 1;
//                                            SummaryMetadata metadata = 9; oneof value {
//                                            float simple_value = 2; … TensorProto tensor = 8; } }
//                                          SummaryMetadata { PluginData plugin_data = 1;
//                                            string display_name = 2; string summary_description = 3;
//                                            DataClass data_class = 4; }
//                                          PluginData { string plugin_name = 1; bytes content = 2; }
//   tensorboard/compat/proto/tensor.proto  TensorProto { DataType dtype = 1;
//                                            TensorShapeProto tensor_shape = 2; bytes tensor_content = 4;
//                                            repeated int32 half_val = 13 [packed]; repeated float float_val = 5;
//                                            repeated double double_val = 6; repeated int32 int_val = 7;
//                                            repeated int64 int64_val = 10; }
//   tensorboard/compat/proto/tensor_shape.proto TensorShapeProto { repeated Dim dim = 2; bool unknown_rank = 3; }
//                                            Dim { int64 size = 1; string name = 2; }
//   tensorboard/compat/proto/types.proto   DT_FLOAT = 1, DT_DOUBLE = 2, DT_INT32 = 3, DT_INT64 = 9,
//                                            DT_BFLOAT16 = 14, DT_HALF = 19.
//
// Which values are scalars follows TensorBoard (tensorboard/data/server/data_compat.rs
// `SummaryValue::initial_metadata`, tensorboard/dataclass_compat.py): a tag's plugin is decided by its
// FIRST value in the file — metadata with a data class keeps its plugin; a `simple_value` (PyTorch
// `SummaryWriter`, TF1) is `scalars`; `histo`, `image`, `audio` are histograms, images and audio; any
// other value takes its metadata's plugin name ('' when it has none). TensorFlow writes the metadata
// only with a tag's first value, so the plugin of every tag seen is kept (EventReader.state) and read
// back when a reader resumes from a committed offset. A value of a `scalars` tag is a scalar when it is
// a `simple_value` or a one-element numeric tensor (TF2 `tf.summary.scalar`: rank-0 DT_FLOAT; double,
// half, bfloat16 and integers are read too). Every other value is counted under its tag's plugin.
//
// Pure; never throws: malformed input yields `{ ok: false, error }`.

import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';

export interface ScalarValue {
  tag: string;
  value: number;
}

export interface DecodedEvent {
  wallTime: number;
  step: number;
  fileVersion?: string;
  scalars: ScalarValue[];
}

export type EventDecodeResult = { ok: true; event: DecodedEvent } | { ok: false; error: string };

export const DT_FLOAT = 1;
export const DT_DOUBLE = 2;
export const DT_INT32 = 3;
export const DT_INT64 = 9;
export const DT_BFLOAT16 = 14;
export const DT_HALF = 19;

export const SCALARS_PLUGIN = 'scalars';

class DecodeError extends Error {}

const utf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** Tags are short ASCII: building those directly is several times faster than TextDecoder per call. */
export function decodeUtf8(bytes: Uint8Array): string {
  if (bytes.length > 64) return utf8.decode(bytes);
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! >= 0x80) return utf8.decode(bytes);
  // One flat string (a character-by-character concatenation makes a rope that every Map lookup flattens).
  return String.fromCharCode.apply(null, bytes as unknown as number[]);
}

export function decodeEvent(data: Uint8Array): EventDecodeResult {
  return eventDecoder()(data);
}

/** What a reader knows of one tag of its file. */
export interface TagInfo {
  readonly tag: string;
  /** The plugin its first value named (see the header); undefined until that value is read. */
  plugin: string | undefined;
  /** Free for the reader's caller (TfEventsReader: the tag's index in the block being built, its block, what the tag fills). */
  slot: number;
  stamp: number;
  mark: number;
}

/** What an EventReader keeps between records, as JSON: each tag's plugin. */
export interface EventReaderState {
  plugins: Record<string, string>;
}

export interface EventReaderOptions {
  /** The state saved with the offset this reader resumes from. */
  state?: EventReaderState;
  /**
   * The reader resumes from an offset without a saved state (a cursor stored before plugins were
   * tracked): a tag first seen here with a one-element numeric tensor and no metadata is taken for a
   * scalar, as the metadata would have come with an earlier value.
   */
  resumedWithoutState?: boolean;
}

/** Plugin names of values that are not summaries of a tag. */
export const GRAPHS_PLUGIN = 'graphs';
export const RUN_METADATA_PLUGIN = 'graph_run_metadata';
export const HPARAMS_PLUGIN = 'hparams';

/**
 * What one record's Event holds, in a reusable object (EventReader): scalars as parallel arrays of
 * which the first `count` entries are this event's, the plugins of its other values (first
 * `otherCount` entries), and hparams session start info. Nothing here is allocated per record.
 */
export interface EventFields {
  wallTime: number;
  step: number;
  fileVersion: string | undefined;
  count: number;
  tags: string[];
  infos: TagInfo[];
  values: number[];
  otherCount: number;
  otherPlugins: string[];
  /** Metadata contents of `hparams` values in this event (decoded by ./hparams.ts). */
  hparamsCount: number;
  hparams: Uint8Array[];
}

/**
 * Reads the Events of many records: records that lie in one buffer (a chunk's worth) share one
 * BinaryReader positioned at each record in turn, and the fields land in one reused EventFields.
 * Each record is still read within its own bounds: every length is checked against the record's end.
 * The reader keeps each tag's plugin across records (and, through `state`, across resumptions).
 */
export class EventReader {
  readonly fields: EventFields = {
    wallTime: 0,
    step: 0,
    fileVersion: undefined,
    count: 0,
    tags: [],
    infos: [],
    values: [],
    otherCount: 0,
    otherPlugins: [],
    hparamsCount: 0,
    hparams: [],
  };
  private buffer: ArrayBufferLike | null = null;
  private bytes: Uint8Array = new Uint8Array(0);
  private reader: BinaryReader | null = null;
  private readonly known = new Map<string, TagInfo>();
  private readonly tags = new TagInterner((text) => this.infoOf(text));
  private readonly lenient: boolean;

  constructor(options: EventReaderOptions = {}) {
    this.lenient = options.resumedWithoutState === true;
    for (const [tag, plugin] of Object.entries(options.state?.plugins ?? {})) {
      if (typeof plugin === 'string') this.known.set(tag, { tag, plugin, slot: 0, stamp: 0, mark: -1 });
    }
  }

  /** Each tag's plugin, to resume from the offset of the last record read. */
  get state(): EventReaderState {
    const plugins: Record<string, string> = {};
    for (const [tag, info] of this.known) if (info.plugin !== undefined) plugins[tag] = info.plugin;
    return { plugins };
  }

  /** Tags seen so far, in the order first seen (resumed ones first). */
  get tagInfos(): IterableIterator<TagInfo> {
    return this.known.values();
  }

  /** The reader's record of a tag (made when first asked, as for a tag first read). */
  tagInfo(tag: string): TagInfo {
    return this.infoOf(tag);
  }

  private infoOf(tag: string): TagInfo {
    let info = this.known.get(tag);
    if (info === undefined) this.known.set(tag, (info = { tag, plugin: undefined, slot: 0, stamp: 0, mark: -1 }));
    return info;
  }

  /** Reads the Event in buf[start, end) into `fields`; null when it is well-formed, else why not. */
  read(buf: Uint8Array, start: number, end: number): string | null {
    if (this.reader === null || this.buffer !== buf.buffer) {
      this.buffer = buf.buffer;
      this.bytes = new Uint8Array(buf.buffer);
      this.reader = new BinaryReader(this.bytes, decodeUtf8);
    }
    this.reader.pos = buf.byteOffset + start;
    const fields = this.fields;
    fields.wallTime = 0;
    fields.step = 0;
    fields.fileVersion = undefined;
    fields.count = 0;
    fields.otherCount = 0;
    fields.hparamsCount = 0;
    try {
      this.readEvent(buf.byteOffset + end);
      return null;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return `malformed Event protobuf: ${message}`;
    }
  }

  private readEvent(limit: number): void {
    const reader = this.reader!;
    const fields = this.fields;
    while (reader.pos < limit) {
      const tag = nextTag(reader);
      const field = tag >>> 3;
      const wire = (tag & 7) as WireType;
      if (field === 1 && wire === WireType.Bit64) fields.wallTime = reader.double();
      else if (field === 2 && wire === WireType.Varint) fields.step = Number(reader.int64());
      else if (field === 3 && wire === WireType.LengthDelimited) fields.fileVersion = reader.string();
      else if (field === 5 && wire === WireType.LengthDelimited) this.readSummary(enter(reader, limit));
      else {
        // graph_def = 4, meta_graph_def = 9: the graphs dashboard; tagged_run_metadata = 8: run metadata.
        if (wire === WireType.LengthDelimited && (field === 4 || field === 9)) this.other(GRAPHS_PLUGIN);
        else if (wire === WireType.LengthDelimited && field === 8) this.other(RUN_METADATA_PLUGIN);
        skip(reader, wire, field);
      }
    }
    // A field that ran past the record's end (the buffer goes on, so the reader did not stop there).
    if (reader.pos !== limit) throw new DecodeError('premature end of the record');
  }

  private readSummary(end: number): void {
    const reader = this.reader!;
    while (reader.pos < end) {
      const tag = nextTag(reader);
      const field = tag >>> 3;
      const wire = (tag & 7) as WireType;
      if (field === 1 && wire === WireType.LengthDelimited) this.readValue(enter(reader, end));
      else skip(reader, wire, field);
    }
    leave(reader, end);
  }

  private other(plugin: string): void {
    const fields = this.fields;
    fields.otherPlugins[fields.otherCount++] = plugin;
  }

  /** A Summary.Value: a scalar of its tag, or a value counted under its tag's plugin. */
  private readValue(end: number): void {
    const reader = this.reader!;
    let info: TagInfo | undefined;
    let kind = KIND_NONE;
    let simple = 0;
    let tensor: TensorFields | undefined;
    let metadata: Metadata | undefined;
    while (reader.pos < end) {
      const key = nextTag(reader);
      const field = key >>> 3;
      const wire = (key & 7) as WireType;
      if (field === 1 && wire === WireType.LengthDelimited) {
        // The tag, without a string per record: the same bytes give the same (remembered) TagInfo.
        const tagEnd = enter(reader, end);
        info = this.tags.info(this.bytes, reader.pos, tagEnd);
        reader.pos = tagEnd;
      } else if (field === 2 && wire === WireType.Bit32) {
        kind = KIND_SIMPLE;
        simple = reader.float();
      } else if (field === 8 && wire === WireType.LengthDelimited) {
        kind = KIND_TENSOR;
        const tensorEnd = enter(reader, end);
        // A tensor of a tag known not to be a scalar is not decoded (images, histograms can be large).
        if (info === undefined || info.plugin === undefined || info.plugin === SCALARS_PLUGIN) tensor = readTensor(reader, tensorEnd);
        else reader.pos = tensorEnd;
      } else if (field === 9 && wire === WireType.LengthDelimited) metadata = readMetadata(reader, enter(reader, end));
      else {
        if (wire === WireType.LengthDelimited && field >= 4 && field <= 6)
          kind = field === 4 ? KIND_IMAGE : field === 5 ? KIND_HISTO : KIND_AUDIO;
        skip(reader, wire, field);
      }
    }
    leave(reader, end);
    info ??= this.tags.info(this.bytes, 0, 0);
    let plugin = info.plugin;
    if (plugin === undefined) {
      plugin = firstPlugin(kind, metadata, this.lenient && tensor !== undefined && tensorScalar(tensor) !== undefined);
      info.plugin = plugin;
    }
    const fields = this.fields;
    if (plugin === HPARAMS_PLUGIN && metadata?.content !== undefined) fields.hparams[fields.hparamsCount++] = metadata.content;
    if (plugin === SCALARS_PLUGIN) {
      const value = kind === KIND_SIMPLE ? simple : tensor !== undefined ? tensorScalar(tensor) : undefined;
      if (value !== undefined) {
        fields.tags[fields.count] = info.tag;
        fields.infos[fields.count] = info;
        fields.values[fields.count] = value;
        fields.count++;
        return;
      }
    }
    this.other(plugin);
  }
}

const KIND_NONE = 0;
const KIND_SIMPLE = 1;
const KIND_TENSOR = 2;
const KIND_IMAGE = 3;
const KIND_HISTO = 4;
const KIND_AUDIO = 5;

/** DataClass enum of summary.proto: DATA_CLASS_UNKNOWN = 0. */
const DATA_CLASS_UNKNOWN = 0;

/** A tag's plugin from its first value (the rules in the header). */
function firstPlugin(kind: number, metadata: Metadata | undefined, assumeScalar: boolean): string {
  if (metadata !== undefined && metadata.dataClass !== DATA_CLASS_UNKNOWN) return metadata.plugin;
  if (kind === KIND_SIMPLE) return SCALARS_PLUGIN;
  if (kind === KIND_HISTO) return 'histograms';
  if (kind === KIND_IMAGE) return 'images';
  if (kind === KIND_AUDIO) return 'audio';
  if (metadata !== undefined) return metadata.plugin;
  return assumeScalar ? SCALARS_PLUGIN : '';
}

/**
 * Tag bytes → their TagInfo, remembered: an event file repeats a handful of tags millions of times.
 * A small direct-mapped table on a hash of the bytes; a miss (or a collision) decodes and replaces.
 */
class TagInterner {
  private readonly bytes: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(256);
  private readonly infos: TagInfo[] = new Array<TagInfo>(256);

  constructor(private readonly infoOf: (tag: string) => TagInfo) {}

  info(buf: Uint8Array, start: number, end: number): TagInfo {
    let hash = end - start;
    for (let i = start; i < end; i++) hash = (Math.imul(hash, 31) + buf[i]!) | 0;
    const slot = (hash ^ (hash >>> 8) ^ (hash >>> 16)) & 255;
    const known = this.bytes[slot];
    if (known !== undefined && known.length === end - start) {
      let same = true;
      for (let i = 0; i < known.length; i++) {
        if (known[i] !== buf[start + i]) {
          same = false;
          break;
        }
      }
      if (same) return this.infos[slot]!;
    }
    const info = this.infoOf(decodeUtf8(buf.subarray(start, end)));
    this.bytes[slot] = buf.slice(start, end);
    this.infos[slot] = info;
    return info;
  }
}

/**
 * A decoder of whole records into DecodedEvent objects (tests, one-off reads): EventReader's fields,
 * copied. Records decoded by one decoder are one file: each tag's first value decides its plugin.
 */
export function eventDecoder(options: EventReaderOptions = {}): (data: Uint8Array) => EventDecodeResult {
  const events = new EventReader(options);
  return (data) => {
    const error = events.read(data, 0, data.length);
    if (error !== null) return { ok: false, error };
    const { wallTime, step, fileVersion, count, tags, values } = events.fields;
    const event: DecodedEvent = { wallTime, step, scalars: [] };
    if (fileVersion !== undefined) event.fileVersion = fileVersion;
    for (let i = 0; i < count; i++) event.scalars.push({ tag: tags[i]!, value: values[i]! });
    return { ok: true, event };
  };
}

/** The field number and wire type of the next tag (read as one varint: no tuple per field). */
function nextTag(reader: BinaryReader): number {
  return reader.uint32();
}

/** Skips a field of a known wire type; an unknown (or group-end) wire type is malformed input. */
function skip(reader: BinaryReader, wire: WireType, field: number): void {
  if (field === 0 || wire > WireType.Bit32) throw new DecodeError(`invalid tag (field ${field}, wire type ${wire})`);
  reader.skip(wire, field);
}

/** Reads a length prefix; returns the end offset of the nested message (within `limit`, its parent's end). */
function enter(reader: BinaryReader, limit: number): number {
  const end = reader.uint32() + reader.pos;
  if (end > limit) throw new DecodeError('nested message extends past its parent');
  return end;
}

function leave(reader: BinaryReader, end: number): void {
  if (reader.pos !== end) throw new DecodeError('field crosses the end of its nested message');
}

interface TensorFields {
  dtype: number;
  elements: number;
  content?: Uint8Array;
  numbers: number[];
}

interface Metadata {
  plugin: string;
  content: Uint8Array | undefined;
  dataClass: number;
}

/** SummaryMetadata: its plugin's name and content, and its data class. */
function readMetadata(reader: BinaryReader, end: number): Metadata {
  const metadata: Metadata = { plugin: '', content: undefined, dataClass: DATA_CLASS_UNKNOWN };
  while (reader.pos < end) {
    const key = nextTag(reader);
    const field = key >>> 3;
    const wire = (key & 7) as WireType;
    if (field === 1 && wire === WireType.LengthDelimited) {
      const pluginEnd = enter(reader, end);
      while (reader.pos < pluginEnd) {
        const k = nextTag(reader);
        const f = k >>> 3;
        const w = (k & 7) as WireType;
        if (f === 1 && w === WireType.LengthDelimited) metadata.plugin = reader.string();
        else if (f === 2 && w === WireType.LengthDelimited) metadata.content = reader.bytes();
        else skip(reader, w, f);
      }
      leave(reader, pluginEnd);
    } else if (field === 4 && wire === WireType.Varint) metadata.dataClass = reader.int32();
    else skip(reader, wire, field);
  }
  leave(reader, end);
  return metadata;
}

function readTensor(reader: BinaryReader, end: number): TensorFields {
  const tensor: TensorFields = { dtype: 0, elements: 1, numbers: [] };
  while (reader.pos < end) {
    const key = nextTag(reader);
    const field = key >>> 3;
    const wire = (key & 7) as WireType;
    if (field === 1 && wire === WireType.Varint) tensor.dtype = reader.int32();
    else if (field === 2 && wire === WireType.LengthDelimited) tensor.elements = shapeElements(reader, enter(reader, end));
    else if (field === 4 && wire === WireType.LengthDelimited) tensor.content = reader.bytes();
    else if (field === 5) readRepeated(reader, end, wire, WireType.Bit32, () => reader.float(), tensor.numbers);
    else if (field === 6) readRepeated(reader, end, wire, WireType.Bit64, () => reader.double(), tensor.numbers);
    else if (field === 7) readRepeated(reader, end, wire, WireType.Varint, () => reader.int32(), tensor.numbers);
    else if (field === 10) readRepeated(reader, end, wire, WireType.Varint, () => Number(reader.int64()), tensor.numbers);
    else if (field === 13) readRepeated(reader, end, wire, WireType.Varint, () => reader.int32(), tensor.numbers);
    else skip(reader, wire, field);
  }
  leave(reader, end);
  return tensor;
}

/** Packed (length-delimited) or unpacked encoding of a repeated scalar field. */
function readRepeated(
  reader: BinaryReader,
  limit: number,
  wire: WireType,
  elementWire: WireType,
  read: () => number,
  into: number[],
): void {
  if (wire === elementWire) {
    into.push(read());
  } else if (wire === WireType.LengthDelimited) {
    const end = reader.uint32() + reader.pos;
    if (end > limit) throw new DecodeError('packed field extends past its message');
    while (reader.pos < end) into.push(read());
    if (reader.pos !== end) throw new DecodeError('packed field element crosses its end');
  } else {
    throw new DecodeError(`unexpected wire type ${wire} for a repeated field`);
  }
}

/** Number of elements of a TensorShapeProto (1 for rank 0); -1 when the rank is unknown. */
function shapeElements(reader: BinaryReader, end: number): number {
  let elements = 1;
  while (reader.pos < end) {
    const key = nextTag(reader);
    const field = key >>> 3;
    const wire = (key & 7) as WireType;
    if (field === 2 && wire === WireType.LengthDelimited) {
      const dimEnd = enter(reader, end);
      let size = 0;
      while (reader.pos < dimEnd) {
        const k = nextTag(reader);
        const f = k >>> 3;
        const w = (k & 7) as WireType;
        if (f === 1 && w === WireType.Varint) size = Number(reader.int64());
        else skip(reader, w, f);
      }
      leave(reader, dimEnd);
      elements = size < 0 ? -1 : elements < 0 ? -1 : elements * size;
    } else if (field === 3 && wire === WireType.Varint) {
      if (reader.bool()) elements = -1;
    } else skip(reader, wire, field);
  }
  leave(reader, end);
  return elements;
}

function tensorScalar(t: TensorFields): number | undefined {
  if (t.elements !== 1) return undefined;
  const c = t.content;
  if (c !== undefined && c.length > 0) {
    const view = new DataView(c.buffer, c.byteOffset, c.byteLength);
    switch (t.dtype) {
      case DT_FLOAT:
        return c.length === 4 ? view.getFloat32(0, true) : undefined;
      case DT_DOUBLE:
        return c.length === 8 ? view.getFloat64(0, true) : undefined;
      case DT_HALF:
        return c.length === 2 ? halfToNumber(view.getUint16(0, true)) : undefined;
      case DT_BFLOAT16:
        return c.length === 2 ? bfloat16ToNumber(view.getUint16(0, true)) : undefined;
      case DT_INT32:
        return c.length === 4 ? view.getInt32(0, true) : undefined;
      case DT_INT64:
        return c.length === 8 ? Number(view.getBigInt64(0, true)) : undefined;
      default:
        return undefined;
    }
  }
  const first = t.numbers[0];
  if (t.numbers.length !== 1 || first === undefined) return undefined;
  switch (t.dtype) {
    case DT_FLOAT:
    case DT_DOUBLE:
    case DT_INT32:
    case DT_INT64:
      return first;
    case DT_HALF:
      return halfToNumber(first & 0xffff);
    case DT_BFLOAT16:
      return bfloat16ToNumber(first & 0xffff);
    default:
      return undefined;
  }
}

export function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

const bf16View = new DataView(new ArrayBuffer(4));

export function bfloat16ToNumber(bits: number): number {
  bf16View.setUint32(0, (bits & 0xffff) << 16);
  return bf16View.getFloat32(0);
}
