// Run-directory files → the same events a console log yields (ingest/events.ts), so one store
// (ingest/store/) writes them all and one run collects them (see ./identity.ts).
//
// * Event files are tailed like logs: `TfEventsReader` is resumable from a committed offset, holds a
//   half-written final record, and turns bad CRCs into warnings (./tfrecord.ts).
// * training_results.json and Hydra's config are whole documents, parsed again whenever they change.
//
// Every file of a run directory is one run per file: runKey 0.
import path from 'node:path';
import {
  EPOCH_METRIC_INDEX,
  INT32_MAX,
  emptyScalarBlock,
  type ParseEvent,
  type RunInfo,
  type ScalarBlock,
  type StrategyInfo,
} from '../events';
import { EventReader } from './event';
import { parseHydraConfig, type VisionFreezing } from './hydra-config';
import {
  describeIdentity,
  identityForRunFile,
  identityFromHydra,
  identityFromOutputDir,
  lerobotCheckpointOf,
  outputDirOf,
} from './identity';
import { parseTrainingResults } from './results-json';
import { parseTrainConfig } from './train-config';
import { TfRecordReader, type TfRecordVisitor } from './tfrecord';

export const RUNDIR_RUN_KEY = 0;
/** The trainer that writes run directories (the events are its, whichever file carried them). */
const FORMAT = 'smolvla_sequential';

/** What every file of a run directory says about its run: identity, task and timestamp from the path. */
function runDirHeader(file: string, line: number): ParseEvent[] {
  const identity = identityForRunFile(file);
  const described = describeIdentity(identity);
  const info: Partial<RunInfo> = { ...described, outputDir: outputDirOf(path.dirname(path.resolve(file))) };
  return [
    { type: 'run_started', runKey: RUNDIR_RUN_KEY, line, format: FORMAT },
    { type: 'identity', runKey: RUNDIR_RUN_KEY, line, identity },
    { type: 'run_info', runKey: RUNDIR_RUN_KEY, line, info, fallback: true },
  ];
}

const EPOCH_TAGS: Record<string, 'trainLoss' | 'lr' | 'msPerBatch' | 'samplesPerSec' | 'durationMinutes'> = {
  'train/loss': 'trainLoss',
  'train/lr': 'lr',
  'performance/batch_process_time_ms': 'msPerBatch',
  'performance/throughput_samples_per_sec': 'samplesPerSec',
  'train/epoch_duration_minutes': 'durationMinutes',
};
const VALIDATION_TAG = /^validation\/task(\d+)_loss$/;

type TagTarget = (typeof EPOCH_TAGS)[string] | number | null;
const tagTargets = new Map<string, TagTarget>();

/** What a scalar's tag fills: an epoch metric, a task's validation loss (its task id), or nothing. */
export function tagTarget(tag: string): TagTarget {
  let target = tagTargets.get(tag);
  if (target !== undefined) return target;
  const validation = VALIDATION_TAG.exec(tag);
  target = Object.hasOwn(EPOCH_TAGS, tag) ? EPOCH_TAGS[tag]! : validation ? Number(validation[1]) : null;
  // Bounded: a file with endless distinct tags cannot grow the cache past this.
  if (tagTargets.size < 1024) tagTargets.set(tag, target);
  return target;
}

export interface ReaderOutput {
  events: ParseEvent[];
  /** Records consumed (for progress reports). */
  records: number;
}

/**
 * A TensorBoard event file, resumable: `new TfEventsReader(file, { startOffset, startLine })` with the
 * committed cursor continues exactly where the last commit ended. `line` counts records.
 *
 * The scalars of each push come out as one `scalars` event (columns, not an object per value: a
 * backfill reads millions); warnings stay events of their own.
 */
export class TfEventsReader implements TfRecordVisitor {
  private readonly records: TfRecordReader;
  private readonly decoder = new EventReader();
  private line: number;
  private headerSent = false;
  /** The push being read: its events, its scalars, the number of its first scalar's record. */
  private events: ParseEvent[] = [];
  private block: ScalarBlock = emptyScalarBlock();
  private blockLine = 0;
  private count = 0;

  constructor(
    private readonly file: string,
    start: { startOffset: number; startLine: number },
  ) {
    this.records = new TfRecordReader({ startOffset: start.startOffset });
    this.line = start.startLine;
  }

  get committedOffset(): number {
    return this.records.committedOffset;
  }

  /** Number of the next record (1-based), in step with committedOffset. */
  get committedLine(): number {
    return this.line;
  }

  push(chunk: Uint8Array): ReaderOutput {
    this.begin();
    this.records.feed(chunk, this);
    return this.output();
  }

  /** The file is complete (backfill of a closed writer): a half-written tail becomes a warning. */
  end(): ReaderOutput {
    this.begin();
    this.records.finish(this);
    return this.output();
  }

