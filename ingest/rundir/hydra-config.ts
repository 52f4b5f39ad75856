// Hydra's saved run config (`<run>/.hydra/config.yaml`, `overrides.yaml`, optionally `hydra.yaml`) →
// the training settings the daemon shows, and the vision-layer freezing the config asks for.
//
// Interpolations (`${now:%Y%m%d_%H%M%S}`, `${task}`) are left unresolved: they are plain strings.
// config.yaml is written after overrides are applied, so it is authoritative; overrides are reported
// as given.
//
// Freezing (log-formats §2.2–2.3), resolved against the backbone's vision-encoder layer count:
// * side lineage `_apply_flexible_vision_freezing`, exactly one strategy by priority:
//   1. `unfreeze_vision_layers: [..]` (list; negative indices count from the end; out of range → ignored)
//   2. `freeze_vision_layers: [..]` (list; no negative indices; out of range → ignored)
//   3. `freeze_vision_ratio: r` (num_frozen = int(total * r); r outside [0, 1] → default behaviour)
// * all-in-one `_apply_partial_vision_freeze`: `unfreeze_vision_layers: N` (int > 0) → train the last
//   N layers (N ≥ total → all), even if freeze_vision_encoder is true.
// * otherwise LeRobot's default: the vision encoder is frozen when `freeze_vision_encoder` or
//   `train_expert_only` is true, else trainable.
// This is what the config *asks for*: §2.2/§2.3 list versions in which the code that applies it fails
// (ceca60f/08226f3, cc4c133–610726b), which a config alone cannot reveal.
//
// Pure (takes file contents, not paths); never throws.

import { parseDocument } from 'yaml';

export const VISION_LAYER_COUNTS: Readonly<Record<string, number>> = {
  'HuggingFaceTB/SmolVLM2-500M-Video-Instruct': 12,
};

export type FreezeKind = 'unfreeze' | 'freeze' | 'ratio' | 'last_n' | 'none';

export interface VisionFreezing {
  kind: FreezeKind;
  /** The config value that selected the strategy (list, ratio, N), or null for 'none'. */
  spec: number[] | number | null;
  /** Vision-encoder layer count of the backbone, null when the backbone is unknown. */
  totalLayers: number | null;
  /** Sorted layer indices; null when they cannot be resolved without totalLayers. */
  frozen: number[] | null;
  unfrozen: number[] | null;
  /** What the trainer would print as a warning (out-of-range index, bad ratio, N ≥ total). */
  warnings: string[];
}

export interface HydraOverride {
  raw: string;
  /** '' (plain), '+' (add), '++' (force add), '~' (delete). */
  prefix: '' | '+' | '++' | '~';
  key: string;
  value: string | null;
}

export interface RunTimestamp {
  /** As written, e.g. "20251120_080000". */
  raw: string;
  /** Local time without zone, e.g. "2025-11-20T08:00:00". */
  iso: string;
  source: 'folder' | 'output_dir';
}

export interface HydraRunConfig {
  method: string | null;
  task: string | null;
  policyName: string | null;
  backbone: string | null;
  batchSize: number | null;
  lr: number | null;
  epochs: number | null;
  seed: number | null;
  device: string | null;
  validation: {
    freqEpoch: number | null;
    episodes: number | null;
    allPreviousTasks: boolean | null;
  };
  replay: boolean | null;
  /** Dataset-ish settings: `task`, and any key path mentioning dataset / repo_id / root / data_dir. */
  dataset: Record<string, string | number | boolean | null>;
  outputDirectory: string | null;
  freezing: VisionFreezing;
  overrides: HydraOverride[];
  timestamp: RunTimestamp | null;
  /** The parsed config, for keys not extracted above. */
  raw: Record<string, unknown>;
  warnings: string[];
}

export interface HydraInput {
  configYaml: string;
  overridesYaml?: string;
  hydraYaml?: string;
  /** Name of the folder holding `.hydra/` (Hydra's default run dir name is the timestamp). */
  dirName?: string;
  /** Extra or overriding backbone → vision layer counts. */
  layerCounts?: Record<string, number>;
}

