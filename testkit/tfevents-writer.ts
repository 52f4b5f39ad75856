// Event-file encoder for tests and benchmarks (not used by the daemon). Writes what PyTorch's
// SummaryWriter and TF2's tf.summary write: a `brain.Event:2` file_version event first, then one
// Event per scalar group, each framed as a TFRecord with masked CRC32C.

import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { DT_DOUBLE, DT_FLOAT, SCALARS_PLUGIN } from '../ingest/rundir/event';
import { maskedCrc32c } from '../ingest/rundir/tfrecord';
import { mulberry32 } from './random';

/**
 * `simple`: Value.simple_value (PyTorch). `tensor`: TF2 rank-0 DT_FLOAT tensor in tensor_content with
 * plugin `scalars`. `float_val` / `double_val`: the tensor's value in the typed repeated field instead.
 * `tensor_no_metadata`: like `tensor`, without SummaryMetadata (TF writes it only for a tag's first value).
 */
export type ScalarStyle = 'simple' | 'tensor' | 'float_val' | 'double_val' | 'tensor_no_metadata';

export interface EventSpec {
  wallTime: number;
  step: number;
  fileVersion?: string;
  scalars?: { tag: string; value: number }[];
}

export const FILE_VERSION = 'brain.Event:2';

export function encodeEvent(spec: EventSpec, style: ScalarStyle = 'simple'): Uint8Array {
  const w = new BinaryWriter();
  w.tag(1, WireType.Bit64).double(spec.wallTime);
  w.tag(2, WireType.Varint).int64(spec.step);
  if (spec.fileVersion !== undefined) w.tag(3, WireType.LengthDelimited).string(spec.fileVersion);
  if (spec.scalars !== undefined && spec.scalars.length > 0) {
    w.tag(5, WireType.LengthDelimited).fork();
    for (const s of spec.scalars) {
      w.tag(1, WireType.LengthDelimited).fork();
      w.tag(1, WireType.LengthDelimited).string(s.tag);
      if (style === 'simple') {
        w.tag(2, WireType.Bit32).float(s.value);
      } else {
        if (style !== 'tensor_no_metadata') {
          w.tag(9, WireType.LengthDelimited).fork();
          w.tag(1, WireType.LengthDelimited).fork();
          w.tag(1, WireType.LengthDelimited).string(SCALARS_PLUGIN);
          w.join();
          w.tag(4, WireType.Varint).int32(1); // DATA_CLASS_SCALAR
          w.join();
        }
        w.tag(8, WireType.LengthDelimited).fork();
        w.tag(1, WireType.Varint).int32(style === 'double_val' ? DT_DOUBLE : DT_FLOAT);
        w.tag(2, WireType.LengthDelimited).bytes(new Uint8Array(0)); // rank-0 shape
        if (style === 'float_val') {
          w.tag(5, WireType.LengthDelimited).fork().float(s.value).join();
        } else if (style === 'double_val') {
          w.tag(6, WireType.LengthDelimited).fork().double(s.value).join();
        } else {
          const content = new Uint8Array(4);
          new DataView(content.buffer).setFloat32(0, s.value, true);
          w.tag(4, WireType.LengthDelimited).bytes(content);
        }
        w.join();
      }
      w.join();
    }
    w.join();
  }
  return w.finish();
}

/** One TFRecord: length, masked CRC of length, data, masked CRC of data. */
export function encodeRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length + 4);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length, true);
  view.setUint32(4, Math.floor(data.length / 0x100000000), true);
  view.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(data, 12);
  view.setUint32(12 + data.length, maskedCrc32c(data), true);
  return out;
}

export interface EncodedFile {
  bytes: Uint8Array;
  /** Start offset of each record (record 0 is the file_version event). */
  offsets: number[];
}

export interface EncodeFileOptions {
  style?: ScalarStyle;
  /** wall_time of the file_version event; defaults to the first event's. */
  startWallTime?: number;
}

