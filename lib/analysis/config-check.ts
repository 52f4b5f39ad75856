// A run's config against what its log printed, for the settings that change the loss (not the freeze
// strategy, which has its own check: the banner vs the config). A log that trained with another batch
// size, learning rate, length, seed or dataset than its config file says is the same silent failure
// as a strategy that was not applied: the comparison the config promises is not the one that ran.

/** The loss-changing settings a config fixes (Hydra's config.yaml, LeRobot's train_config.json). */
export interface ConfigSettings {
  batchSize?: number;
  learningRate?: number;
  epochsTotal?: number;
  totalSteps?: number;
  seed?: number;
  dataset?: string;
}

/** The same settings as the run's own output printed or reported them (null: it did not say). */
export type RunSettings = { [K in keyof ConfigSettings]-?: ConfigSettings[K] | null };

export interface ConfigMismatch {
  setting: keyof ConfigSettings;
  /** Human name ("batch size"). */
  label: string;
  config: string;
  run: string;
}

const sameNumber = (a: number, b: number) => a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));

/** The settings checked, in display order, and when two values count as the same. */
const SETTINGS: readonly { setting: keyof ConfigSettings; label: string; same: (a: never, b: never) => boolean }[] = [
  { setting: 'batchSize', label: 'batch size', same: (a: number, b: number) => a === b },
  // A log prints the learning rate rounded ("lr: 1.0e-04"): equal to float precision is the same.
  { setting: 'learningRate', label: 'learning rate', same: sameNumber },
  { setting: 'epochsTotal', label: 'epochs', same: (a: number, b: number) => a === b },
  { setting: 'totalSteps', label: 'steps', same: (a: number, b: number) => a === b },
  { setting: 'seed', label: 'seed', same: (a: number, b: number) => a === b },
  { setting: 'dataset', label: 'dataset', same: (a: string, b: string) => a.trim() === b.trim() },
];

/** The settings where both the config and the run's output give a value and the two differ. */
export function configMismatches(config: ConfigSettings | null, run: Partial<RunSettings>): ConfigMismatch[] {
  if (config === null) return [];
  const out: ConfigMismatch[] = [];
  for (const { setting, label, same } of SETTINGS) {
    const asked = config[setting];
    const printed = run[setting];
    if (asked === undefined || asked === null || printed === undefined || printed === null) continue;
    if (typeof asked !== typeof printed || !(same as (a: unknown, b: unknown) => boolean)(asked, printed)) {
      out.push({ setting, label, config: String(asked), run: String(printed) });
    }
  }
  return out;
}

/** The settings a stored config JSON (`{ settings: … }`) carries; anything malformed is left out. */
export function configSettingsOf(value: unknown): ConfigSettings | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const raw = value as Record<string, unknown>;
  const out: ConfigSettings = {};
  for (const key of ['batchSize', 'learningRate', 'epochsTotal', 'totalSteps', 'seed'] as const) {
    const v = raw[key];
    if (typeof v === 'number' && Number.isFinite(v)) out[key] = v;
  }
  if (typeof raw['dataset'] === 'string') out.dataset = raw['dataset'];
  return out;
}