  private begin(): void {
    if (!this.headerSent) {
      this.events.push(...runDirHeader(this.file, this.line));
      this.headerSent = true;
    }
  }

  private output(): ReaderOutput {
    const block = this.block;
    if (block.epochs.epoch.length > 0 || block.validations.epoch.length > 0)
      this.events.push({ type: 'scalars', runKey: RUNDIR_RUN_KEY, line: this.blockLine, block });
    const out = { events: this.events, records: this.count };
    this.events = [];
    this.block = emptyScalarBlock();
    this.count = 0;
    return out;
  }

  /** TfRecordVisitor: a record whose CRCs hold. */
  record(buf: Uint8Array, start: number, end: number, offset: number): void {
    const line = this.line++;
    this.count++;
    const error = this.decoder.read(buf, start, end);
    if (error !== null) {
      this.warn(line, `event at byte ${offset}: ${error}`);
      return;
    }
    const { step, count, tags, values } = this.decoder.fields;
    if (count === 0) return;
    // Steps are 0-based epochs; printed epochs (and the log's rows) are 1-based, and step + 1 must fit an INTEGER column.
    if (!Number.isSafeInteger(step) || step < 0 || step >= INT32_MAX) {
      this.warn(line, `event at byte ${offset}: step ${step} is not an epoch`);
      return;
    }
    const epoch = step + 1;
    const block = this.block;
    if (block.epochs.epoch.length === 0 && block.validations.epoch.length === 0) this.blockLine = line;
    for (let i = 0; i < count; i++) {
      const target = tagTarget(tags[i]!);
      if (target === null) continue;
      if (typeof target === 'number') {
        block.validations.epoch.push(epoch);
        block.validations.taskId.push(target);
        block.validations.loss.push(values[i]!);
      } else {
        block.epochs.epoch.push(epoch);
        block.epochs.metric.push(EPOCH_METRIC_INDEX[target]!);
        block.epochs.value.push(values[i]!);
      }
    }
  }

  /** TfRecordVisitor: damage the record reader found before the next record. */
  warning(offset: number, message: string): void {
    this.warn(this.line, `${message} (byte ${offset})`);
  }

  private warn(line: number, message: string): void {
    this.events.push({ type: 'warning', runKey: RUNDIR_RUN_KEY, line, message });
  }
}

/** training_results.json, written at the very end: the run completed; final validation; fallback config. */
export function readResultsJson(file: string, text: string): ParseEvent[] {
  const events = runDirHeader(file, 1);
  const parsed = parseTrainingResults(text);
  if (!parsed.ok) {
    events.push({ type: 'warning', runKey: RUNDIR_RUN_KEY, line: 1, message: `training_results.json: ${parsed.error}` });
    return events;
  }
  const results = parsed.value;
  const info: Partial<RunInfo> = {};
  if (results.taskId !== null) info.taskId = results.taskId;
  if (results.taskName !== null) info.taskName = results.taskName;
  if (results.description !== null) info.description = results.description;
  if (results.languageInstruction !== null) info.language = results.languageInstruction;
  if (results.trainingEpochs !== null) info.epochsTotal = results.trainingEpochs;
  if (results.learningRate !== null) info.learningRate = results.learningRate;
  events.push({ type: 'run_info', runKey: RUNDIR_RUN_KEY, line: 1, info, fallback: true });
  // The final block belongs to the run's last epoch (as the log parser files it).
  const epoch = results.trainingEpochs ?? 0;
  for (const [taskId, loss] of Object.entries(results.finalValidation)) {
    events.push({ type: 'validation', runKey: RUNDIR_RUN_KEY, line: 1, epoch, final: true, taskId: Number(taskId), loss });
  }
  events.push({
    type: 'status',
    runKey: RUNDIR_RUN_KEY,
    line: 1,
    status: 'completed',
    ...(results.bestLoss !== null ? { bestLoss: results.bestLoss } : {}),
  });
  return events;
}

export interface HydraFiles {
  /** Path of `.hydra/config.yaml`. */
  file: string;
  configYaml: string;
  overridesYaml?: string;
  hydraYaml?: string;
}

export function strategyFromFreezing(freezing: VisionFreezing): StrategyInfo {
  return {
    kind: freezing.kind,
    spec: freezing.spec,
    totalLayers: freezing.totalLayers,
    frozen: freezing.frozen ?? [],
    unfrozen: freezing.unfrozen ?? [],
    applied: true,
    failureReason: freezing.warnings.length > 0 ? freezing.warnings.join('; ') : null,
    visionTrainableParams: null,
    visionTotalParams: null,
  };
}

