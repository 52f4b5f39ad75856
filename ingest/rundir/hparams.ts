// Hyperparameters a run directory records, as one flat config tree:
//
// * TensorBoard's HParams plugin (`hp.hparams`, PyTorch `add_hparams`, Lightning's `log_hyperparams`):
//   the `content` of a summary value whose plugin is `hparams` is an HParamsPluginData
//   (tensorboard/plugins/hparams/plugin_data.proto): `int32 version = 1; oneof data { Experiment
//   experiment = 2; SessionStartInfo session_start_info = 3; SessionEndInfo session_end_info = 4; }`,
//   SessionStartInfo `map<string, google.protobuf.Value> hparams = 1; … string group_name = 4;
//   double start_time_secs = 5;`, google.protobuf.Value `null_value = 1; double number_value = 2;
//   string string_value = 3; bool bool_value = 4; Struct struct_value = 5; ListValue list_value = 6;`.
//   Only the session start info names a run's hyperparameters (the experiment lists the domain of
//   every session's; the end info is a status).
// * PyTorch Lightning's `lightning_logs/version_N/hparams.yaml` (`save_hparams_to_yaml`): a YAML
//   mapping, often with `!!python/object…` tags of pickled objects and anchors; such values are kept
//   as the YAML text would read (their mapping or sequence), never executed.
//
// Pure; never throws.

import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import { parseDocument } from 'yaml';
import { decodeUtf8 } from './event';

export type HparamValue = number | string | boolean | null | HparamValue[] | { [key: string]: HparamValue };

/** The hyperparameters a session start info names, or null when the content is not one (experiment, end info, malformed). */
export function decodeSessionStartHparams(content: Uint8Array): Record<string, HparamValue> | null {
  try {
    const reader = new BinaryReader(content, decodeUtf8);
    let start: Uint8Array | null = null;
    while (reader.pos < content.length) {
      const [field, wire] = reader.tag();
      if (field === 3 && wire === WireType.LengthDelimited) start = reader.bytes();
      else reader.skip(wire, field);
    }
    if (start === null) return null;
    // `map<string, Value> hparams = 1` has the wire shape of Struct's `map<string, Value> fields = 1`;
    // the info's other fields (model_uri, group_name, start_time_secs…) are skipped likewise.
    return protobufStruct(start, 0);
  } catch {
    return null;
  }
}

const MAX_DEPTH = 32;

/** A google.protobuf.Value (numbers, strings, booleans, null, nested structs and lists). */
function protobufValue(bytes: Uint8Array, depth: number): HparamValue {
  const reader = new BinaryReader(bytes, decodeUtf8);
  let value: HparamValue = null;
  while (reader.pos < bytes.length) {
    const [field, wire] = reader.tag();
    if (field === 2 && wire === WireType.Bit64) value = reader.double();
    else if (field === 3 && wire === WireType.LengthDelimited) value = reader.string();
    else if (field === 4 && wire === WireType.Varint) value = reader.bool();
    else if (field === 5 && wire === WireType.LengthDelimited && depth < MAX_DEPTH) value = protobufStruct(reader.bytes(), depth + 1);
    else if (field === 6 && wire === WireType.LengthDelimited && depth < MAX_DEPTH) value = protobufList(reader.bytes(), depth + 1);
    else reader.skip(wire, field);
  }
  return value;
}

function protobufStruct(bytes: Uint8Array, depth: number): Record<string, HparamValue> {
  const reader = new BinaryReader(bytes, decodeUtf8);
  const out: Record<string, HparamValue> = {};
  while (reader.pos < bytes.length) {
    const [field, wire] = reader.tag();
    if (field !== 1 || wire !== WireType.LengthDelimited) {
      reader.skip(wire, field);
      continue;
    }
    const entry = new BinaryReader(reader.bytes(), decodeUtf8);
    let key = '';
    let value: HparamValue = null;
    while (entry.pos < entry.len) {
      const [f, w] = entry.tag();
      if (f === 1 && w === WireType.LengthDelimited) key = entry.string();
      else if (f === 2 && w === WireType.LengthDelimited) value = protobufValue(entry.bytes(), depth);
      else entry.skip(w, f);
    }
    out[key] = value;
  }
  return out;
}

function protobufList(bytes: Uint8Array, depth: number): HparamValue[] {
  const reader = new BinaryReader(bytes, decodeUtf8);
  const out: HparamValue[] = [];
  while (reader.pos < bytes.length) {
    const [field, wire] = reader.tag();
    if (field === 1 && wire === WireType.LengthDelimited) out.push(protobufValue(reader.bytes(), depth));
    else reader.skip(wire, field);
  }
  return out;
}

export type HparamsYamlResult = { ok: true; tree: Record<string, HparamValue>; warnings: string[] } | { ok: false; error: string };

/** Lightning's hparams.yaml → its mapping (Python-specific tags read as the plain YAML under them). */
export function parseHparamsYaml(text: string): HparamsYamlResult {
  let doc;
  try {
    // Lightning's files can be large and full of anchors: aliases are resolved (toJS bounds their count).
    doc = parseDocument(text, { uniqueKeys: false, prettyErrors: false });
  } catch (error) {
    return { ok: false, error: `hparams.yaml: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (doc.errors.length > 0) return { ok: false, error: `hparams.yaml: ${doc.errors[0]!.message}` };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 10_000 });
  } catch (error) {
    return { ok: false, error: `hparams.yaml: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (value === null || value === undefined) return { ok: true, tree: {}, warnings: [] };
  if (typeof value !== 'object' || Array.isArray(value)) return { ok: false, error: 'hparams.yaml: not a mapping' };
  // Unknown tags (`!!python/object:…`) are warnings of the yaml library: the values stay as written.
  const tags = new Set<string>();
  for (const warning of doc.warnings) {
    const tag = /Unresolved tag: (\S+)/.exec(warning.message)?.[1];
    // `tag:yaml.org,2002:python/object:module.Class` → `!!python/object`.
    if (tag !== undefined) tags.add(`!!${tag.replace(/^tag:yaml\.org,2002:/, '').replace(/:.*$/, '')}`);
  }
  const warnings = tags.size > 0 ? [`hparams.yaml: Python-specific tags read as plain YAML (${[...tags].sort().join(', ')})`] : [];
  return { ok: true, tree: toHparam(value, 0) as Record<string, HparamValue>, warnings };
}

/** JSON-safe: Dates and other objects the YAML library builds become strings; depth is bounded. */
function toHparam(value: unknown, depth: number): HparamValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.toISOString();
  if (depth >= MAX_DEPTH) return '…';
  if (Array.isArray(value)) return value.map((item) => toHparam(item, depth + 1));
  if (value instanceof Map) {
    const out: Record<string, HparamValue> = {};
    for (const [key, item] of value) out[String(key)] = toHparam(item, depth + 1);
    return out;
  }
  if (value instanceof Set) return [...value].map((item) => toHparam(item, depth + 1));
  if (typeof value === 'object') {
    const out: Record<string, HparamValue> = {};
    for (const [key, item] of Object.entries(value)) out[key] = toHparam(item, depth + 1);
    return out;
  }
  // Functions and symbols: the YAML library builds neither.
  return typeof value === 'symbol' ? value.toString() : typeof value;
}