export type HydraResult = { ok: true; value: HydraRunConfig } | { ok: false; error: string };

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function get(root: unknown, path: string): unknown {
  let cur: unknown = root;
  for (const part of path.split('.')) {
    if (!isObj(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

function getNum(root: unknown, path: string, warnings: string[]): number | null {
  const v = get(root, path);
  if (v === undefined || v === null) return null;
  if (typeof v === 'number') return v;
  warnings.push(`${path}: expected a number, got ${JSON.stringify(v)}`);
  return null;
}

function getStr(root: unknown, path: string): string | null {
  const v = get(root, path);
  return typeof v === 'string' ? v : null;
}

function getBool(root: unknown, path: string, warnings: string[]): boolean | null {
  const v = get(root, path);
  if (v === undefined || v === null) return null;
  if (typeof v === 'boolean') return v;
  warnings.push(`${path}: expected a boolean, got ${JSON.stringify(v)}`);
  return null;
}

function parseYamlText(text: string, what: string): { ok: true; value: unknown } | { ok: false; error: string } {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) return { ok: false, error: `${what}: ${doc.errors[0]?.message ?? 'YAML error'}` };
  return { ok: true, value: doc.toJS({ maxAliasCount: 100 }) as unknown };
}

const range = (from: number, to: number): number[] => {
  const out: number[] = [];
  for (let i = from; i < to; i++) out.push(i);
  return out;
};

const complement = (set: Set<number>, total: number): number[] => range(0, total).filter((i) => !set.has(i));

function isIntList(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isInteger(x));
}

/** Resolves the freezing strategy in a `policy:` section against `totalLayers` (null = unknown backbone). */
export function resolveVisionFreezing(policy: unknown, totalLayers: number | null): VisionFreezing {
  const warnings: string[] = [];
  const p = isObj(policy) ? policy : {};
  const unfreeze = p['unfreeze_vision_layers'];
  const freeze = p['freeze_vision_layers'];
  const ratio = p['freeze_vision_ratio'];
  const total = totalLayers;

  const result = (kind: FreezeKind, spec: VisionFreezing['spec'], frozen: number[] | null, unfrozen: number[] | null): VisionFreezing => ({
    kind,
    spec,
    totalLayers: total,
    frozen,
    unfrozen,
    warnings,
  });

  const defaultBehaviour = (): VisionFreezing => {
    const frozenAll = p['freeze_vision_encoder'] === true || p['train_expert_only'] === true;
    // LeRobot's SmolVLAConfig defaults freeze_vision_encoder to True when the key is absent.
    const frozen = frozenAll || p['freeze_vision_encoder'] === undefined;
    if (total === null) return result('none', null, null, null);
    return result('none', null, frozen ? range(0, total) : [], frozen ? [] : range(0, total));
  };

  // 1. unfreeze list (side lineage; negatives allowed).
  if (Array.isArray(unfreeze)) {
    if (!isIntList(unfreeze)) {
      warnings.push(`unfreeze_vision_layers: not a list of integers: ${JSON.stringify(unfreeze)}`);
      return defaultBehaviour();
    }
    if (total === null) return result('unfreeze', unfreeze, null, null);
    const set = new Set<number>();
    for (const idx of unfreeze) {
      const actual = idx < 0 ? total + idx : idx;
      if (actual < 0 || actual >= total) {
        warnings.push(
          idx < 0
            ? `layer index ${idx} (actual: ${actual}) out of range [0, ${total - 1}]`
            : `layer index ${idx} out of range [0, ${total - 1}]`,
        );
      } else set.add(actual);
    }
    return result(
      'unfreeze',
      unfreeze,
      complement(set, total),
      [...set].sort((a, b) => a - b),
    );
  }
  // all-in-one: int N > 0 → last N layers.
  if (typeof unfreeze === 'number' && Number.isInteger(unfreeze) && unfreeze > 0) {
    if (total === null) return result('last_n', unfreeze, null, null);
    if (unfreeze >= total) {
      warnings.push(`unfreeze_vision_layers=${unfreeze} >= total layers=${total}: all vision layers unfrozen`);
      return result('last_n', unfreeze, [], range(0, total));
    }
    return result('last_n', unfreeze, range(0, total - unfreeze), range(total - unfreeze, total));
  }
  // 2. freeze list (no negatives).
  if (Array.isArray(freeze)) {
    if (!isIntList(freeze)) {
      warnings.push(`freeze_vision_layers: not a list of integers: ${JSON.stringify(freeze)}`);
      return defaultBehaviour();
    }
    const set = new Set<number>();
    for (const idx of freeze) {
      if (idx < 0 || (total !== null && idx >= total)) {
        warnings.push(`layer index ${idx} out of range [0, ${total === null ? '?' : total - 1}]`);
      } else set.add(idx);
    }
    const frozen = [...set].sort((a, b) => a - b);
    return result('freeze', freeze, frozen, total === null ? null : complement(set, total));
  }
  // 3. ratio.
  if (typeof ratio === 'number') {
    if (!(ratio >= 0 && ratio <= 1)) {
      warnings.push(`freeze_vision_ratio=${ratio} not in [0.0, 1.0]: default behaviour`);
      const d = defaultBehaviour();
      return { ...d, spec: ratio };
    }
    if (total === null) return result('ratio', ratio, null, null);
    const numFrozen = Math.trunc(total * ratio);
    return result('ratio', ratio, range(0, numFrozen), range(numFrozen, total));
  }
  return defaultBehaviour();
}

function parseOverrides(value: unknown, warnings: string[]): HydraOverride[] {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) {
    warnings.push('overrides.yaml: expected a list');
    return [];
  }
  const out: HydraOverride[] = [];
  for (const item of value) {
    if (typeof item !== 'string') {
      warnings.push(`overrides.yaml: ignoring non-string entry ${JSON.stringify(item)}`);
      continue;
    }
    const m = /^(\+\+|\+|~)?([^=]+?)(?:=(.*))?$/s.exec(item);
    if (m === null) {
      warnings.push(`overrides.yaml: cannot parse ${JSON.stringify(item)}`);
      continue;
    }
    out.push({
      raw: item,
      prefix: (m[1] ?? '') as HydraOverride['prefix'],
      key: m[2] ?? '',
      value: m[3] ?? null,
    });
  }
  return out;
}

const TIMESTAMP = /(\d{4})(\d{2})(\d{2})_(\d{2})(\d{2})(\d{2})$/;

export function parseRunTimestamp(name: string, source: RunTimestamp['source']): RunTimestamp | null {
  const base =
    name
      .replace(/[/\\]+$/, '')
      .split(/[/\\]/)
      .pop() ?? '';
  const m = TIMESTAMP.exec(base);
  if (m === null) return null;
  const [, y, mo, d, h, mi, s] = m;
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) return null;
  return { raw: m[0], iso: `${y}-${mo}-${d}T${h}:${mi}:${s}`, source };
}

