// LeRobot's own trainer: `lerobot/scripts/train.py` (2024–2025) and `lerobot-train` (v0.4+). Every log
// line goes through init_logging's format `LEVEL YYYY-MM-DD HH:MM:SS <last 15 chars of path:line> message`
// on stderr. Real captures mangle it: the last tqdm frame is glued in front of each record (`…step/s]INFO …`,
// Colab bars without `|`), several records share one physical line, a prefix is cut (`NFO 2025-…`) or the
// timestamp is missing. `split` cuts such a record into its pieces; the location column is matched by
// shape, never by its line number.
//
// Steps. `step:` goes through format_big_number ("20K", half-to-even), so above 999 one printed value
// covers many records. A record's exact step is pinned, in this order, by: an exact print (< 1000); the
// `Checkpoint policy after step N` that precedes it (2024) or that follows it (2025+); the glued tqdm
// counter (absolute = cfg.steps − bar total + n, rounded up to the next multiple of log_freq because the
// bar can lag); the interval from the previous pinned record when log_freq is known. Anything else is
// kept, in order, at an estimated step (marked `estimated`); when a later pin shows where the estimated
// records really were, they are re-estimated backwards from it (`step_retract` + a new step event).
// Emitted steps strictly increase within a run, so distinct records never share a row.
import type { RunInfo } from '../events';
import { clip, formatBigNumber, parseBigNumber, parseNumber } from './common';
import { MAX_CONFIG_DUMP, endsConfigDump, isConfigContinuation, printedConfigEvents } from './lerobot-config';
import { Malformed, ROLE_CONTENT, ROLE_EVIDENCE, ROLE_HEADER, type FormatParser, type LineRole, type RunContext } from './types';

type ConfigKey = 'batch_size' | 'log_freq' | 'steps';

export type LerobotLine =
  | { k: 'config_dump'; batchSize: number | null; logFreq: number | null; text: string }
  | { k: 'config_entry'; entries: [ConfigKey, number][]; text: string }
  | { k: 'info'; info: Partial<RunInfo>; zeroBased?: boolean }
  | { k: 'start'; batchSize: number | null }
  | { k: 'train'; step: string; smpl: string; meters: string }
  | { k: 'eval_at'; step: number }
  | { k: 'eval'; step: string; reward: number | null; success: number | null; evalS: number | null }
  | { k: 'suite'; reward: number | null; success: number | null; evalS: number | null }
  | { k: 'eval_loss'; step: number; loss: number | null }
  | { k: 'checkpoint'; step: number }
  | { k: 'resume_training' }
  | { k: 'frame'; n: number; total: number }
  | { k: 'end' }
  | { k: 'other' };

/** A record kept at an estimated step, until a later pin re-estimates it. Plain JSON (meters as text). */
interface TrailItem {
  step: number;
  printed: string;
  meters: string;
  /** Step of the pinned record before it (null: none). */
  floor: number | null;
  /** Step of the first pinned record after it, once there is one. */
  pin: number | null;
}

export interface LerobotState {
  outputDir: string | null;
  totalSteps: number | null;
  /** From the config, or from two consecutive pinned records. */
  logFreq: number | null;
  /** Guessed from how many records share one rounded value; only used for estimates. */
  guessFreq: number | null;
  batchSize: number | null;
  /** 2024 layout: 0-based steps, checkpoint/eval of N printed before the record `step:N`. */
  zeroBased: boolean;
  sawStart: boolean;
  last: { step: number; printed: string; pinned: boolean } | null;
  trail: TrailItem[];
  /** 2024: `Checkpoint policy after step N` pins the next record. */
  pinNext: number | null;
  /** The latest `Training:` frame: its counter pins the record glued right after it. */
  frame: { n: number; total: number; line: number; endOffset: number } | null;
  bucket: { printed: string; count: number; full: boolean } | null;
  /** "Eval policy at step N" gives the exact step of the eval line that follows. */
  pendingEvalStep: number | null;
  nonFiniteWarned: boolean;
  /** The printed config read so far (./lerobot-config.ts), until its last line; absent in older states. */
  dump?: string | null;
}

/** Records kept for re-estimation at most (older estimated records keep their estimate). */
const TRAIL_CAP = 256;

