// Run-directory files → the same events a console log yields (ingest/events.ts), so one store
// (ingest/store/) writes them all and one run collects them (see ./identity.ts).
//
// * Event files are tailed like logs: `TfEventsReader` is resumable from a committed offset and the
//   state saved with it, holds a half-written final record, and turns bad CRCs into warnings
//   (./tfrecord.ts). It yields every scalar (`series`), counts every other value by plugin, reads
//   HParams session info as the run's config, and — for the SmolVLA trainer's run directories only —
//   the epoch rows the log parser also fills (`scalars`).
// * training_results.json, Hydra's config and Lightning's hparams.yaml are whole documents, parsed
//   again whenever they change.
//
// Every file of a run directory is one run per file: runKey 0.
import path from 'node:path';
import { methodOfIdentity, runFormatFor, trainerFromMethod } from '../../lib/analysis/scalar-metrics';
import {
  EPOCH_METRIC_INDEX,
  INT32_MAX,
  emptyScalarBlock,
  emptySeriesBlock,
  type ParseEvent,
  type RunFormat,
  type RunInfo,
  type ScalarBlock,
  type SeriesBlock,
  type StrategyInfo,
} from '../events';
import { EventReader, type EventReaderState, type TagInfo } from './event';
import { eventFileContent, type EventFileContent } from './run-layout';
import { decodeSessionStartHparams, parseHparamsYaml, type HparamValue } from './hparams';
import { parseHydraConfig, type VisionFreezing } from './hydra-config';
import {
  describeIdentity,
  identityFromHydra,
  identityFromOutputDir,
  identityOfRunDir,
  lerobotCheckpointOf,
  outputDirOf,
  runDirOfFile,
} from './identity';
import { parseTrainingResults } from './results-json';
import { parseTrainConfig } from './train-config';
import { TfRecordReader, type TfRecordVisitor } from './tfrecord';

export const RUNDIR_RUN_KEY = 0;
/**
 * The run key of what a scalar-free event file holds, given to the run the layout joins it to
 * (TfEventsReader.attach): apart from the file's own key, so the file, should it show a scalar later,
 * still makes the run its path names.
 */
export const ATTACHED_RUN_KEY = 1;
/** The trainer that writes training_results.json (log-formats §1.9). */
const SMOLVLA_FORMAT: RunFormat = 'smolvla_sequential';