const DATASET_KEY = /dataset|repo_id|data_dir|(^|_)root$/i;

function collectDatasetKeys(node: unknown, prefix: string, out: Record<string, string | number | boolean | null>): void {
  if (!isObj(node)) return;
  for (const [key, value] of Object.entries(node)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (isObj(value)) collectDatasetKeys(value, path, out);
    else if (
      DATASET_KEY.test(key) &&
      (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    ) {
      out[path] = value;
    }
  }
}

export function parseHydraConfig(input: HydraInput): HydraResult {
  const warnings: string[] = [];
  const cfgParsed = parseYamlText(input.configYaml, 'config.yaml');
  if (!cfgParsed.ok) return cfgParsed;
  if (!isObj(cfgParsed.value)) return { ok: false, error: 'config.yaml: expected a mapping at the top level' };
  const cfg = cfgParsed.value;

  let overrides: HydraOverride[] = [];
  if (input.overridesYaml !== undefined) {
    const o = parseYamlText(input.overridesYaml, 'overrides.yaml');
    if (o.ok) overrides = parseOverrides(o.value, warnings);
    else warnings.push(o.error);
  }

  let hydra: unknown;
  if (input.hydraYaml !== undefined) {
    const h = parseYamlText(input.hydraYaml, 'hydra.yaml');
    if (h.ok) hydra = h.value;
    else warnings.push(h.error);
  }
  // Hydra may also be embedded in config.yaml when saved with `hydra` in the config.
  hydra ??= cfg['hydra'] !== undefined ? { hydra: cfg['hydra'] } : undefined;

  const backbone = getStr(cfg, 'policy.vlm_model_name');
  const counts = { ...VISION_LAYER_COUNTS, ...input.layerCounts };
  const totalLayers = backbone !== null ? (counts[backbone] ?? null) : null;
  if (backbone !== null && totalLayers === null) warnings.push(`unknown backbone ${backbone}: layer indices unresolved`);

  const task = get(cfg, 'task');
  const epochs =
    getNum(cfg, 'training.max_epoch', warnings) ??
    getNum(cfg, 'training.epochs', warnings) ??
    getNum(cfg, 'task.training.max_epoch', warnings);

  const dataset: Record<string, string | number | boolean | null> = {};
  if (typeof task === 'string') dataset['task'] = task;
  collectDatasetKeys(cfg, '', dataset);

  let timestamp: RunTimestamp | null = null;
  if (input.dirName !== undefined) timestamp = parseRunTimestamp(input.dirName, 'folder');
  const outputDir = getStr(hydra, 'hydra.runtime.output_dir');
  if (timestamp === null && outputDir !== null) timestamp = parseRunTimestamp(outputDir, 'output_dir');
  if (timestamp !== null && outputDir !== null) {
    const other = parseRunTimestamp(outputDir, 'output_dir');
    if (other !== null && other.raw !== timestamp.raw) {
      warnings.push(`folder timestamp ${timestamp.raw} differs from hydra.runtime.output_dir ${other.raw}`);
    }
  }

  const value: HydraRunConfig = {
    method: getStr(cfg, 'method'),
    task: typeof task === 'string' ? task : getStr(cfg, 'task.name'),
    policyName: getStr(cfg, 'policy_name'),
    backbone,
    batchSize: getNum(cfg, 'training.batch_size', warnings),
    lr: getNum(cfg, 'policy.optimizer_lr', warnings),
    epochs,
    seed: getNum(cfg, 'training.seed', warnings) ?? getNum(cfg, 'seed', warnings),
    device: getStr(cfg, 'training.device'),
    validation: {
      freqEpoch: getNum(cfg, 'training.validation_freq_epoch', warnings),
      episodes: getNum(cfg, 'training.validation_episodes', warnings),
      allPreviousTasks: getBool(cfg, 'training.validate_all_previous_tasks', warnings),
    },
    replay: getBool(cfg, 'sequential.use_replay_buffer', warnings),
    dataset,
    outputDirectory: getStr(cfg, 'training.output_directory'),
    freezing: resolveVisionFreezing(get(cfg, 'policy'), totalLayers),
    overrides,
    timestamp,
    raw: cfg,
    warnings,
  };
  return { ok: true, value };
}
