// Trainers whose progress is a tqdm bar with desc `Epoch N/M` (log-formats §4): train_policy.py (§4.1),
// the hierarchical trainers (§4.2, §4.3) and train_vla_policy.py (§4.4). Here `Epoch N/M` is a tqdm desc
// on stderr (§6.2), not a stdout header. The per-epoch and end-of-run prints are taken where they are
// cheap and unambiguous: the VLA trainer's `📊 Epoch N 平均损失: x`, best/checkpoint lines and its
// completion block. The hierarchical curriculum stages count epochs per stage, so their per-stage
// epoch losses and `Stage … Epoch i/k` bars are recognised but not turned into epochs or steps.
import type { RunInfo } from '../events';
import {
  buildWith,
  countAt,
  frameGoesBackwards,
  group,
  numberAt,
  parseTqdmFrame,
  postfixNumber,
  postfixValue,
  RuleSet,
  setLastFrame,
  type LineRule,
} from './common';
import {
  type Malformed,
  ROLE_CONTENT,
  ROLE_EVIDENCE,
  ROLE_HEADER,
  ROLE_IDLE_BAR,
  ROLE_PROGRESS,
  type FormatParser,
  type LineRole,
  type RunContext,
} from './types';

export type GenericLine =
  | {
      k: 'frame';
      epoch: number;
      epochsTotal: number;
      n: number;
      total: number | null;
      loss: number | null;
      lr: number | null;
      /** The trainer's own global step (`step=` postfix), when it prints one. */
      step: number | null;
      elapsedS: number | null;
    }
  | { k: 'stage_bar' }
  | { k: 'header' }
  | { k: 'info'; info: Partial<RunInfo> }
  | { k: 'epoch_loss'; epoch: number; loss: number }
  | { k: 'best_saved'; loss: number }
  | { k: 'checkpoint_saved'; epoch: number }
  | { k: 'completed' }
  | { k: 'best_loss'; loss: number };

export interface GenericState {
  epochsTotal: number | null;
  lossEpoch: number | null;
  lastFrame: [number, number] | null;
  /** Last step emitted: frames between two postfix updates repeat the same step and loss. */
  lastStep: number | null;
  nonFiniteStepWarned: boolean;
}

const EPOCH_DESC = /^Epoch (\d+)\/(\d+)$/;
const STAGE_DESC = /^(?:Stage|课程阶段) \S+ Epoch \d+\/\d+$/;

function recogniseFrame(text: string): GenericLine | null {
  const frame = parseTqdmFrame(text);
  if (frame === null) return null;
  const desc = EPOCH_DESC.exec(frame.desc);
  if (desc === null) return STAGE_DESC.test(frame.desc) ? { k: 'stage_bar' } : null;
  const postfix = frame.postfix;
  const stepText = postfix === '' ? null : postfixValue(postfix, 'step');
  return {
    k: 'frame',
    epoch: Number(desc[1]),
    epochsTotal: Number(desc[2]),
    n: frame.n,
    total: frame.total,
    loss: postfix === '' ? null : postfixNumber(postfix, 'loss'),
    lr: postfix === '' ? null : postfixNumber(postfix, 'lr'),
    step: stepText !== null && /^\d+$/.test(stepText) ? Number(stepText) : null,
    elapsedS: frame.elapsedS,
  };
}

function info(partial: Partial<RunInfo>): GenericLine {
  return { k: 'info', info: partial };
}

function taskInfo(name: string): GenericLine {
  // cfg.task is e.g. "task1_moving_grasp" (§3.1 names); keep other names as they are.
  const numbered = /^task(\d+)_(.+)$/.exec(name);
  return numbered ? info({ taskId: Number(numbered[1]), taskName: group(numbered, 2) }) : info({ taskName: name });
}

function lossLine(k: 'epoch_loss', epochIndex: number, lossIndex: number) {
  return buildWith(numberAt(lossIndex, 'epoch loss'), (loss, m): GenericLine => ({ k, epoch: Number(m[epochIndex]), loss }));
}