const LEVEL = '(?:CRITICAL|WARNING|ERROR|DEBUG|INFO)';
/** Where a record starts inside a longer text: level + timestamp + location, or level + location (no timestamp). */
const RECORD_START = new RegExp(
  `(?:${LEVEL} (?:\\[PID: \\d+\\] )?)?\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d +\\S{1,15}:\\d+ |${LEVEL}  +\\S{1,15}\\.py:\\d+ `,
  'g',
);
/** A tqdm frame (any desc) inside a text: `desc: NN%|bar| n/total [` or Colab's `desc: NN% n/total [`. */
const FRAME_INSIDE = /[A-Za-z][\w .-]{0,60}: {1,3}\d{1,3}%(?:\|[^|]*\| ?| )\d+\/\d+ \[/g;
const TRACEBACK_INSIDE = 'Traceback (most recent call last):';
/** A whole record's prefix: the level may be cut from the left, the timestamp may be missing. */
const PREFIX = /^(?:[A-Z]{0,8} (?:\[PID: \d+\] )?)?(?:\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)? *(\S{0,15}:\d+) (.*)$/s;
const STRONG_PREFIX = /^(?:[A-Z]{1,8} (?:\[PID: \d+\] )?)?\d{4}-\d\d-\d\d \d\d:\d\d:\d\d /;
const TRACKER = /^step:(\S+) smpl:(\S+) ep:\S+ epch:\S+(?: (.*))?$/s;
const TRAINING_FRAME = /^Training: {1,3}\d{1,3}%(?:\|[^|]*\| ?| )(\d+)\/(\d+) \[/;
const TOP_CONFIG_ENTRY = /^ '(batch_size|log_freq|steps)': (\d+),?\}?$/;

const ROLE_FRAME: LineRole = { frame: true, header: false, opensRun: false };

/** Cuts a record holding several glued LeRobot records (and the tqdm frames glued in front of them). */
function split(text: string): string[] | null {
  const py = text.indexOf('.py:');
  const tb = text.indexOf(TRACEBACK_INSIDE);
  if (py === -1 && tb <= 0) return null;
  const cuts = new Set<number>();
  if (tb > 0) cuts.add(tb);
  if (py !== -1) {
    RECORD_START.lastIndex = 0;
    for (let m = RECORD_START.exec(text); m !== null; m = RECORD_START.exec(text)) {
      // A record whose level was cut (`NFO 2025-…`) is one piece, not a stray `NFO ` before it.
      if (m.index > 0 && !/^[A-Z]{1,8} $/.test(text.slice(0, m.index))) cuts.add(m.index);
    }
  }
  if (cuts.size === 0 && py === -1) return null;
  // A frame glued to the end of a record (or in front of the next one) becomes its own piece.
  const sorted = [...cuts].sort((a, b) => a - b);
  const bounds = [0, ...sorted, text.length];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const from = bounds[i] ?? 0;
    const piece = text.slice(from, bounds[i + 1]);
    FRAME_INSIDE.lastIndex = 0;
    const frame = FRAME_INSIDE.exec(piece);
    if (frame !== null && frame.index > 0) cuts.add(from + frame.index);
  }
  if (cuts.size === 0) return null;
  const all = [0, ...[...cuts].sort((a, b) => a - b), text.length];
  const pieces: string[] = [];
  for (let i = 0; i + 1 < all.length; i++) pieces.push(text.slice(all[i], all[i + 1]));
  return pieces;
}

/** `name:value` pairs of a MetricsTracker line (`loss:0.512 grdn:3.142 lr:1.0e-04 …`); NaN kept. */
function meters(text: string): Map<string, number | null> {
  const out = new Map<string, number | null>();
  for (const token of text.split(' ')) {
    const colon = token.lastIndexOf(':');
    if (colon <= 0) continue;
    const raw = token.slice(colon + 1);
    out.set(token.slice(0, colon), parseNumber(raw.endsWith('%') ? raw.slice(0, -1) : raw));
  }
  return out;
}

const CORE_METERS = new Set(['loss', 'lr', 'updt_s']);

function trainValues(text: string): {
  loss: number | null;
  lr: number | null;
  procMs: number | null;
  metrics: Record<string, number | null>;
} {
  const values = meters(text);
  const metrics: Record<string, number | null> = {};
  for (const [name, value] of values) if (!CORE_METERS.has(name)) metrics[name] = value;
  const updateS = values.get('updt_s') ?? null;
  // updt_s is forward+backward+optimizer time, without data loading: the same thing as proc_ms (§1.5).
  return { loss: values.get('loss') ?? null, lr: values.get('lr') ?? null, procMs: updateS === null ? null : updateS * 1000, metrics };
}