/** What a run-directory file's path says of its run: identity, task, timestamp, format (the trainer its method names). */
function runDirHeader(file: string, line: number, format: RunFormat | null): ParseEvent[] {
  const { runDir } = runDirOfFile(file);
  const identity = identityOfRunDir(runDir);
  const described = describeIdentity(identity);
  const info: Partial<RunInfo> = { ...described, outputDir: outputDirOf(runDir) };
  return [
    ...(format !== null ? [{ type: 'run_started' as const, runKey: RUNDIR_RUN_KEY, line, format }] : []),
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
 * What TfEventsReader keeps with a committed offset (LogSource.parserState): each tag's plugin; whether
 * the file has shown a scalar yet (`started`: until then it makes no run) and what it held before
 * (hyperparameters, other values by plugin); how many points it has read.
 */
export interface TfEventsReaderState extends EventReaderState {
  started?: boolean;
  points?: number;
  pendingHparams?: Record<string, HparamValue>;
  pendingOthers?: Record<string, number>;
  /** Lightning's `hp_metric` placeholder points before the first scalar: [tag, step, wall time, value (non-finite as text)]. */
  pendingPoints?: [string, number, number, number | string][];
  /** The file has had HParams data. */
  hparams?: true;
  /** Some tag has had two points (until then `once` lists the tags seen): a session file has one per metric. */
  multi?: true;
  once?: string[];
}

/** Lightning writes this placeholder with its hyperparameters: it does not start a run (run-layout.ts). */
const PLACEHOLDER_TAG = 'hp_metric';
/** Placeholder points held before the first scalar, at most (more start the file anyway). */
const MAX_PENDING_POINTS = 64;

const finiteOrText = (value: number): number | string => (Number.isFinite(value) ? value : String(value));

/** tagTarget as a number cached on a tag (TagInfo.mark): an EPOCH_METRICS index, VALIDATION_MARK + task id, or NO_TARGET. */
const UNSET = -1;
/** Points a series block has room for before it first grows. */
const SERIES_MIN_CAPACITY = 1024;
const NO_TARGET = -2;
const VALIDATION_MARK = 1 << 20;

function markOf(tag: string): number {
  const target = tagTarget(tag);
  if (target === null) return NO_TARGET;
  if (typeof target === 'number') return target < VALIDATION_MARK ? VALIDATION_MARK + target : NO_TARGET;
  return EPOCH_METRIC_INDEX[target]!;
}

/**
 * A TensorBoard event file, resumable: `new TfEventsReader(file, { startOffset, startLine, state })`
 * with the committed cursor and the state saved with it (`state`) continues exactly where the last
 * commit ended. `line` counts records.
 *
 * Each push yields one `series` event with every scalar of its records (columns, not an object per
 * value: a backfill reads millions) and a count of every other value by plugin; for a run directory
 * of the SmolVLA trainer (its path names the method; log-formats §1.10) also one `scalars` event of
 * epoch and validation rows, the steps being its 0-based epochs. HParams session info becomes a
 * `config` event; warnings stay events of their own.
 *
 * A file makes no run before its first scalar (log-formats §7.2): a header-only file (a run killed
 * before its first log, a profiler's `…profile-empty`) or one with only hyperparameters yields nothing
 * but source-level warnings; what it held before its first scalar (hyperparameters, other values) is
 * kept in the state and handed on with that scalar.
 */
export class TfEventsReader implements TfRecordVisitor {
  private readonly records: TfRecordReader;
  private readonly decoder: EventReader;
  private readonly dir: string;
  private readonly format: RunFormat;
  /** Whether the steps are the SmolVLA trainer's epochs (filling the epoch and validation tables). */
  private readonly epochRows: boolean;
  private line: number;
  /** The header is out (the file has shown a scalar, or a cursor from before this rule resumes). */
  private started: boolean;
  private headerDue: boolean;
  /** Points read from the file before the block being built (the first one's ordinal). */
  private points: number;
  private pendingHparams: Record<string, HparamValue> | null;
  private pendingOthers: Record<string, number> | null;
  private pendingPoints: [string, number, number, number][];
  private hparamsSeen: boolean;
  /** Tags seen once while no tag has had two points (null once one has). */
  private once: Set<string> | null;
  /** The push being read: its events, its blocks, the number of the first record of each. */
  private events: ParseEvent[] = [];
  private block: ScalarBlock = emptyScalarBlock();
  private blockLine = 0;
  private series: SeriesBlock = emptySeriesBlock(SERIES_MIN_CAPACITY);
  /** Whether the series block has counted other values (or hparams) since the last output. */
  private othersSeen = false;
  private seriesLine = 0;
  private seriesStamp = 1;
  private count = 0;

  constructor(
    private readonly file: string,
    start: { startOffset: number; startLine: number; state?: TfEventsReaderState | null },
  ) {
    this.records = new TfRecordReader({ startOffset: start.startOffset });
    const state = start.state ?? undefined;
    const legacy = state === undefined && start.startOffset > 0;
    this.decoder = new EventReader({ state, resumedWithoutState: legacy });
    this.line = start.startLine;
    this.started = state?.started ?? legacy;
    this.headerDue = this.started;
    this.points = state?.points ?? 0;
    this.pendingHparams = state?.pendingHparams ?? null;
    this.pendingOthers = state?.pendingOthers ?? null;
    this.pendingPoints = (state?.pendingPoints ?? []).map(([tag, step, wallTime, value]) => [tag, step, wallTime, Number(value)]);
    this.hparamsSeen = state?.hparams === true;
    // A cursor saved before tags were tracked (or without a state at all): its file is taken for a series.
    const series = state === undefined ? legacy : state.multi === true || (state.started === true && state.once === undefined);
    this.once = series ? null : new Set(state?.once ?? []);
    const { runDir, dir } = runDirOfFile(file);
    this.dir = dir;
    const trainer = trainerFromMethod(methodOfIdentity(identityOfRunDir(runDir)));
    this.format = runFormatFor(trainer);
    this.epochRows = trainer === 'smolvla_sequential';
  }

  get committedOffset(): number {
    return this.records.committedOffset;
  }

  /** Number of the next record (1-based), in step with committedOffset. */
  get committedLine(): number {
    return this.line;
  }

  /** What to save with committedOffset to resume from it. */
  get state(): TfEventsReaderState {
    const state: TfEventsReaderState = { ...this.decoder.state, started: this.started, points: this.points + this.series.length };
    // Copies: the tailer may serialize the state after this reader has read on.
    if (this.pendingHparams !== null) state.pendingHparams = { ...this.pendingHparams };
    if (this.pendingOthers !== null) state.pendingOthers = { ...this.pendingOthers };
    if (this.pendingPoints.length > 0)
      state.pendingPoints = this.pendingPoints.map(([tag, step, wallTime, value]) => [tag, step, wallTime, finiteOrText(value)]);
    if (this.hparamsSeen) state.hparams = true;
    if (this.once === null) state.multi = true;
    else state.once = [...this.once];
    return state;
  }

  /**
   * What the file holds, for run grouping (./run-layout.ts eventFileContent): scalars, an HParams
   * session, hyperparameters only, or nothing of a run's own.
   */
  get content(): EventFileContent {
    const tags: { tag: string; count: number }[] = this.pendingPoints.map(([tag]) => ({ tag, count: 1 }));
    if (this.started) {
      if (this.once === null) tags.push({ tag: '*', count: 2 });
      else for (const tag of this.once) tags.push({ tag, count: 1 });
    }
    return eventFileContent({ tags, hparams: this.hparamsSeen });
  }

  /** Whether the file, not started, holds something a run can be given (attach). */
  get holdsSomething(): boolean {
    return !this.started && (this.pendingHparams !== null || this.pendingOthers !== null || this.pendingPoints.length > 0);
  }

  /**
   * A file without a scalar of its own never makes a run (docs/log-formats.md §7.2): what it held
   * (hyperparameters, other values, placeholder points) is given to the run the layout joins it to —
   * `identity`, in the folder `dir` relative to that run's directory — under ATTACHED_RUN_KEY.
   * Nothing when the file has started or holds nothing.
   */
  attach(identity: string, dir: string): ParseEvent[] {
    if (!this.holdsSomething) return [];
    const line = this.line;
    const events: ParseEvent[] = [{ type: 'identity', runKey: ATTACHED_RUN_KEY, line, identity }];
    if (this.pendingHparams !== null) events.push({ ...this.configEvent(line, this.pendingHparams), runKey: ATTACHED_RUN_KEY });
    const n = this.pendingPoints.length;
    const block = emptySeriesBlock(n);
    for (const [i, [tag, step, wallTime, value]] of this.pendingPoints.entries()) {
      let slot = block.tags.indexOf(tag);
      if (slot < 0) slot = block.tags.push(tag) - 1;
      block.tag[i] = slot;
      block.step[i] = step;
      block.wallTime[i] = wallTime;
      block.value[i] = value;
    }
    block.length = n;
    block.others = { ...this.pendingOthers };
    events.push({ type: 'series', runKey: ATTACHED_RUN_KEY, line, dir, firstPoint: this.points, block });
    this.points += n;
    this.pendingHparams = null;
    this.pendingOthers = null;
    this.pendingPoints = [];
    return events;
  }

  push(chunk: Uint8Array): ReaderOutput {
    this.resumeHeader();
    this.records.feed(chunk, this);
    return this.output();
  }

  /** The file is complete (backfill of a closed writer): a half-written tail becomes a warning. */
  end(): ReaderOutput {
    this.resumeHeader();
    this.records.finish(this);
    return this.output();
  }

  /** A reader resuming a file that has started says its run again first (as every source's reader does). */
  private resumeHeader(): void {
    if (!this.headerDue) return;
    this.headerDue = false;
    this.events.push(...runDirHeader(this.file, this.line, this.format));
  }

  /** The file's first scalar: its run's header, then what the file held before it. */
  private start(line: number): void {
    this.started = true;
    this.events.push(...runDirHeader(this.file, line, this.format));
    if (this.pendingHparams !== null) this.pushConfig(line, this.pendingHparams);
    if (this.pendingOthers !== null) {
      this.seriesLine = line;
      this.othersSeen = true;
      Object.assign(this.series.others, this.pendingOthers);
    }
    const held = this.pendingPoints;
    this.pendingHparams = null;
    this.pendingOthers = null;
    this.pendingPoints = [];
    // Placeholder points held before this scalar come first, as they were written.
    for (const [tag, step, wallTime, value] of held) this.addPoints(line, step, wallTime, 1, [this.decoder.tagInfo(tag)], [value]);
  }

  private configEvent(line: number, hparams: Record<string, HparamValue>): Extract<ParseEvent, { type: 'config' }> {
    return {
      type: 'config',
      runKey: RUNDIR_RUN_KEY,
      line,
      tree: hparams,
      overrides: [],
      strategy: null,
      rank: HPARAMS_RANK.tensorboard_hparams,
      source: 'tensorboard_hparams',
    };
  }

  private pushConfig(line: number, hparams: Record<string, HparamValue>): void {
    this.events.push(this.configEvent(line, hparams));
  }

  private output(): ReaderOutput {
    const series = this.series;
    if (series.length > 0 || this.othersSeen) {
      const n = series.length;
      // Trimmed views: the capacity beyond the points is not handed on.
      const block: SeriesBlock = {
        ...series,
        tag: series.tag.subarray(0, n),
        step: series.step.subarray(0, n),
        wallTime: series.wallTime.subarray(0, n),
        value: series.value.subarray(0, n),
      };
      this.events.push({ type: 'series', runKey: RUNDIR_RUN_KEY, line: this.seriesLine, dir: this.dir, firstPoint: this.points, block });
      this.points += n;
    }
    const block = this.block;
    if (block.epochs.epoch.length > 0 || block.validations.epoch.length > 0)
      this.events.push({ type: 'scalars', runKey: RUNDIR_RUN_KEY, line: this.blockLine, block });
    const out = { events: this.events, records: this.count };
    this.events = [];
    this.block = emptyScalarBlock();
    // The next push is likely as large as this one: start with room for as many points.
    this.series = emptySeriesBlock(Math.max(SERIES_MIN_CAPACITY, series.length));
    this.othersSeen = false;
    this.seriesStamp++;
    this.count = 0;
    return out;
  }

  /** Room for `more` points in the series block (capacity doubles). */
  private reserve(more: number): SeriesBlock {
    const series = this.series;
    const need = series.length + more;
    if (need <= series.step.length) return series;
    const grown = emptySeriesBlock(Math.max(need, series.step.length * 2, SERIES_MIN_CAPACITY));
    grown.tag.set(series.tag.subarray(0, series.length));
    grown.step.set(series.step.subarray(0, series.length));
    grown.wallTime.set(series.wallTime.subarray(0, series.length));
    grown.value.set(series.value.subarray(0, series.length));
    grown.length = series.length;
    grown.tags = series.tags;
    grown.others = series.others;
    this.series = grown;
    return grown;
  }

  /** TfRecordVisitor: a record whose CRCs hold. */
  record(buf: Uint8Array, start: number, end: number, offset: number): void {
    const line = this.line++;
    this.count++;
    const decoder = this.decoder;
    const error = decoder.read(buf, start, end);
    if (error !== null) {
      this.warn(line, `event at byte ${offset}: ${error}`);
      return;
    }
    const fields = decoder.fields;
    const { step, wallTime, count, infos, values } = fields;
    if (count > 0 && !this.started) {
      // Lightning's placeholder alone does not start a run: held, with what else the file holds.
      if (this.placeholderOnly(count, infos) && this.pendingPoints.length + count <= MAX_PENDING_POINTS) {
        for (let i = 0; i < count; i++) this.pendingPoints.push([infos[i]!.tag, step, wallTime, values[i]!]);
        if (fields.otherCount > 0 || fields.hparamsCount > 0) this.others(line);
        return;
      }
      this.start(line);
    }
    if (fields.otherCount > 0 || fields.hparamsCount > 0) this.others(line);
    if (count === 0) return;
    this.addPoints(line, step, wallTime, count, infos, values);
    if (!this.epochRows) return;
    // Steps are 0-based epochs; printed epochs (and the log's rows) are 1-based, and step + 1 must fit an INTEGER column.
    if (!Number.isSafeInteger(step) || step < 0 || step >= INT32_MAX) {
      this.warn(line, `event at byte ${offset}: step ${step} is not an epoch`);
      return;
    }
    const epoch = step + 1;
    const block = this.block;
    if (block.epochs.epoch.length === 0 && block.validations.epoch.length === 0) this.blockLine = line;
    for (let i = 0; i < count; i++) {
      const info = infos[i]!;
      let mark = info.mark;
      if (mark === UNSET) info.mark = mark = markOf(info.tag);
      if (mark === NO_TARGET) continue;
      if (mark >= VALIDATION_MARK) {
        block.validations.epoch.push(epoch);
        block.validations.taskId.push(mark - VALIDATION_MARK);
        block.validations.loss.push(values[i]!);
      } else {
        block.epochs.epoch.push(epoch);
        block.epochs.metric.push(mark);
        block.epochs.value.push(values[i]!);
      }
    }
  }

  private placeholderOnly(count: number, infos: readonly TagInfo[]): boolean {
    for (let i = 0; i < count; i++) if (infos[i]!.tag !== PLACEHOLDER_TAG) return false;
    return true;
  }

  /** Points of one event (or held placeholder points) into the series block. */
  private addPoints(
    line: number,
    step: number,
    wallTime: number,
    count: number,
    infos: readonly TagInfo[],
    values: readonly number[],
  ): void {
    if (this.series.length === 0 && !this.othersSeen) this.seriesLine = line;
    const series = this.reserve(count);
    const stamp = this.seriesStamp;
    let n = series.length;
    for (let i = 0; i < count; i++, n++) {
      const info = infos[i]!;
      if (info.stamp !== stamp) {
        info.stamp = stamp;
        info.slot = series.tags.length;
        series.tags.push(info.tag);
      }
      series.tag[n] = info.slot;
      series.step[n] = step;
      series.wallTime[n] = wallTime;
      series.value[n] = values[i]!;
      if (this.once !== null) {
        if (this.once.has(info.tag)) this.once = null;
        else this.once.add(info.tag);
      }
    }
    series.length = n;
  }

  /** A record's non-scalar values, counted by plugin; its HParams session info, the run's config (held until the file starts). */
  private others(line: number): void {
    const fields = this.decoder.fields;
    let counts: Record<string, number>;
    if (this.started) {
      if (this.series.length === 0 && !this.othersSeen) this.seriesLine = line;
      this.othersSeen = true;
      counts = this.series.others;
    } else counts = this.pendingOthers ??= {};
    for (let i = 0; i < fields.otherCount; i++) {
      const plugin = fields.otherPlugins[i]!;
      counts[plugin] = (counts[plugin] ?? 0) + 1;
    }
    if (fields.hparamsCount > 0) this.hparamsSeen = true;
    for (let i = 0; i < fields.hparamsCount; i++) {
      // Decoded now: the content is a view of the read buffer, which the next read reuses.
      const hparams = decodeSessionStartHparams(fields.hparams[i]!);
      if (hparams === null || Object.keys(hparams).length === 0) continue;
      if (this.started) this.pushConfig(line, hparams);
      else this.pendingHparams = { ...this.pendingHparams, ...hparams };
    }
  }

  /** TfRecordVisitor: damage the record reader found before the next record. */
  warning(offset: number, message: string): void {
    this.warn(this.line, `${message} (byte ${offset})`);
  }

  /** Before the file's first scalar there is no run: the warning is the source's. */
  private warn(line: number, message: string): void {
    this.events.push({ type: 'warning', runKey: this.started ? RUNDIR_RUN_KEY : null, line, message });
  }
}

/**
 * Ranks of the hyperparameter configs among a run's configs (the highest wins): below any config a
 * trainer's own file gives (Hydra's, LeRobot's, which have none or a step), Lightning's hparams.yaml
 * (the whole mapping) above TensorBoard's session info (scalars only).
 */
const HPARAMS_RANK = { tensorboard_hparams: -2, hparams_yaml: -1 } as const;

/** Lightning's `hparams.yaml` (beside its event files in `lightning_logs/version_N/`): the run's config. */
export function readHparamsYaml(file: string, text: string): ParseEvent[] {
  const events = runDirHeader(file, 1, null);
  const parsed = parseHparamsYaml(text);
  if (!parsed.ok) {
    events.push({ type: 'warning', runKey: RUNDIR_RUN_KEY, line: 1, message: parsed.error });
    return events;
  }
  events.push({
    type: 'config',
    runKey: RUNDIR_RUN_KEY,
    line: 1,
    tree: parsed.tree,
    overrides: [],
    strategy: null,
    rank: HPARAMS_RANK.hparams_yaml,
    source: 'hparams_yaml',
  });
  for (const message of parsed.warnings) events.push({ type: 'warning', runKey: RUNDIR_RUN_KEY, line: 1, message });
  return events;
}

/** training_results.json, written at the very end: the run completed; final validation; fallback config. */
export function readResultsJson(file: string, text: string): ParseEvent[] {
  const events = runDirHeader(file, 1, SMOLVLA_FORMAT);
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
  // The config says which trainer ran only through its method (the SmolVLA trainer's, or another's:
  // then the event files or the log name the format).
  const format = trainerFromMethod(method) === 'smolvla_sequential' ? SMOLVLA_FORMAT : null;
  const events: ParseEvent[] = [
    ...(format !== null ? [{ type: 'run_started' as const, runKey: RUNDIR_RUN_KEY, line, format }] : []),
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
  // The folder itself is a checkpoint at its step, whatever its config says (lib/analysis/artefacts.ts).
  if (checkpoint !== null) {
    const folder = path.dirname(path.dirname(path.resolve(file)));
    events.push({
      type: 'checkpoint',
      runKey: RUNDIR_RUN_KEY,
      line,
      kind: 'checkpoint_saved',
      epoch: null,
      loss: null,
      path: folder,
      step: checkpoint.step,
      onDisk: true,
    });
  }
  if (!parsed.ok) {
    events.push({ type: 'warning', runKey: RUNDIR_RUN_KEY, line, message: parsed.error });
    return events;
  }
  const config = parsed.value;
  const info: Partial<RunInfo> = { outputDir };
  if (config.settings.dataset !== undefined) info.dataset = config.settings.dataset;
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
