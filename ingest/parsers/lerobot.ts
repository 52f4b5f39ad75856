// LeRobot's own scripts/train.py (log-formats §5). Every line goes through init_logging's format
// `LEVEL YYYY-MM-DD HH:MM:SS <last 15 chars of path:line> message`, on stderr, so the lines are in order.
// Counts in the train/eval lines go through format_big_number ("20K"); exact steps are recovered from the
// log frequency where the rounding allows it (see resolveStep).
import type { RunInfo } from '../events';
import { clip, formatBigNumber, parseBigNumber, parseNumber } from './common';
import { Malformed, ROLE_CONTENT, ROLE_EVIDENCE, ROLE_HEADER, type FormatParser, type LineRole, type RunContext } from './types';

export type LerobotLine =
  | { k: 'config_dump'; batchSize: number | null; logFreq: number | null }
  | { k: 'config_entry'; key: 'batch_size' | 'log_freq' | 'steps'; value: number }
  | { k: 'info'; info: Partial<RunInfo> }
  | { k: 'train'; step: string; loss: number | null; lr: number | null; updateS: number | null }
  | { k: 'eval_at'; step: number }
  | { k: 'eval'; step: string; reward: number | null; success: number | null; evalS: number | null }
  | { k: 'checkpoint'; step: number }
  | { k: 'end' }
  | { k: 'other' };

export interface LerobotState {
  outputDir: string | null;
  totalSteps: number | null;
  logFreq: number | null;
  /** Step of the previous train line, and whether it was printed exactly (below 1000). */
  lastTrainStep: number | null;
  lastTrainStepExact: boolean;
  /** "Eval policy at step N" gives the exact step of the eval line that follows. */
  pendingEvalStep: number | null;
  approximateStepsWarned: boolean;
  nonFiniteWarned: boolean;
}

const PREFIX = /^(?:INFO|WARNING|ERROR|DEBUG|CRITICAL) \d{4}-\d\d-\d\d \d\d:\d\d:\d\d +\S+ ?(.*)$/;
const LEVELS = ['INFO ', 'WARNING ', 'ERROR ', 'DEBUG ', 'CRITICAL '];
const TRACKER = /^step:(\S+) smpl:\S+ ep:\S+ epch:\S+(?: (.*))?$/;
const CONFIG_ENTRY = /^ '(batch_size|log_freq|steps)': (\d+),?\}?$/;

/** `name:value` pairs of a MetricsTracker line (`loss:0.512 grdn:3.142 lr:1.0e-04 …`). */
function meters(text: string): Map<string, number | null> {
  const out = new Map<string, number | null>();
  for (const token of text.split(' ')) {
    const colon = token.lastIndexOf(':');
    if (colon <= 0) continue;
    out.set(token.slice(0, colon), parseNumber(token.slice(colon + 1)));
  }
  return out;
}

function recogniseMessage(message: string): LerobotLine | Malformed {
  if (message.startsWith('{')) {
    // pformat(cfg.to_dict()) sorts keys: the first line is usually "{'batch_size': 8,".
    const batch = /'batch_size': (\d+)/.exec(message);
    const logFreq = /'log_freq': (\d+)/.exec(message);
    return { k: 'config_dump', batchSize: batch ? Number(batch[1]) : null, logFreq: logFreq ? Number(logFreq[1]) : null };
  }
  if (message.startsWith('step:')) {
    const tracker = TRACKER.exec(message);
    if (!tracker || tracker[1] === undefined) return new Malformed(`unparsable LeRobot metrics line: ${clip(message)}`);
    const values = meters(tracker[2] ?? '');
    if (values.has('loss')) {
      const updateS = values.get('updt_s') ?? null;
      return { k: 'train', step: tracker[1], loss: values.get('loss') ?? null, lr: values.get('lr') ?? null, updateS };
    }
    return {
      k: 'eval',
      step: tracker[1],
      reward: values.get('∑rwrd') ?? null,
      success: values.get('success') ?? null,
      evalS: values.get('eval_s') ?? null,
    };
  }
  const simple = recogniseSimpleMessage(message);
  return simple ?? { k: 'other' };
}

function recogniseSimpleMessage(message: string): LerobotLine | null {
  let m = /^Output dir: (.+)$/.exec(message);
  if (m) return { k: 'info', info: { outputDir: (m[1] ?? '').trim() } };
  m = /^cfg\.steps=(\d+)/.exec(message);
  if (m) return { k: 'info', info: { totalSteps: Number(m[1]) } };
  m = /^dataset\.num_frames=(\d+)/.exec(message);
  if (m) return { k: 'info', info: { datasetFrames: Number(m[1]) } };
  m = /^num_learnable_params=(\d+)/.exec(message);
  if (m) return { k: 'info', info: { trainableParams: Number(m[1]) } };
  m = /^num_total_params=(\d+)/.exec(message);
  if (m) return { k: 'info', info: { totalParams: Number(m[1]) } };
  m = /^Eval policy at step (\d+)$/.exec(message);
  if (m) return { k: 'eval_at', step: Number(m[1]) };
  m = /^Checkpoint policy after step (\d+)$/.exec(message);
  if (m) return { k: 'checkpoint', step: Number(m[1]) };
  if (message === 'End of training') return { k: 'end' };
  return null;
}