function pythonDictNumber(dict: string, key: string): number | null {
  const m = new RegExp(`'${key}': ([^,}]+)`).exec(dict);
  return m?.[1] === undefined ? null : parseNumber(m[1]);
}

function recogniseMessage(message: string): LerobotLine | Malformed | null {
  if (message.startsWith('{')) {
    // pformat(cfg.to_dict()) sorts keys: the first line is usually "{'batch_size': 8,".
    const batch = /^\{'batch_size': (\d+)/.exec(message);
    const logFreq = /^\{'log_freq': (\d+)/.exec(message);
    return { k: 'config_dump', batchSize: batch ? Number(batch[1]) : null, logFreq: logFreq ? Number(logFreq[1]) : null, text: message };
  }
  if (message.startsWith('step:')) {
    const tracker = TRACKER.exec(message.trimEnd());
    if (!tracker || tracker[1] === undefined) return new Malformed(`unparsable LeRobot metrics line: ${clip(message)}`);
    if (parseBigNumber(tracker[1]) === null) return new Malformed(`unparsable LeRobot step count: ${clip(message)}`);
    const rest = tracker[3] ?? '';
    if (/(?:^| )loss:/.test(rest)) return { k: 'train', step: tracker[1], smpl: tracker[2] ?? '', meters: rest };
    const values = meters(rest);
    return {
      k: 'eval',
      step: tracker[1],
      reward: values.get('∑rwrd') ?? null,
      success: values.get('success') ?? null,
      evalS: values.get('eval_s') ?? null,
    };
  }
  return recogniseSimpleMessage(message.trimEnd());
}

function recogniseSimpleMessage(message: string): LerobotLine | null {
  let m = /^Output dir: (.+)$/.exec(message);
  if (m) return { k: 'info', info: { outputDir: (m[1] ?? '').trim() } };
  m = /^cfg\.(training\.offline_)?steps=(\d+)/.exec(message);
  if (m) return { k: 'info', info: { totalSteps: Number(m[2]) }, zeroBased: m[1] !== undefined };
  m = /^(offline_)?dataset\.num_frames=(\d+)/.exec(message);
  if (m) return { k: 'info', info: { datasetFrames: Number(m[2]) }, zeroBased: m[1] !== undefined };
  m = /^(offline_)?dataset\.num_episodes=(\d+)/.exec(message);
  if (m) return { k: 'info', info: { episodes: Number(m[2]) }, zeroBased: m[1] !== undefined };
  m = /^Effective batch size: .*= (\d+)/.exec(message);
  if (m) return { k: 'info', info: { batchSize: Number(m[1]) } };
  m = /^num_learnable_params=(\d+)/.exec(message);
  if (m) return { k: 'info', info: { trainableParams: Number(m[1]) } };
  m = /^num_total_params=(\d+)/.exec(message);
  if (m) return { k: 'info', info: { totalParams: Number(m[1]) } };
  m = /^Start offline training on a fixed dataset(?:, with effective batch size: (\d+))?/.exec(message);
  if (m) return { k: 'start', batchSize: m[1] === undefined ? null : Number(m[1]) };
  m = /^Eval policy at step (\d+)$/.exec(message);
  if (m) return { k: 'eval_at', step: Number(m[1]) };
  m = /^Checkpoint policy after step (\d+)$/.exec(message);
  if (m) return { k: 'checkpoint', step: Number(m[1]) };
  m = /^step (\d+): eval_loss=(\S+)$/.exec(message);
  if (m) return { k: 'eval_loss', step: Number(m[1]), loss: parseNumber(m[2] ?? '') };
  m = /^Suite \S+ aggregated: (\{.*)$/.exec(message);
  if (m) {
    const dict = m[1] ?? '';
    return {
      k: 'suite',
      reward: pythonDictNumber(dict, 'avg_sum_reward'),
      success: pythonDictNumber(dict, 'pc_success'),
      evalS: pythonDictNumber(dict, 'eval_s'),
    };
  }
  if (message === 'Resume training') return { k: 'resume_training' };
  if (message === 'End of training') return { k: 'end' };
  return null;
}

function recogniseConfigEntry(text: string): LerobotLine | null {
  const top = TOP_CONFIG_ENTRY.exec(text);
  if (top) return { k: 'config_entry', entries: [[top[1] as ConfigKey, Number(top[2])]], text };
  // 2024: the training settings are nested, `'training': {'batch_size': 64, … 'log_freq': 100, 'offline_steps': 1500,`.
  if (!text.startsWith(" 'training': {")) return isConfigContinuation(text) ? { k: 'config_entry', entries: [], text } : null;
  const entries: [ConfigKey, number][] = [];
  const batch = /'batch_size': (\d+)/.exec(text);
  if (batch) entries.push(['batch_size', Number(batch[1])]);
  const logFreq = /'log_freq': (\d+)/.exec(text);
  if (logFreq) entries.push(['log_freq', Number(logFreq[1])]);
  const steps = /'offline_steps': (\d+)/.exec(text);
  if (steps) entries.push(['steps', Number(steps[1])]);
  return { k: 'config_entry', entries, text };
}

function recognise(text: string): LerobotLine | Malformed | null {
  const first = text.charCodeAt(0);
  if (first === 32 /* space */) return recogniseConfigEntry(text);
  if (first === 84 /* T */ && text.startsWith('Training:')) {
    const frame = TRAINING_FRAME.exec(text);
    return frame ? { k: 'frame', n: Number(frame[1]), total: Number(frame[2]) } : null;
  }
  if (!text.includes('.py:') && !STRONG_PREFIX.test(text)) return null;
  const prefixed = PREFIX.exec(text);
  if (!prefixed) return null;
  const line = recogniseMessage(prefixed[2] ?? '');
  if (line !== null) return line;
  // Other messages only count as evidence of this format behind a full prefix (level and timestamp).
  return STRONG_PREFIX.test(text) && (prefixed[1] ?? '').length > 0 ? { k: 'other' } : null;
}

function role(line: LerobotLine): LineRole {
  if (line.k === 'config_dump') return ROLE_HEADER;
  if (line.k === 'frame') return ROLE_FRAME;
  return line.k === 'config_entry' ? ROLE_CONTENT : ROLE_EVIDENCE;
}

function initialState(): LerobotState {
  return {
    outputDir: null,
    totalSteps: null,
    logFreq: null,
    guessFreq: null,
    batchSize: null,
    zeroBased: false,
    sawStart: false,
    last: null,
    trail: [],
    pinNext: null,
    frame: null,
    bucket: null,
    pendingEvalStep: null,
    nonFiniteWarned: false,
    dump: null,
  };
}

function apply(line: LerobotLine, state: LerobotState, ctx: RunContext): void {
  // Any other line before the printed config's last one: the dump was cut, nothing is read from it.
  if (state.dump != null && line.k !== 'config_entry') state.dump = null;
  applyLine(line, state, ctx);
  if (line.k !== 'frame') state.frame = null; // a counter only pins the record glued right after it
}

function applyLine(line: LerobotLine, state: LerobotState, ctx: RunContext): void {
  switch (line.k) {
    case 'config_dump':
      state.sawStart = true;
      if (line.batchSize !== null) setBatch(line.batchSize, state, ctx);
      if (line.logFreq !== null) state.logFreq = line.logFreq;
      state.dump = '';
      return readDump(line.text, state, ctx);
    case 'config_entry':
      for (const [key, value] of line.entries) {
        if (key === 'log_freq') state.logFreq = value;
        else if (key === 'batch_size') setBatch(value, state, ctx);
        else applyInfo({ totalSteps: value }, state, ctx);
      }
      return readDump(line.text, state, ctx);
    case 'info':
      if (line.zeroBased) state.zeroBased = true;
      if (line.info.batchSize !== undefined) state.batchSize = line.info.batchSize;
      return applyInfo(line.info, state, ctx);
    case 'start':
      state.sawStart = true;
      if (line.batchSize !== null) setBatch(line.batchSize, state, ctx);
      return;
    case 'frame':
      state.frame = { n: line.n, total: line.total, line: ctx.where.line, endOffset: ctx.where.endOffset };
      return;
    case 'train':
      return applyTrain(line, state, ctx);
    case 'eval_at':
      state.pendingEvalStep = line.step;
      return;
    case 'eval': {
      const parsed = parseBigNumber(line.step);
      const fromLast = state.last !== null && state.last.printed === line.step ? state.last.step : null;
      const step = state.pendingEvalStep ?? fromLast ?? parsed?.value ?? null;
      state.pendingEvalStep = null;
      if (step === null) return;
      ctx.emit({ type: 'eval', step, reward: line.reward, successRate: line.success, evalS: line.evalS });
      return;
    }
    case 'suite': {
      const step = state.pendingEvalStep ?? state.last?.step ?? null;
      state.pendingEvalStep = null;
      if (step === null) return;
      ctx.emit({ type: 'eval', step, reward: line.reward, successRate: line.success, evalS: line.evalS });
      return;
    }
    case 'eval_loss':
      ctx.emit({ type: 'eval', step: line.step, reward: null, successRate: null, evalS: null, loss: line.loss });
      return;
    case 'checkpoint':
      applyCheckpoint(line.step, state, ctx);
      ctx.emit({
        type: 'checkpoint',
        kind: 'checkpoint_saved',
        epoch: null,
        loss: null,
        path: checkpointPath(line.step, state),
        step: line.step,
      });
      return;
    case 'resume_training':
      state.zeroBased = true;
      return;
    case 'end':
      ctx.emit({ type: 'status', status: 'completed' });
      return;
    case 'other':
      return;
  }
}

/** One more line of the printed config; after its last one, what it says about the run. */
function readDump(text: string, state: LerobotState, ctx: RunContext): void {
  if (state.dump == null) return;
  const dump = state.dump === '' ? text : `${state.dump}\n${text}`;
  if (dump.length > MAX_CONFIG_DUMP) {
    state.dump = null;
    return;
  }
  if (!endsConfigDump(text)) {
    state.dump = dump;
    return;
  }
  state.dump = null;
  for (const event of printedConfigEvents(dump)) ctx.emit(event);
}

function setBatch(batchSize: number, state: LerobotState, ctx: RunContext): void {
  state.batchSize = batchSize;
  ctx.emit({ type: 'run_info', info: { batchSize } });
}

function applyInfo(info: Partial<RunInfo>, state: LerobotState, ctx: RunContext): void {
  if (info.outputDir !== undefined) state.outputDir = info.outputDir;
  if (info.totalSteps !== undefined) state.totalSteps = info.totalSteps;
  ctx.emit({ type: 'run_info', info });
}

// ---------------------------------------------------------------------------------------------
// Steps

const fits = (step: number, printed: string): boolean => formatBigNumber(step) === printed;

/** The steps that format_big_number prints as `printed` (half-to-even at the edges). */
function bucketRange(printed: string): { lo: number; hi: number } | null {
  const parsed = parseBigNumber(printed);
  if (parsed === null) return null;
  if (parsed.exact) return { lo: parsed.value, hi: parsed.value };
  const scale = 1000 ** Math.max(1, Math.round(Math.log10(parsed.value / Number(printed.slice(0, -1))) / 3));
  let lo = Math.ceil(parsed.value - scale / 2);
  let hi = Math.floor(parsed.value + scale / 2);
  if (!fits(lo, printed)) lo += 1;
  if (!fits(hi, printed)) hi -= 1;
  return lo <= hi ? { lo, hi } : null;
}

const ceilTo = (value: number, multiple: number): number => Math.ceil(value / multiple) * multiple;

const NICE_FREQS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000];

function niceFreq(raw: number): number {
  let best = 1;
  for (const candidate of NICE_FREQS) if (Math.abs(Math.log(candidate / raw)) < Math.abs(Math.log(best / raw))) best = candidate;
  return best;
}

/** The step the glued counter gives, or null when it cannot be trusted for this record. */
function counterStep(printed: string, state: LerobotState, ctx: RunContext): number | null {
  const frame = state.frame;
  if (frame === null || frame.line !== ctx.where.line) return null;
  if (frame.endOffset !== ctx.where.offset && frame.endOffset + 1 !== ctx.where.offset) return null;
  // Resumed runs: the bar counts the remaining steps from 0; records print absolute steps.
  const base = state.totalSteps !== null && frame.total <= state.totalSteps ? state.totalSteps - frame.total : 0;
  const raw = base + frame.n;
  if (state.logFreq !== null) {
    const step = ceilTo(raw, state.logFreq); // the bar redraws at most every 0.1 s: it can lag the record
    return fits(step, printed) ? step : null;
  }
  return raw % 10 === 0 && fits(raw, printed) ? raw : null;
}

function pinnedStep(line: Extract<LerobotLine, { k: 'train' }>, state: LerobotState, ctx: RunContext): number | null {
  const parsed = parseBigNumber(line.step);
  if (parsed?.exact) return parsed.value;
  const pinNext = state.pinNext;
  state.pinNext = null;
  if (pinNext !== null && fits(pinNext, line.step)) return pinNext;
  const counted = counterStep(line.step, state, ctx);
  if (counted !== null) return counted;
  const last = state.last;
  // The interval only counts in a log that has the run's start (no head cut).
  if (state.sawStart && last?.pinned && state.logFreq !== null && fits(last.step + state.logFreq, line.step)) {
    return last.step + state.logFreq;
  }
  const smpl = parseBigNumber(line.smpl);
  if (smpl?.exact && state.batchSize !== null && state.batchSize > 0) {
    const step = smpl.value / state.batchSize - (state.zeroBased ? 1 : 0);
    if (Number.isInteger(step) && fits(step, line.step)) return step;
  }
  return null;
}

function applyTrain(line: Extract<LerobotLine, { k: 'train' }>, state: LerobotState, ctx: RunContext): void {
  const pinned = pinnedStep(line, state, ctx);
  const exact = parseBigNumber(line.step)?.exact === true;
  learnFromRecord(line, exact ? (parseBigNumber(line.step)?.value ?? null) : null, state, ctx);
  const last = state.last;
  if (pinned !== null && (last === null || pinned > last.step || (!last.pinned && pinned > (lastPinnedStep(state) ?? -1)))) {
    if (last !== null && last.pinned && state.logFreq === null && pinned > last.step) state.logFreq = pinned - last.step;
    pinTrail(pinned, state, ctx);
    state.last = { step: pinned, printed: line.step, pinned: true };
    emitRecord(pinned, false, line.meters, state, ctx);
    return;
  }
  const step = estimate(line.step, state);
  state.trail.push({ step, printed: line.step, meters: line.meters, floor: lastPinnedStep(state), pin: null });
  if (state.trail.length > TRAIL_CAP) state.trail.shift();
  state.last = { step, printed: line.step, pinned: false };
  emitRecord(step, true, line.meters, state, ctx);
}

/** Batch size from the first records (2024 `step:0 smpl:64`), bucket sizes for the frequency guess. */
function learnFromRecord(line: Extract<LerobotLine, { k: 'train' }>, exactStep: number | null, state: LerobotState, ctx: RunContext): void {
  if (exactStep !== null) {
    if (exactStep === 0) state.zeroBased = true;
    const smpl = parseBigNumber(line.smpl);
    if (state.batchSize === null && smpl?.exact) {
      const divisor = state.zeroBased ? exactStep + 1 : exactStep;
      if (divisor > 0 && Number.isInteger(smpl.value / divisor)) setBatch(smpl.value / divisor, state, ctx);
    }
    if (state.logFreq === null && state.last === null && state.sawStart && !state.zeroBased && exactStep > 0) state.logFreq = exactStep;
    return;
  }
  const bucket = state.bucket;
  if (bucket === null) state.bucket = { printed: line.step, count: 1, full: false };
  else if (bucket.printed === line.step) bucket.count += 1;
  else {
    const range = bucketRange(bucket.printed);
    if (bucket.full && range !== null && bucket.count > 0) state.guessFreq = niceFreq((range.hi - range.lo + 1) / bucket.count);
    state.bucket = { printed: line.step, count: 1, full: true };
  }
}

function lastPinnedStep(state: LerobotState): number | null {
  if (state.last === null) return null;
  if (state.last.pinned) return state.last.step;
  return state.trail.at(-1)?.floor ?? null;
}

/** An estimated step for a record nothing pins: after the previous record, inside the printed bucket. */
function estimate(printed: string, state: LerobotState): number {
  const range = bucketRange(printed) ?? { lo: 0, hi: 0 };
  const freq = state.logFreq ?? state.guessFreq;
  const prev = state.last?.step ?? null;
  if (prev === null) return freq === null ? range.lo : ceilTo(range.lo, freq);
  const candidate = prev + (freq ?? 1);
  if (fits(candidate, printed)) return candidate;
  if (candidate < range.lo) {
    const start = freq === null ? range.lo : ceilTo(range.lo, freq);
    return start > prev ? start : prev + 1;
  }
  return prev + 1;
}

/**
 * A record is pinned at `pin`: the estimated records before it are re-estimated backwards from it, one
 * log interval apart, where that agrees with every printed value; otherwise squeezed below it if
 * needed (steps must keep increasing), else left as they are.
 */
function pinTrail(pin: number, state: LerobotState, ctx: RunContext): void {
  if (state.trail.length === 0) return;
  for (const item of state.trail) item.pin ??= pin;
  const freq = state.logFreq ?? state.guessFreq;
  const moves: { item: TrailItem; to: number }[] = [];
  const unresolved: TrailItem[] = [];
  let index = 0;
  while (index < state.trail.length) {
    const groupPin = state.trail[index]?.pin ?? pin;
    const group: TrailItem[] = [];
    while (index < state.trail.length && state.trail[index]?.pin === groupPin) group.push(state.trail[index++]!);
    const floor = group[0]?.floor ?? null;
    const backwards = freq === null ? null : group.map((_, i) => groupPin - (group.length - i) * freq);
    const agrees =
      backwards !== null && backwards.every((step, i) => fits(step, group[i]!.printed)) && (floor === null || (backwards[0] ?? 0) > floor);
    if (agrees) {
      group.forEach((item, i) => moves.push({ item, to: backwards[i]! }));
      // A guessed frequency may still be corrected by a known one later; a known one settles them.
      if (state.logFreq === null) unresolved.push(...group);
      continue;
    }
    if ((group.at(-1)?.step ?? -Infinity) >= groupPin) {
      const low = floor ?? Math.min(group[0]!.step, groupPin - group.length) - 1;
      const room = groupPin - low;
      group.forEach((item, i) => moves.push({ item, to: low + Math.max(i + 1, Math.floor(((i + 1) * room) / (group.length + 1))) }));
    }
    unresolved.push(...group);
  }
  state.trail = unresolved;
  const changed = moves.filter(({ item, to }) => item.step !== to);
  for (const { item } of changed) ctx.emit({ type: 'step_retract', step: item.step });
  for (const { item, to } of changed) {
    item.step = to;
    emitRecord(to, true, item.meters, state, ctx);
  }
}

function applyCheckpoint(step: number, state: LerobotState, ctx: RunContext): void {
  if (state.zeroBased) {
    state.pinNext = step; // 2024: the checkpoint of N is printed before the record `step:N`
    return;
  }
  // 2025+: the checkpoint of N directly follows the record of step N.
  const last = state.last;
  const item = state.trail.at(-1);
  if (last === null || last.pinned || item === undefined || item.step !== last.step || !fits(step, last.printed)) return;
  if (item.floor !== null && step <= item.floor) return;
  state.trail.pop();
  pinTrail(step, state, ctx);
  if (item.step !== step) {
    ctx.emit({ type: 'step_retract', step: item.step });
    emitRecord(step, false, item.meters, state, ctx);
  } else {
    emitRecord(step, false, item.meters, state, ctx);
  }
  state.last = { step, printed: last.printed, pinned: true };
}

function emitRecord(step: number, estimated: boolean, meterText: string, state: LerobotState, ctx: RunContext): void {
  const values = trainValues(meterText);
  ctx.emit({
    type: 'step',
    step,
    epoch: null,
    loss: values.loss,
    lr: values.lr,
    procMs: values.procMs,
    elapsedS: null,
    estimated,
    metrics: values.metrics,
  });
  if (values.loss !== null && !Number.isFinite(values.loss) && !state.nonFiniteWarned) {
    state.nonFiniteWarned = true;
    ctx.warn(`non-finite loss (${values.loss}) at step ${step} (reported once per run)`);
  }
}

/** lerobot's checkpoint dir: <output_dir>/checkpoints/<step zero-padded to max(6, digits of cfg.steps)>. */
function checkpointPath(step: number, state: LerobotState): string | null {
  if (state.outputDir === null) return null;
  const digits = Math.max(6, String(state.totalSteps ?? 0).length);
  return `${state.outputDir.replace(/\/+$/, '')}/checkpoints/${String(step).padStart(digits, '0')}`;
}

export const lerobotParser: FormatParser<LerobotState, LerobotLine> = {
  format: 'lerobot',
  recognise,
  role,
  split,
  startsNewProcess: () => false,
  initialState,
  apply,
};
