// Which settings differ among the runs in view, and whether a comparison across freeze strategies is
// confounded: runs that also differ in anything that changes the loss (learning rate, batch size,
// epochs, seed, replay, validation settings, dataset) do not isolate the strategy.

/** One run's settings: flattened config keys ("training.batch_size") and what the trainer used. */
export interface ConfigRun {
  runId: number;
  strategyKey: string;
  /** Flattened config tree values (JSON text), and `run.*` facts the trainer printed or reported. */
  values: Record<string, string>;
}

export interface ConfigDiffRow {
  key: string;
  /** One value per run (in the order given); null where the run does not have the key. */
  values: (string | null)[];
  /** Changes the loss (not the strategy itself). */
  confounder: boolean;
}

export interface ConfigDiff {
  runIds: number[];
  rows: ConfigDiffRow[];
  /** Confounding keys that differ (empty when the runs share one strategy). */
  confounders: string[];
  warning: string | null;
}

export const CONFOUNDER_WARNING = 'these runs differ in more than their freeze strategy';

/** Keys that differ from run to run by nature, or are the strategy itself. */
const IGNORED = /^(timestamp|hydra\..*|defaults.*)$/;
const STRATEGY = /(^|\.)(unfreeze_vision_layers|freeze_vision_layers|freeze_vision_ratio|freeze_vision_encoder|train_expert_only)$/;
/** What changes the loss: learning rate, batch size, epochs, seed, replay, validation settings, dataset. */
const CONFOUNDERS: [RegExp, string][] = [
  [/(^|\.)(optimizer_lr|lr|learning_rate|learningRate)$/i, 'learning rate'],
  [/(^|\.)(batch_size|batchSize)$/i, 'batch size'],
  [/(^|\.)(max_epoch|epochs|epochsTotal)$/i, 'epochs'],
  [/(^|\.)seed$/i, 'seed'],
  [/replay/i, 'replay'],
  [/(^|\.)(validation_[a-z_]+|validate_[a-z_]+)$/i, 'validation settings'],
  [/(dataset|repo_id|data_dir|(^|\.|_)root$|^task$)/i, 'dataset'],
];

export function confounderOf(key: string): string | null {
  if (STRATEGY.test(key)) return null;
  for (const [pattern, name] of CONFOUNDERS) if (pattern.test(key)) return name;
  return null;
}

/** Flattens a config tree into dot paths with JSON-text values (lists as one value). */
export function flattenConfig(tree: unknown, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  if (tree !== null && typeof tree === 'object' && !Array.isArray(tree)) {
    for (const [key, value] of Object.entries(tree as Record<string, unknown>))
      flattenConfig(value, prefix === '' ? key : `${prefix}.${key}`, out);
    return out;
  }
  if (prefix !== '') out[prefix] = JSON.stringify(tree) ?? 'null';
  return out;
}

export function configDiff(runs: readonly ConfigRun[]): ConfigDiff {
  const keys = new Set<string>();
  for (const run of runs) for (const key of Object.keys(run.values)) if (!IGNORED.test(key)) keys.add(key);
  const rows: ConfigDiffRow[] = [];
  for (const key of [...keys].sort()) {
    const values = runs.map((run) => run.values[key] ?? null);
    if (new Set(values).size < 2) continue;
    rows.push({ key, values, confounder: confounderOf(key) !== null });
  }
  const strategies = new Set(runs.map((run) => run.strategyKey));
  const confounders = strategies.size > 1 ? [...new Set(rows.flatMap((row) => confounderOf(row.key) ?? []))] : [];
  return {
    runIds: runs.map((run) => run.runId),
    rows,
    confounders,
    warning: confounders.length > 0 ? `${CONFOUNDER_WARNING}: they also differ in ${confounders.join(', ')}` : null,
  };
}