function recognise(text: string): LerobotLine | Malformed | null {
  const first = text.charCodeAt(0);
  if (first === 32 /* space */) {
    const entry = CONFIG_ENTRY.exec(text);
    return entry ? { k: 'config_entry', key: entry[1] as 'batch_size' | 'log_freq' | 'steps', value: Number(entry[2]) } : null;
  }
  if (first !== 73 && first !== 87 && first !== 69 && first !== 68 && first !== 67) return null; // I W E D C
  if (!LEVELS.some((level) => text.startsWith(level))) return null;
  const prefixed = PREFIX.exec(text);
  if (!prefixed) return null;
  return recogniseMessage(prefixed[1] ?? '');
}

function role(line: LerobotLine): LineRole {
  if (line.k === 'config_dump') return ROLE_HEADER;
  return line.k === 'config_entry' ? ROLE_CONTENT : ROLE_EVIDENCE;
}

function initialState(): LerobotState {
  return {
    outputDir: null,
    totalSteps: null,
    logFreq: null,
    lastTrainStep: null,
    lastTrainStepExact: false,
    pendingEvalStep: null,
    approximateStepsWarned: false,
    nonFiniteWarned: false,
  };
}

function apply(line: LerobotLine, state: LerobotState, ctx: RunContext): void {
  switch (line.k) {
    case 'config_dump':
      if (line.batchSize !== null) ctx.emit({ type: 'run_info', info: { batchSize: line.batchSize } });
      if (line.logFreq !== null) state.logFreq = line.logFreq;
      return;
    case 'config_entry':
      if (line.key === 'log_freq') state.logFreq = line.value;
      else if (line.key === 'batch_size') ctx.emit({ type: 'run_info', info: { batchSize: line.value } });
      else applyInfo({ totalSteps: line.value }, state, ctx);
      return;
    case 'info':
      return applyInfo(line.info, state, ctx);
    case 'train':
      return applyTrain(line, state, ctx);
    case 'eval_at':
      state.pendingEvalStep = line.step;
      return;
    case 'eval': {
      const step = state.pendingEvalStep ?? approximateStep(line.step, state, ctx);
      state.pendingEvalStep = null;
      if (step === null) return;
      ctx.emit({ type: 'eval', step, reward: line.reward, successRate: line.success, evalS: line.evalS });
      return;
    }
    case 'checkpoint':
      ctx.emit({
        type: 'checkpoint',
        kind: 'checkpoint_saved',
        epoch: null,
        loss: null,
        path: checkpointPath(line.step, state),
        step: line.step,
      });
      return;
    case 'end':
      ctx.emit({ type: 'status', status: 'completed' });
      return;
    case 'other':
      return;
  }
}

function applyInfo(info: Partial<RunInfo>, state: LerobotState, ctx: RunContext): void {
  if (info.outputDir !== undefined) state.outputDir = info.outputDir;
  if (info.totalSteps !== undefined) state.totalSteps = info.totalSteps;
  ctx.emit({ type: 'run_info', info });
}

function applyTrain(line: Extract<LerobotLine, { k: 'train' }>, state: LerobotState, ctx: RunContext): void {
  const step = resolveStep(line.step, state, ctx);
  if (step === null) return;
  ctx.emit({
    type: 'step',
    step,
    epoch: null,
    loss: line.loss,
    lr: line.lr,
    // updt_s is forward+backward+optimizer time, without data loading: the same thing as proc_ms (§1.5).
    procMs: line.updateS === null ? null : line.updateS * 1000,
    elapsedS: null,
  });
  if (line.loss !== null && !Number.isFinite(line.loss) && !state.nonFiniteWarned) {
    state.nonFiniteWarned = true;
    ctx.warn(`non-finite loss (${line.loss}) at step ${step} (reported once per run)`);
  }
}

/**
 * Train lines are logged every log_freq steps, but `step:` is rounded above 999 ("20K"). The exact step
 * is the previous one plus log_freq whenever that rounds to what was printed; otherwise the printed
 * value is used as an approximation (flagged once per run).
 */
function resolveStep(printed: string, state: LerobotState, ctx: RunContext): number | null {
  const parsed = parseBigNumber(printed);
  if (parsed === null) {
    ctx.warn(`unparsable LeRobot step count: ${printed}`);
    return null;
  }
  let step: number;
  let exact = parsed.exact;
  if (exact) {
    step = parsed.value;
    if (state.lastTrainStep !== null && state.lastTrainStepExact && step > state.lastTrainStep) {
      state.logFreq = step - state.lastTrainStep;
    } else if (state.lastTrainStep === null && state.logFreq === null) {
      state.logFreq = step; // train.py logs first at step == log_freq
    }
  } else {
    const candidate = state.lastTrainStep !== null && state.logFreq !== null ? state.lastTrainStep + state.logFreq : null;
    if (candidate !== null && formatBigNumber(candidate) === printed) {
      step = candidate;
      exact = state.lastTrainStepExact;
    } else {
      step = parsed.value;
      if (!state.approximateStepsWarned) {
        state.approximateStepsWarned = true;
        ctx.warn(`LeRobot step "${printed}" is rounded; step numbers of this run are approximate`);
      }
    }
  }
  state.lastTrainStep = step;
  state.lastTrainStepExact = exact;
  return step;
}

function approximateStep(printed: string, state: LerobotState, ctx: RunContext): number | null {
  const parsed = parseBigNumber(printed);
  if (parsed === null) return null;
  if (!parsed.exact && state.lastTrainStep !== null && formatBigNumber(state.lastTrainStep) === printed) {
    return state.lastTrainStep; // evaluation runs right after the train line of the same step
  }
  if (!parsed.exact && !state.approximateStepsWarned) {
    state.approximateStepsWarned = true;
    ctx.warn(`LeRobot step "${printed}" is rounded; step numbers of this run are approximate`);
  }
  return parsed.value;
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
  startsNewProcess: () => false,
  initialState,
  apply,
};