const RULES: LineRule<GenericLine>[] = [
  { prefix: '🤖 VLA Transformer Policy', pattern: /^🤖 VLA Transformer Policy训练$/, build: () => ({ k: 'header' }) },
  { prefix: '🤖 分层人形机器人', pattern: /^🤖 分层人形机器人Diffusion Policy训练$/, build: () => ({ k: 'header' }) },
  // train_policy.py has no banner; its first print is the camera keys (§4.1), which serves as its header.
  { prefix: 'camera_keys:', pattern: /^camera_keys: \[/, build: () => ({ k: 'header' }) },
  { prefix: '任务:', pattern: /^任务: (\S+)$/, build: (m) => taskInfo(group(m, 1)) },
  {
    prefix: 'Total parameters:',
    pattern: /^Total parameters: ([\d,]+)$/,
    build: buildWith(countAt(1, 'parameter count'), (total) => info({ totalParams: total })),
  },
  {
    prefix: '总参数量:',
    pattern: /^总参数量: ([\d,]+)$/,
    build: buildWith(countAt(1, 'parameter count'), (total) => info({ totalParams: total })),
  },
  {
    prefix: '✅ 数据集加载完成:',
    pattern: /^✅ 数据集加载完成: (\d+) frames$/,
    build: (m) => info({ datasetFrames: Number(m[1]) }),
  },
  { prefix: 'Training from scratch!', pattern: /^Training from scratch!$/, build: () => info({ loadedFrom: 'scratch' }) },
  { prefix: '模型保存位置:', pattern: /^模型保存位置: (.+)$/, build: (m) => info({ outputDir: group(m, 1) }) },
  // VLA per-epoch line (§4.4); the hierarchical stage variant has ", 最佳损失: …" after it and is skipped.
  {
    prefix: '📊 Epoch ',
    pattern: /^📊 Epoch (\d+) 平均损失: (\S+)$/,
    build: lossLine('epoch_loss', 1, 2),
  },
  {
    prefix: '✅ 最佳模型已保存:',
    pattern: /^✅ 最佳模型已保存: loss=(\S+)$/,
    build: buildWith(numberAt(1, 'best-model loss'), (loss) => ({ k: 'best_saved', loss })),
    strict: 'best-model line',
  },
  {
    prefix: '✅ 检查点已保存:',
    pattern: /^✅ 检查点已保存: epoch (\d+)$/,
    build: (m) => ({ k: 'checkpoint_saved', epoch: Number(m[1]) }),
  },
  { prefix: '🎉 训练完成', pattern: /^🎉 训练完成!?$/, build: () => ({ k: 'completed' }) },
  { prefix: '🎉 任务特定训练完成', pattern: /^🎉 任务特定训练完成!?$/, build: () => ({ k: 'completed' }) },
  {
    prefix: '最佳损失:',
    pattern: /^最佳损失: (\S+)$/,
    build: buildWith(numberAt(1, 'best loss'), (loss) => ({ k: 'best_loss', loss })),
    strict: 'best loss',
  },
];

const RULE_SET = new RuleSet(RULES);

function recognise(text: string): GenericLine | Malformed | null {
  const first = text.charCodeAt(0);
  if (first === 69 /* E */ && text.startsWith('Epoch ') && text.endsWith(']')) return recogniseFrame(text);
  if ((first === 83 /* S */ && text.startsWith('Stage ')) || text.startsWith('课程阶段 ')) {
    return text.endsWith(']') ? recogniseFrame(text) : null;
  }
  return RULE_SET.match(first === 32 || first === 9 ? text.trim() : text.trimEnd());
}

function role(line: GenericLine): LineRole {
  switch (line.k) {
    case 'frame':
      return ROLE_PROGRESS;
    case 'stage_bar':
      return ROLE_IDLE_BAR;
    case 'header':
      return ROLE_HEADER;
    case 'epoch_loss':
    case 'completed':
      return ROLE_EVIDENCE;
    default:
      return ROLE_CONTENT;
  }
}

function startsNewProcess(line: GenericLine, state: GenericState): boolean {
  return line.k === 'frame' && frameGoesBackwards(state.lastFrame, line.epoch, line.n);
}

function initialState(): GenericState {
  return { epochsTotal: null, lossEpoch: null, lastFrame: null, lastStep: null, nonFiniteStepWarned: false };
}

function apply(line: GenericLine, state: GenericState, ctx: RunContext): void {
  switch (line.k) {
    case 'frame':
      return applyFrame(line, state, ctx);
    case 'stage_bar':
    case 'header':
      return;
    case 'info':
      ctx.emit({ type: 'run_info', info: line.info });
      return;
    case 'epoch_loss':
      state.lossEpoch = line.epoch;
      ctx.emit({ type: 'epoch', epoch: line.epoch, metrics: { trainLoss: line.loss } });
      if (!Number.isFinite(line.loss)) ctx.warn(`non-finite training loss (${line.loss}) at epoch ${line.epoch}`);
      return;
    case 'best_saved':
      ctx.emit({ type: 'checkpoint', kind: 'best_saved', epoch: state.lossEpoch, loss: line.loss, path: null });
      return;
    case 'checkpoint_saved':
      ctx.emit({ type: 'checkpoint', kind: 'checkpoint_saved', epoch: line.epoch, loss: null, path: null });
      return;
    case 'completed':
      ctx.emit({ type: 'status', status: 'completed' });
      return;
    case 'best_loss':
      ctx.emit({ type: 'status', status: 'completed', bestLoss: line.loss });
      return;
  }
}

function applyFrame(line: Extract<GenericLine, { k: 'frame' }>, state: GenericState, ctx: RunContext): void {
  setLastFrame(state, line.epoch, line.n);
  if (state.epochsTotal === null) {
    state.epochsTotal = line.epochsTotal;
    ctx.emit({ type: 'run_info', info: { epochsTotal: line.epochsTotal } });
  }
  // §4.1: the postfix is set only every log_freq steps; frames in between repeat it unchanged.
  if (line.loss === null) return;
  const step = line.step ?? (line.total !== null && line.n > 0 ? (line.epoch - 1) * line.total + line.n : null);
  if (step === null || step === state.lastStep) return;
  state.lastStep = step;
  ctx.emit({ type: 'step', step, epoch: line.epoch, loss: line.loss, lr: line.lr, procMs: null, elapsedS: line.elapsedS });
  if (!Number.isFinite(line.loss) && !state.nonFiniteStepWarned) {
    state.nonFiniteStepWarned = true;
    ctx.warn(`non-finite step loss (${line.loss}) in epoch ${line.epoch} (reported once per run)`);
  }
}

export const genericTqdmParser: FormatParser<GenericState, GenericLine> = {
  format: 'generic_tqdm',
  stdoutBuffered: true,
  recognise,
  role,
  startsNewProcess,
  initialState,
  apply,
};