/** Hydra's `.hydra/` folder: the whole config tree, the strategy it asks for, fallback config fields. */
export function readHydraConfig(input: HydraFiles): ParseEvent[] {
  const hydraDir = path.dirname(path.resolve(input.file));
  const runFolder = path.dirname(hydraDir);
  const parsed = parseHydraConfig({ ...input, dirName: path.basename(runFolder) });
  const line = 1;
  if (!parsed.ok) {
    return [
      { type: 'run_started', runKey: RUNDIR_RUN_KEY, line, format: FORMAT },
      { type: 'identity', runKey: RUNDIR_RUN_KEY, line, identity: `hydra:${runFolder}` },
      { type: 'warning', runKey: RUNDIR_RUN_KEY, line, message: parsed.error },
    ];
  }
  const config = parsed.value;
  const method = config.method ?? path.basename(path.dirname(runFolder));
  const identity = identityFromHydra(config.task, method, config.timestamp?.raw ?? null) ?? `hydra:${runFolder}`;
  const info: Partial<RunInfo> = { ...describeIdentity(identity) };
  if (config.timestamp) info.timestamp = config.timestamp.raw;
  if (config.batchSize !== null && Number.isInteger(config.batchSize)) info.batchSize = config.batchSize;
  if (config.lr !== null) info.learningRate = config.lr;
  if (config.epochs !== null && Number.isInteger(config.epochs)) info.epochsTotal = config.epochs;
  const events: ParseEvent[] = [
    { type: 'run_started', runKey: RUNDIR_RUN_KEY, line, format: FORMAT },
    { type: 'identity', runKey: RUNDIR_RUN_KEY, line, identity },
    { type: 'run_info', runKey: RUNDIR_RUN_KEY, line, info, fallback: true },
    {
      type: 'config',
      runKey: RUNDIR_RUN_KEY,
      line,
      tree: config.raw,
      overrides: config.overrides.map((override) => override.raw),
      strategy: strategyFromFreezing(config.freezing),
      settings: {
        ...(info.batchSize !== undefined ? { batchSize: info.batchSize } : {}),
        ...(info.learningRate !== undefined ? { learningRate: info.learningRate } : {}),
        ...(info.epochsTotal !== undefined ? { epochsTotal: info.epochsTotal } : {}),
        ...(config.seed !== null && Number.isSafeInteger(config.seed) ? { seed: config.seed } : {}),
      },
    },
  ];
  for (const message of config.warnings)
    events.push({ type: 'warning', runKey: RUNDIR_RUN_KEY, line, message: `Hydra config: ${message}` });
  return events;
}

/**
 * LeRobot's `checkpoints/<step>/pretrained_model/train_config.json`: the run's whole config (the newest
 * checkpoint's wins: rank = step), the strategy it asks for, fallback config fields. Its run is the one
 * the console log printing the same `Output dir:` makes.
 */
export function readTrainConfig(file: string, text: string): ParseEvent[] {
  const line = 1;
  const checkpoint = lerobotCheckpointOf(file);
  const located = checkpoint?.outputDir ?? path.dirname(path.resolve(file));
  const parsed = parseTrainConfig(text);
  const printed = parsed.ok ? parsed.value.outputDir : null;
  // The log prints cfg.output_dir as given (often relative to the trainer's working directory): use it
  // when it names where the file is, else the directory the file is in.
  const normalize = (dir: string) =>
    dir
      .replace(/\\/g, '/')
      .replace(/\/+$/, '')
      .replace(/^(\.\/)+/, '');
  const outputDir =
    printed !== null && (printed.startsWith('/') || `${normalize(located)}/`.endsWith(`/${normalize(printed)}/`)) ? printed : located;
  const identity = identityFromOutputDir(outputDir) ?? `dir:${located}`;
  const events: ParseEvent[] = [
    { type: 'run_started', runKey: RUNDIR_RUN_KEY, line, format: 'lerobot' },
    { type: 'identity', runKey: RUNDIR_RUN_KEY, line, identity },
  ];
  if (!parsed.ok) {
    events.push({ type: 'warning', runKey: RUNDIR_RUN_KEY, line, message: parsed.error });
    return events;
  }
  const config = parsed.value;
  const info: Partial<RunInfo> = { outputDir };
  if (config.settings.batchSize !== undefined) info.batchSize = config.settings.batchSize;
  if (config.settings.learningRate !== undefined) info.learningRate = config.settings.learningRate;
  if (config.settings.totalSteps !== undefined) info.totalSteps = config.settings.totalSteps;
  if (config.pretrainedPath !== null) {
    info.pretrainedPath = config.pretrainedPath;
    info.loadedFrom = 'pretrained';
  }
  events.push({ type: 'run_info', runKey: RUNDIR_RUN_KEY, line, info, fallback: true });
  events.push({
    type: 'config',
    runKey: RUNDIR_RUN_KEY,
    line,
    tree: config.tree,
    overrides: [],
    strategy: config.freezing === null ? null : strategyFromFreezing(config.freezing),
    settings: config.settings,
    ...(checkpoint !== null ? { rank: checkpoint.step } : {}),
  });
  return events;
}