export function concatBytes(parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

export function encodeEventFile(events: EventSpec[], options: EncodeFileOptions = {}): EncodedFile {
  const style = options.style ?? 'simple';
  const records: Uint8Array[] = [
    encodeRecord(encodeEvent({ wallTime: options.startWallTime ?? events[0]?.wallTime ?? 0, step: 0, fileVersion: FILE_VERSION })),
  ];
  for (const e of events) records.push(encodeRecord(encodeEvent(e, style)));
  return fileOf(records);
}

/** Records end to end, with where each starts. */
function fileOf(records: readonly Uint8Array[]): EncodedFile {
  const offsets: number[] = [];
  let at = 0;
  for (const r of records) {
    offsets.push(at);
    at += r.length;
  }
  return { bytes: concatBytes([...records]), offsets };
}

/** Copy of `bytes` with the byte at `offset` XOR-ed with `mask` (default 0xff). */
export function flipByte(bytes: Uint8Array, offset: number, mask = 0xff): Uint8Array {
  const out = bytes.slice();
  out[offset] = (out[offset] ?? 0) ^ mask;
  return out;
}

/** Corrupts the length CRC of the record starting at `recordOffset`. */
export function corruptLengthCrc(bytes: Uint8Array, recordOffset: number): Uint8Array {
  return flipByte(bytes, recordOffset + 8);
}

/** Corrupts the data CRC of the record starting at `recordOffset`. */
export function corruptDataCrc(bytes: Uint8Array, recordOffset: number): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint32(recordOffset, true);
  return flipByte(bytes, recordOffset + 12 + length);
}

export interface TrainerEventFileOptions {
  /** Global optimiser steps written. */
  steps: number;
  stepsPerEpoch?: number;
  seed?: number;
  /**
   * 'pytorch': torch.utils.tensorboard's SummaryWriter.add_scalar (one Value per Event, simple_value);
   * 'tf2': tf.summary.scalar (a rank-0 DT_FLOAT tensor; the `scalars` plugin metadata only with a tag's
   * first value, as TensorFlow writes it).
   */
  writer?: 'pytorch' | 'tf2';
}

/**
 * An event file shaped like the team's `kuavo_train/train_policy.py` writes it with the stock
 * `log_freq: 1` (tens of MB per run): `train/loss` and `train/lr` at every global step, and at every
 * epoch's end the validation loss and the performance scalars, each an Event of its own with the wall
 * time of a real clock (float seconds). Deterministic for a seed; several MiB for tens of thousands of
 * steps, so tests and the bench generate it instead of keeping a multi-MiB binary.
 */
export function trainerEventFile(options: TrainerEventFileOptions): EncodedFile {
  const random = mulberry32(options.seed ?? 1);
  const perEpoch = options.stepsPerEpoch ?? 500;
  const writer = options.writer ?? 'pytorch';
  const seen = new Set<string>();
  const start = 1_764_579_654.2371;
  let wallTime = start;
  const records: Uint8Array[] = [encodeRecord(encodeEvent({ wallTime: start, step: 0, fileVersion: FILE_VERSION }))];
  const scalar = (tag: string, value: number, step: number) => {
    const style: ScalarStyle = writer === 'pytorch' ? 'simple' : seen.has(tag) ? 'tensor_no_metadata' : 'tensor';
    seen.add(tag);
    records.push(encodeRecord(encodeEvent({ wallTime, step, scalars: [{ tag, value }] }, style)));
  };
  for (let step = 1; step <= options.steps; step++) {
    wallTime += 0.38 + random() * 0.09;
    const progress = step / options.steps;
    scalar('train/loss', 0.08 + 0.9 * Math.exp(-6 * progress) + (random() - 0.5) * 0.03, step);
    scalar('train/lr', 1e-4 * Math.min(1, step / 1000) * (0.5 + 0.5 * Math.cos(Math.PI * progress)), step);
    if (step % perEpoch === 0) {
      wallTime += 20 + random() * 5;
      scalar('validation/task1_loss', 0.12 + 0.8 * Math.exp(-5 * progress) + random() * 0.02, step);
      scalar('performance/batch_process_time_ms', 380 + random() * 40, step);
      scalar('performance/throughput_samples_per_sec', 150 + random() * 10, step);
    }
  }
  return fileOf(records);
}
