// kuavo_train/train_smolvla_sequential.py and its policy wrapper (log-formats §1, §2), every version on
// both lineages, plus the short-lived train_smolvla_enhanced.py clone (§4.6).
//
// Ordering (§0.1): stdout is block-buffered, tqdm (stderr) is not. Everything that needs an epoch takes
// it from stdout lines only (the latest `Epoch N/M` / `Epoch N Average Loss`), which are in order among
// themselves; tqdm frames carry their own epoch in their description.
import type { Retention, RunInfo, StrategyInfo, StrategyKind } from '../events';
import {
  countGroup,
  frameGoesBackwards,
  group,
  isFiniteNumber,
  numberGroup,
  parseIndexList,
  parseNumber,
  parseTqdmFrame,
  postfixNumber,
  rangeInclusive,
  RuleSet,
  type LineRule,
} from './common';
import {
  Malformed,
  ROLE_CONTENT,
  ROLE_EVIDENCE,
  ROLE_HEADER,
  ROLE_IDLE_BAR,
  ROLE_PROGRESS,
  type FormatParser,
  type LineRole,
  type RunContext,
} from './types';

type RequestedKind = 'unfreeze' | 'freeze' | 'ratio';

export type SmolvlaLine =
  | {
      k: 'frame';
      epoch: number;
      n: number;
      total: number | null;
      loss: number | null;
      lr: number | null;
      procMs: number | null;
      elapsedS: number | null;
    }
  | { k: 'idle_bar' }
  | { k: 'header'; stage: number }
  | { k: 'info'; info: Partial<RunInfo> }
  | { k: 'epoch_header'; epoch: number; total: number }
  | { k: 'epoch_loss'; epoch: number; loss: number }
  | { k: 'epoch_minutes'; epoch: number; minutes: number }
  | { k: 'ms_per_batch'; value: number }
  | { k: 'samples_per_sec'; value: number }
  | { k: 'validation_block' }
  | { k: 'final_validation' }
  | { k: 'validation_loss'; taskId: number; loss: number }
  | { k: 'retention'; taskId: number; retention: Retention; loss: number }
  | { k: 'saving_model'; path: string }
  | { k: 'best_saved'; loss: number }
  | { k: 'checkpoint_saved'; epoch: number }
  | { k: 'final_saved' }
  | { k: 'completed' }
  | { k: 'best_loss'; loss: number }
  | { k: 'model_saved_to'; path: string }
  | { k: 'freeze_encoder'; value: boolean }
  | { k: 'requested_strategy'; kind: RequestedKind; spec: number[] | number }
  | { k: 'flex_banner' }
  | { k: 'flex_reapply' }
  | { k: 'total_layers'; total: number }
  | { k: 'flex_strategy'; kind: 'unfreeze' | 'freeze'; spec: number[] }
  | { k: 'flex_ratio'; ratio: number; count: number }
  | { k: 'index_out_of_range'; message: string }
  | { k: 'bad_ratio'; ratio: number | null; message: string }
  | { k: 'flex_done' }
  | { k: 'layer_count'; frozen: boolean; count: number; total: number }
  | { k: 'layer_list'; frozen: boolean; indices: number[] }
  | { k: 'flex_failure'; message: string }
  | { k: 'partial_too_many'; n: number; total: number }
  | { k: 'partial_applied' }
  | { k: 'partial_total'; total: number }
  | { k: 'partial_range'; frozen: boolean; from: number; to: number; count: number }
  | { k: 'vision_params'; trainable: number; total: number }
  | { k: 'partial_failure'; message: string }
  | { k: 'init_unfreeze_last'; n: number };

/** The strategy being assembled from a banner; `pass` 2 is the re-application after weight loading (§2.2). */
interface StrategyDraft extends StrategyInfo {
  pass: 1 | 2;
}

export interface SmolvlaState {
  /** Latest epoch named by a stdout line (`Epoch N/M` or `Epoch N Average Loss`). */
  stdoutEpoch: number | null;
  /** Latest `Epoch N Average Loss` epoch: the epoch that "Best model saved" refers to. */
  lossEpoch: number | null;
  epochsTotal: number | null;
  stepsPerEpoch: number | null;
  outputDirKnown: boolean;
  finalValidation: boolean;
  /** Directory of the latest `💾 Saving SmolVLA model to <dir>`: the path of the next checkpoint line. */
  savePath: string | null;
  /** Latest tqdm position [epoch, n]: going backwards means a new process wrote to the same file. */
  lastFrame: [number, number] | null;
  nonFiniteStepWarned: boolean;
  /** The strategy the config summary asked for (side lineage, §2.4). */
  requested: { kind: RequestedKind; spec: number[] | number } | null;
  reapplying: boolean;
  draft: StrategyDraft | null;
  /** The strategy last emitted for this run. */
  strategy: StrategyInfo | null;
}

// ---------------------------------------------------------------------------------------------
// Recognition

const WARN = '⚠\uFE0F?\\s*';

function re(source: string): RegExp {
  return new RegExp(source);
}

const RETENTIONS: Record<string, Retention> = {
  'Well Retained': 'retained',
  'Slight Degradation': 'slight_degradation',
  'Significant Forgetting': 'significant_forgetting',
};

function info(partial: Partial<RunInfo>): SmolvlaLine {
  return { k: 'info', info: partial };
}

function countInfo(
  key:
    | 'totalParams'
    | 'trainableParams'
    | 'frozenParams'
    | 'batchSize'
    | 'stepsPerEpoch'
    | 'totalSteps'
    | 'epochsTotal'
    | 'datasetFps'
    | 'datasetFrames',
) {
  return (match: RegExpExecArray): SmolvlaLine | Malformed => {
    const value = countGroup(match, 1, key);
    return value instanceof Malformed ? value : info({ [key]: value });
  };
}

function indexList(match: RegExpExecArray, index: number, what: string): number[] | Malformed {
  return parseIndexList(group(match, index)) ?? new Malformed(`unparsable ${what}: ${match[0]}`);
}

const RULES: LineRule<SmolvlaLine>[] = [
  // Run header (§1.2 #2) and the enhanced clone's header (§4.6).
  {
    prefix: '🤖 SmolVLA Sequential Training',
    pattern: /^🤖 SmolVLA Sequential Training - Stage (\d+)$/,
    build: (m) => ({ k: 'header', stage: Number(m[1]) }),
    strict: 'run header',
  },
  {
    prefix: '🚀 SmolVLA Enhanced Training',
    pattern: /^🚀 SmolVLA Enhanced Training - Task (\d+)$/,
    build: (m) => ({ k: 'header', stage: Number(m[1]) }),
    strict: 'run header',
  },
  { prefix: 'Task ID:', pattern: /^Task ID: (\d+)$/, build: (m) => info({ taskId: Number(m[1]) }), strict: 'task id' },
  { prefix: 'Task Name:', pattern: /^Task Name: (.+)$/, build: (m) => info({ taskName: group(m, 1) }) },
  { prefix: 'Description:', pattern: /^Description: (.*)$/, build: (m) => info({ description: group(m, 1) }) },
  { prefix: 'Language:', pattern: /^Language: (.*)$/, build: (m) => info({ language: group(m, 1) }) },
  { prefix: '📁 Output Directory:', pattern: /^📁 Output Directory: (.+)$/, build: (m) => info({ outputDir: group(m, 1) }) },
  { prefix: '📅 Timestamp:', pattern: /^📅 Timestamp: (.+)$/, build: (m) => info({ timestamp: group(m, 1) }) },
  { prefix: '📊 Dataset FPS:', pattern: /^📊 Dataset FPS: (\d+)$/, build: countInfo('datasetFps') },
  { prefix: '- Dataset FPS:', pattern: /^- Dataset FPS: (\d+)$/, build: countInfo('datasetFps') },
  {
    prefix: '📊 Current Task',
    pattern: /^📊 Current Task \d+ Dataset: (\d+) frames$/,
    build: countInfo('datasetFrames'),
  },
  // Where the weights come from (§1.2 #15–15c).
  {
    prefix: '📂 Loading pretrained SmolVLA from',
    pattern: /^📂 Loading pretrained SmolVLA from (.+)$/,
    build: (m) => info({ loadedFrom: 'pretrained', pretrainedPath: group(m, 1) }),
  },
  {
    prefix: '📂 Loading from Task',
    pattern: /^📂 Loading from Task (\d+): (.+)$/,
    build: (m) => info({ loadedFrom: 'task', resumeTaskId: Number(m[1]), resumePath: group(m, 2) }),
    strict: 'resume line',
  },
  {
    prefix: '⚠',
    pattern: re(`^${WARN}Training from scratch \\(not recommended`),
    build: () => info({ loadedFrom: 'scratch' }),
  },
  // Training configuration, both variants (§1.4); the lines are indented and trimmed here.
  { prefix: 'Epochs:', pattern: /^Epochs: (\S+)$/, build: countInfo('epochsTotal'), strict: 'epochs' },
  { prefix: 'Batch Size:', pattern: /^Batch Size: (\S+)$/, build: countInfo('batchSize'), strict: 'batch size' },
  {
    prefix: 'Learning Rate:',
    pattern: /^Learning Rate: (\S+)$/,
    build: (m) => {
      const lr = numberGroup(m, 1, 'learning rate');
      return lr instanceof Malformed ? lr : info({ learningRate: lr });
    },
    strict: 'learning rate',
  },
  {
    // Layerwise LR (side 12d323b+): the "other modules" group runs at the base optimizer_lr.
    prefix: 'Other Modules LR:',
    pattern: /^Other Modules LR: (\S+) \(\d+ params\)$/,
    build: (m) => {
      const lr = numberGroup(m, 1, 'learning rate');
      return lr instanceof Malformed ? lr : info({ learningRate: lr });
    },
  },
  { prefix: 'Steps per Epoch:', pattern: /^Steps per Epoch: (\S+)$/, build: countInfo('stepsPerEpoch'), strict: 'steps per epoch' },
  { prefix: 'Total Steps:', pattern: /^Total Steps: (\S+)$/, build: countInfo('totalSteps'), strict: 'total steps' },
  {
    prefix: 'Freeze Vision Encoder:',
    pattern: /^Freeze Vision Encoder: (True|False)$/,
    build: (m) => ({ k: 'freeze_encoder', value: m[1] === 'True' }),
  },
  // Init banner parameter counts (§2.1).
  { prefix: 'Total:', pattern: /^Total: ([\d,]+)$/, build: countInfo('totalParams') },
  { prefix: 'Trainable:', pattern: /^Trainable: ([\d,]+)$/, build: countInfo('trainableParams') },
  { prefix: 'Frozen:', pattern: /^Frozen: ([\d,]+)$/, build: countInfo('frozenParams') },
  {
    prefix: 'Unfreeze Vision Layers: Last',
    pattern: /^Unfreeze Vision Layers: Last (\d+) layers$/,
    build: (m) => ({ k: 'init_unfreeze_last', n: Number(m[1]) }),
  },
  // Config summary of the side lineage says which flexible strategy was asked for (§2.4).
  {
    prefix: '- 🔓 Unfreeze Vision Layers:',
    pattern: /^- 🔓 Unfreeze Vision Layers: (\[.*\]) \(灵活策略\)$/,
    build: (m) => {
      const spec = indexList(m, 1, 'unfreeze list');
      return spec instanceof Malformed ? spec : { k: 'requested_strategy', kind: 'unfreeze', spec };
    },
  },
  {
    prefix: '- 🔒 Freeze Vision Layers:',
    pattern: /^- 🔒 Freeze Vision Layers: (\[.*\]) \(灵活策略\)$/,
    build: (m) => {
      const spec = indexList(m, 1, 'freeze list');
      return spec instanceof Malformed ? spec : { k: 'requested_strategy', kind: 'freeze', spec };
    },
  },
  {
    prefix: '- 🔒 Freeze Vision Ratio:',
    pattern: /^- 🔒 Freeze Vision Ratio: ([\d.]+)% \(比例策略\)$/,
    build: (m) => ({ k: 'requested_strategy', kind: 'ratio', spec: percentToRatio(Number(m[1])) }),
  },
  // Per-epoch stdout (§1.5).
  {
    prefix: 'Epoch ',
    pattern: /^Epoch (\d+)\/(\d+)$/,
    build: (m) => ({ k: 'epoch_header', epoch: Number(m[1]), total: Number(m[2]) }),
  },
  {
    prefix: 'Epoch ',
    // `(.*)`, not a number pattern: a garbled value on this distinctive line is a warning, not silence.
    pattern: /^Epoch (\d+) Average Loss: (.*)$/,
    build: (m) => {
      const loss = numberGroup(m, 2, 'epoch loss');
      return loss instanceof Malformed ? loss : { k: 'epoch_loss', epoch: Number(m[1]), loss };
    },
  },
  {
    prefix: '⏱',
    pattern: /^⏱\uFE0F?\s*Epoch (\d+) 训练完成，用时: (\S+) 分钟/,
    build: (m) => {
      const minutes = numberGroup(m, 2, 'epoch duration');
      return minutes instanceof Malformed ? minutes : { k: 'epoch_minutes', epoch: Number(m[1]), minutes };
    },
    strict: 'epoch duration',
  },
  {
    prefix: '- 平均batch处理时间:',
    pattern: /^- 平均batch处理时间: (\S+)ms\/batch$/,
    build: (m) => {
      const value = numberGroup(m, 1, 'batch time');
      return value instanceof Malformed ? value : { k: 'ms_per_batch', value };
    },
    strict: 'batch time',
  },
  {
    prefix: '- 理论吞吐量:',
    pattern: /^- 理论吞吐量: (\S+) samples\/s$/,
    build: (m) => {
      const value = numberGroup(m, 1, 'throughput');
      return value instanceof Malformed ? value : { k: 'samples_per_sec', value };
    },
    strict: 'throughput',
  },
  // Multi-task validation (§1.6, §1.8).
  {
    prefix: '🔍 Multi-Task Validation',
    pattern: /^🔍 Multi-Task Validation \(Tasks \d+-\d+\)$/,
    build: () => ({ k: 'validation_block' }),
  },
  { prefix: '🎯 Final Multi-Task Validation', pattern: /^🎯 Final Multi-Task Validation$/, build: () => ({ k: 'final_validation' }) },
  {
    prefix: 'Task ',
    pattern: /^Task (\d+) Validation Loss: (.*)$/,
    build: (m) => {
      const loss = numberGroup(m, 2, 'validation loss');
      return loss instanceof Malformed ? loss : { k: 'validation_loss', taskId: Number(m[1]), loss };
    },
  },
  {
    prefix: 'Task ',
    pattern: /^Task (\d+): (?:✅|⚠\uFE0F?|❌)\s*(Well Retained|Slight Degradation|Significant Forgetting) \(loss=(\S+)\)$/,
    build: (m) => {
      const loss = numberGroup(m, 3, 'retention loss');
      const retention = RETENTIONS[group(m, 2)];
      if (loss instanceof Malformed) return loss;
      return retention ? { k: 'retention', taskId: Number(m[1]), retention, loss } : new Malformed(`unknown verdict: ${m[0]}`);
    },
  },
  // Checkpoints (§1.7) and completion (§1.8).
  {
    prefix: '💾 Saving SmolVLA model to',
    pattern: /^💾 Saving SmolVLA model to (.+)$/,
    build: (m) => ({ k: 'saving_model', path: group(m, 1) }),
  },
  {
    prefix: '✅ Best model saved:',
    pattern: /^✅ Best model saved: loss=(\S+)$/,
    build: (m) => {
      const loss = numberGroup(m, 1, 'best-model loss');
      return loss instanceof Malformed ? loss : { k: 'best_saved', loss };
    },
    strict: 'best-model line',
  },
  {
    prefix: '✅ Checkpoint saved:',
    pattern: /^✅ Checkpoint saved: epoch (\d+)$/,
    build: (m) => ({ k: 'checkpoint_saved', epoch: Number(m[1]) }),
    strict: 'checkpoint line',
  },
  {
    prefix: '✅ Final model and training state saved',
    pattern: /^✅ Final model and training state saved$/,
    build: () => ({ k: 'final_saved' }),
  },
  {
    prefix: '✅ Task ',
    pattern: /^✅ Task \d+ Training Completed!$/,
    build: () => ({ k: 'completed' }),
  },
  { prefix: '✅ Enhanced Training Completed!', pattern: /^✅ Enhanced Training Completed!$/, build: () => ({ k: 'completed' }) },
  {
    prefix: 'Best Loss:',
    pattern: /^Best Loss: (\S+)$/,
    build: (m) => {
      const loss = numberGroup(m, 1, 'best loss');
      return loss instanceof Malformed ? loss : { k: 'best_loss', loss };
    },
    strict: 'best loss',
  },
  { prefix: 'Model saved to:', pattern: /^Model saved to: (.+)$/, build: (m) => ({ k: 'model_saved_to', path: group(m, 1) }) },
  // Flexible vision-layer freezing banner (side lineage, §2.2).
  { prefix: '🔧 应用灵活视觉层冻结策略', pattern: /^🔧 应用灵活视觉层冻结策略$/, build: () => ({ k: 'flex_banner' }) },
  { prefix: '🔧 重新应用灵活视觉层冻结策略', pattern: /^🔧 重新应用灵活视觉层冻结策略/, build: () => ({ k: 'flex_reapply' }) },
  {
    prefix: 'Vision Encoder 总层数:',
    pattern: /^Vision Encoder 总层数: (\d+)$/,
    build: (m) => ({ k: 'total_layers', total: Number(m[1]) }),
    strict: 'layer count',
  },
  {
    prefix: '策略: 解冻指定层',
    pattern: /^策略: 解冻指定层 (\[.*\])$/,
    build: (m) => {
      const spec = indexList(m, 1, 'unfreeze list');
      return spec instanceof Malformed ? spec : { k: 'flex_strategy', kind: 'unfreeze', spec };
    },
    strict: 'unfreeze strategy',
  },
  {
    prefix: '策略: 冻结指定层',
    pattern: /^策略: 冻结指定层 (\[.*\])$/,
    build: (m) => {
      const spec = indexList(m, 1, 'freeze list');
      return spec instanceof Malformed ? spec : { k: 'flex_strategy', kind: 'freeze', spec };
    },
    strict: 'freeze strategy',
  },
  {
    prefix: '策略: 按比例冻结前',
    pattern: /^策略: 按比例冻结前 ([\d.]+)% 的层 \(前 (\d+) 层\)$/,
    build: (m) => ({ k: 'flex_ratio', ratio: percentToRatio(Number(m[1])), count: Number(m[2]) }),
    strict: 'ratio strategy',
  },
  {
    prefix: '⚠',
    pattern: re(`^${WARN}警告: 层索引 -?\\d+(?: \\(实际: -?\\d+\\))? 超出范围 \\[0, -?\\d+\\]$`),
    build: (m) => ({ k: 'index_out_of_range', message: m[0] }),
  },
  {
    prefix: '⚠',
    pattern: re(`^${WARN}警告: freeze_vision_ratio=(\\S+) 不在 \\[0\\.0, 1\\.0\\] 范围内`),
    build: (m) => ({ k: 'bad_ratio', ratio: finiteOrNull(parseNumber(group(m, 1))), message: m[0] }),
  },
  { prefix: '✅ 冻结策略应用完成', pattern: /^✅ 冻结策略应用完成:?$/, build: () => ({ k: 'flex_done' }) },
  {
    prefix: '🔒 冻结层数:',
    pattern: /^🔒 冻结层数: (\d+) \/ (\d+)$/,
    build: (m) => ({ k: 'layer_count', frozen: true, count: Number(m[1]), total: Number(m[2]) }),
    strict: 'frozen layer count',
  },
  {
    prefix: '🔓 解冻层数:',
    pattern: /^🔓 解冻层数: (\d+) \/ (\d+)$/,
    build: (m) => ({ k: 'layer_count', frozen: false, count: Number(m[1]), total: Number(m[2]) }),
    strict: 'unfrozen layer count',
  },
  {
    prefix: '🔒 冻结层索引:',
    pattern: /^🔒 冻结层索引: (\[.*\])$/,
    build: (m) => {
      const indices = indexList(m, 1, 'frozen layer list');
      return indices instanceof Malformed ? indices : { k: 'layer_list', frozen: true, indices };
    },
    strict: 'frozen layer list',
  },
  {
    prefix: '🔓 解冻层索引:',
    pattern: /^🔓 解冻层索引: (\[.*\])$/,
    build: (m) => {
      const indices = indexList(m, 1, 'unfrozen layer list');
      return indices instanceof Malformed ? indices : { k: 'layer_list', frozen: false, indices };
    },
    strict: 'unfrozen layer list',
  },
  {
    prefix: '⚠',
    pattern: re(
      `^${WARN}(无法找到 vision_model，跳过灵活冻结策略|VLM model 没有 vision_model 属性，跳过灵活冻结策略|访问 vision_model 时出错: .*)$`,
    ),
    build: (m) => ({ k: 'flex_failure', message: group(m, 1) }),
  },
  // Partial freeze of the last N layers (all-in-one, §2.3).
  {
    prefix: '⚠',
    pattern: re(`^${WARN}Warning: unfreeze_vision_layers=(\\d+) >= total layers=(\\d+)$`),
    build: (m) => ({ k: 'partial_too_many', n: Number(m[1]), total: Number(m[2]) }),
  },
  {
    prefix: '✅ Vision Encoder Partial Freeze Applied',
    pattern: /^✅ Vision Encoder Partial Freeze Applied:?$/,
    build: () => ({ k: 'partial_applied' }),
  },
  { prefix: 'Total layers:', pattern: /^Total layers: (\d+)$/, build: (m) => ({ k: 'partial_total', total: Number(m[1]) }) },
  {
    prefix: 'Frozen layers:',
    pattern: /^Frozen layers: (-?\d+)-(-?\d+) \((\d+) layers\)$/,
    build: (m) => ({ k: 'partial_range', frozen: true, from: Number(m[1]), to: Number(m[2]), count: Number(m[3]) }),
    strict: 'frozen layer range',
  },
  {
    prefix: 'Trainable layers:',
    pattern: /^Trainable layers: (-?\d+)-(-?\d+) \((\d+) layers\)$/,
    build: (m) => ({ k: 'partial_range', frozen: false, from: Number(m[1]), to: Number(m[2]), count: Number(m[3]) }),
    strict: 'trainable layer range',
  },
  {
    prefix: 'Vision params:',
    pattern: /^Vision params: ([\d,]+) \/ ([\d,]+) trainable/,
    build: (m) => {
      const trainable = countGroup(m, 1, 'vision params');
      const total = countGroup(m, 2, 'vision params');
      if (trainable instanceof Malformed) return trainable;
      return total instanceof Malformed ? total : { k: 'vision_params', trainable, total };
    },
    strict: 'vision params',
  },
  {
    prefix: '⚠',
    pattern: re(
      `^${WARN}Warning: (Could not find vision encoder layers\\. Skipping partial freeze\\.|Failed to apply partial vision freeze: .*)$`,
    ),
    build: (m) => ({ k: 'partial_failure', message: group(m, 1) }),
  },
];

const RULE_SET = new RuleSet(RULES);

function percentToRatio(percent: number): number {
  // `{ratio:.1%}` prints one decimal of a percent: three decimals of the ratio survive.
  return Math.round(percent * 10) / 1000;
}

function finiteOrNull(value: number | null): number | null {
  return isFiniteNumber(value) ? value : null;
}

const TRAINING_FRAME = 'Training Epoch ';

/** `Training Epoch N: …|n/total [elapsed<eta, rate, loss=…, lr=…, proc_ms=…]` (§1.5 #3). */
function recogniseTrainingFrame(text: string): SmolvlaLine | Malformed | null {
  const frame = parseTqdmFrame(text);
  if (frame === null) return new Malformed(`unparsable progress frame: ${text.slice(0, 120)}`);
  const epochText = frame.desc.slice(TRAINING_FRAME.length);
  const epoch = Number(epochText);
  if (!Number.isInteger(epoch) || epochText === '') return null;
  const postfix = frame.postfix;
  return {
    k: 'frame',
    epoch,
    n: frame.n,
    total: frame.total,
    loss: postfix === '' ? null : postfixNumber(postfix, 'loss'),
    lr: postfix === '' ? null : postfixNumber(postfix, 'lr'),
    procMs: postfix === '' ? null : postfixNumber(postfix, 'proc_ms'),
    elapsedS: frame.elapsedS,
  };
}

const IDLE_BAR: SmolvlaLine = { k: 'idle_bar' };

function recognise(text: string): SmolvlaLine | Malformed | null {
  const first = text.charCodeAt(0);
  if (first === 84 /* T */) {
    if (text.startsWith(TRAINING_FRAME)) return recogniseTrainingFrame(text);
    // "Task 1 Validation:  21%|██        | 12/57 [00:20<01:15,  1.67s/it]" (stderr, no postfix).
    if (text.startsWith('Task ') && text.includes(' Validation: ') && text.endsWith(']')) return IDLE_BAR;
  }
  const trimmed = first === 32 || first === 9 ? text.trim() : text.trimEnd();
  return RULE_SET.match(trimmed);
}

// ---------------------------------------------------------------------------------------------
// Roles

function role(line: SmolvlaLine): LineRole {
  switch (line.k) {
    case 'frame':
      return ROLE_PROGRESS;
    case 'idle_bar':
      return ROLE_IDLE_BAR;
    case 'header':
      return ROLE_HEADER;
    case 'epoch_header':
    case 'epoch_loss':
    case 'validation_loss':
    case 'best_saved':
    case 'completed':
      return ROLE_EVIDENCE;
    default:
      return ROLE_CONTENT;
  }
}

function startsNewProcess(line: SmolvlaLine, state: SmolvlaState): boolean {
  return line.k === 'frame' && frameGoesBackwards(state.lastFrame, line.epoch, line.n);
}

function initialState(): SmolvlaState {
  return {
    stdoutEpoch: null,
    lossEpoch: null,
    epochsTotal: null,
    stepsPerEpoch: null,
    outputDirKnown: false,
    finalValidation: false,
    savePath: null,
    lastFrame: null,
    nonFiniteStepWarned: false,
    requested: null,
    reapplying: false,
    draft: null,
    strategy: null,
  };
}

// ---------------------------------------------------------------------------------------------
// Application

function apply(line: SmolvlaLine, state: SmolvlaState, ctx: RunContext): void {
  switch (line.k) {
    case 'frame':
      return applyFrame(line, state, ctx);
    case 'idle_bar':
      return;
    case 'header':
      ctx.emit({ type: 'run_info', info: { stage: line.stage } });
      return;
    case 'info':
      return applyInfo(line.info, state, ctx);
    case 'epoch_header':
      state.stdoutEpoch = line.epoch;
      // §1.5 #1: the only place `/M` appears; the config block may be missing (log cut at the top).
      if (state.epochsTotal === null) {
        state.epochsTotal = line.total;
        ctx.emit({ type: 'run_info', info: { epochsTotal: line.total } });
      }
      return;
    case 'epoch_loss':
      state.stdoutEpoch = line.epoch;
      state.lossEpoch = line.epoch;
      ctx.emit({ type: 'epoch', epoch: line.epoch, metrics: { trainLoss: line.loss } });
      if (!Number.isFinite(line.loss)) ctx.warn(`non-finite training loss (${line.loss}) at epoch ${line.epoch}`);
      return;
    case 'epoch_minutes':
      ctx.emit({ type: 'epoch', epoch: line.epoch, metrics: { durationMinutes: line.minutes } });
      return;
    case 'ms_per_batch':
    case 'samples_per_sec':
      return applyThroughput(line, state, ctx);
    case 'validation_block':
      return;
    case 'final_validation':
      state.finalValidation = true;
      return;
    case 'validation_loss':
    case 'retention':
      return applyValidation(line, state, ctx);
    case 'saving_model':
      state.savePath = line.path;
      return;
    case 'best_saved':
      ctx.emit({
        type: 'checkpoint',
        kind: 'best_saved',
        epoch: state.lossEpoch ?? state.stdoutEpoch,
        loss: line.loss,
        path: takeSavePath(state),
      });
      return;
    case 'checkpoint_saved':
      ctx.emit({ type: 'checkpoint', kind: 'checkpoint_saved', epoch: line.epoch, loss: null, path: takeSavePath(state) });
      return;
    case 'final_saved':
      ctx.emit({
        type: 'checkpoint',
        kind: 'final_saved',
        epoch: state.lossEpoch ?? state.stdoutEpoch,
        loss: null,
        path: takeSavePath(state),
      });
      return;
    case 'completed':
      ctx.emit({ type: 'status', status: 'completed' });
      return;
    case 'best_loss':
      ctx.emit({ type: 'status', status: 'completed', bestLoss: line.loss });
      return;
    case 'model_saved_to':
      // Before 30be945 there is no "📁 Output Directory" line; the completion block names the run dir.
      if (!state.outputDirKnown) applyInfo({ outputDir: line.path }, state, ctx);
      return;
    default:
      return applyStrategyLine(line, state, ctx);
  }
}

function applyInfo(partial: Partial<RunInfo>, state: SmolvlaState, ctx: RunContext): void {
  if (partial.outputDir !== undefined) state.outputDirKnown = true;
  if (partial.epochsTotal !== undefined) state.epochsTotal = partial.epochsTotal;
  if (partial.stepsPerEpoch !== undefined) state.stepsPerEpoch = partial.stepsPerEpoch;
  ctx.emit({ type: 'run_info', info: partial });
}

function applyFrame(line: Extract<SmolvlaLine, { k: 'frame' }>, state: SmolvlaState, ctx: RunContext): void {
  state.lastFrame = [line.epoch, line.n];
  // The first frame of an epoch has no postfix yet; n = 0 would repeat the previous epoch's last step.
  if (line.loss === null || line.n === 0) return;
  const perEpoch = line.total ?? state.stepsPerEpoch;
  if (perEpoch === null) return;
  ctx.emit({
    type: 'step',
    step: (line.epoch - 1) * perEpoch + line.n,
    epoch: line.epoch,
    loss: line.loss,
    lr: line.lr,
    procMs: line.procMs,
    elapsedS: line.elapsedS,
  });
  if (!Number.isFinite(line.loss) && !state.nonFiniteStepWarned) {
    state.nonFiniteStepWarned = true;
    ctx.warn(`non-finite step loss (${line.loss}) in epoch ${line.epoch} (reported once per run)`);
  }
  // The last frame of an epoch carries the LR the epoch ended with (TensorBoard's train/lr).
  if (line.n === line.total && line.lr !== null) ctx.emit({ type: 'epoch', epoch: line.epoch, metrics: { lr: line.lr } });
}

function applyThroughput(
  line: Extract<SmolvlaLine, { k: 'ms_per_batch' | 'samples_per_sec' }>,
  state: SmolvlaState,
  ctx: RunContext,
): void {
  // §1.5 #6: printed right after `Epoch N Average Loss`, in stdout order.
  const epoch = state.lossEpoch ?? state.stdoutEpoch;
  if (epoch === null) return;
  const metrics = line.k === 'ms_per_batch' ? { msPerBatch: line.value } : { samplesPerSec: line.value };
  ctx.emit({ type: 'epoch', epoch, metrics });
}

function applyValidation(line: Extract<SmolvlaLine, { k: 'validation_loss' | 'retention' }>, state: SmolvlaState, ctx: RunContext): void {
  // The block follows its epoch's stdout lines; the final block belongs to the run's last epoch.
  const final = state.finalValidation;
  const epoch = state.stdoutEpoch ?? (final ? state.epochsTotal : null) ?? 0;
  if (line.k === 'validation_loss') {
    ctx.emit({ type: 'validation', epoch, final, taskId: line.taskId, loss: line.loss });
    if (!Number.isFinite(line.loss)) {
      ctx.warn(`non-finite validation loss (${line.loss}) for task ${line.taskId} at epoch ${epoch}${final ? ' (final)' : ''}`);
    }
    return;
  }
  ctx.emit({ type: 'retention', epoch, final, taskId: line.taskId, retention: line.retention, loss: line.loss });
}

function takeSavePath(state: SmolvlaState): string | null {
  const path = state.savePath;
  state.savePath = null;
  return path;
}

// ---------------------------------------------------------------------------------------------
// Vision-encoder freezing (§2.2 flexible banner, §2.3 partial freeze)

function newDraft(state: SmolvlaState, kind: StrategyKind): StrategyDraft {
  return {
    pass: state.reapplying ? 2 : 1,
    kind,
    spec: null,
    totalLayers: null,
    frozen: [],
    unfrozen: [],
    applied: false,
    failureReason: null,
    visionTrainableParams: null,
    visionTotalParams: null,
  };
}

function draftFor(state: SmolvlaState, kind: StrategyKind): StrategyDraft {
  if (state.draft === null) state.draft = newDraft(state, kind);
  return state.draft;
}

function applyStrategyLine(line: SmolvlaLine, state: SmolvlaState, ctx: RunContext): void {
  switch (line.k) {
    case 'requested_strategy':
      state.requested = { kind: line.kind, spec: line.spec };
      return;
    case 'flex_reapply':
      // §2.2: the banner is printed a second time after the weights are loaded.
      state.reapplying = true;
      state.draft = null;
      return;
    case 'flex_banner':
      state.draft = newDraft(state, state.requested?.kind ?? 'none');
      if (state.requested) state.draft.spec = state.requested.spec;
      return;
    case 'total_layers': {
      const draft = draftFor(state, state.requested?.kind ?? 'none');
      draft.totalLayers = line.total;
      resolveLayers(draft);
      return;
    }
    case 'flex_strategy': {
      const draft = draftFor(state, line.kind);
      draft.kind = line.kind;
      draft.spec = line.spec;
      resolveLayers(draft);
      return;
    }
    case 'flex_ratio': {
      const draft = draftFor(state, 'ratio');
      draft.kind = 'ratio';
      draft.spec = line.ratio;
      if (draft.totalLayers !== null) {
        draft.frozen = rangeInclusive(0, line.count - 1);
        draft.unfrozen = rangeInclusive(line.count, draft.totalLayers - 1);
      }
      return;
    }
    case 'index_out_of_range':
      // The trainer skips the index and goes on; the resolved lists below say what happened.
      ctx.warn(`freeze strategy: ${line.message.replace(/^⚠\uFE0F?\s*/, '')}`);
      return;
    case 'bad_ratio': {
      // §2.2: returns right after the warning: no summary, the default freeze behaviour stays.
      const draft = draftFor(state, 'ratio');
      draft.kind = 'ratio';
      draft.spec = line.ratio;
      draft.frozen = [];
      draft.unfrozen = [];
      return fail(draft, line.message.replace(/^⚠\uFE0F?\s*/, ''), state, ctx);
    }
    case 'flex_done': {
      const draft = draftFor(state, state.requested?.kind ?? 'none');
      draft.applied = true;
      return commit(state, ctx);
    }
    case 'layer_count': {
      const draft = state.draft;
      if (draft === null) return;
      draft.totalLayers = line.total;
      if (line.count === 0) {
        if (line.frozen) draft.frozen = [];
        else draft.unfrozen = [];
      }
      return commitIfApplied(state, ctx);
    }
    case 'layer_list': {
      const draft = state.draft;
      if (draft === null) return;
      if (line.frozen) draft.frozen = sortedUnique(line.indices);
      else draft.unfrozen = sortedUnique(line.indices);
      return commitIfApplied(state, ctx);
    }
    case 'flex_failure': {
      // c88ce73/0606561 print the exception's traceback right after this line and carry on (§2.2).
      if (line.message.startsWith('访问 vision_model 时出错')) ctx.expectHandledTraceback();
      const draft = draftFor(state, state.requested?.kind ?? 'none');
      if (draft.spec === null && state.requested) draft.spec = state.requested.spec;
      return fail(draft, line.message, state, ctx);
    }
    case 'partial_too_many': {
      const draft = partialDraft(state);
      draft.spec = line.n;
      draft.totalLayers = line.total;
      return;
    }
    case 'partial_applied':
      partialDraft(state).applied = true;
      return commit(state, ctx);
    case 'partial_total':
      if (state.draft?.kind !== 'last_n') return;
      state.draft.totalLayers = line.total;
      return commitIfApplied(state, ctx);
    case 'partial_range': {
      if (state.draft?.kind !== 'last_n') return;
      const layers = rangeInclusive(line.from, line.to);
      if (line.frozen) state.draft.frozen = layers;
      else {
        state.draft.unfrozen = layers;
        if (state.draft.spec === null) state.draft.spec = line.count;
      }
      return commitIfApplied(state, ctx);
    }
    case 'vision_params':
      if (state.draft?.kind !== 'last_n') return;
      state.draft.visionTrainableParams = line.trainable;
      state.draft.visionTotalParams = line.total;
      return commitIfApplied(state, ctx);
    case 'partial_failure':
      return fail(partialDraft(state), line.message, state, ctx);
    case 'init_unfreeze_last':
      // Printed in the init banner after the partial-freeze lines: fills in N when only a failure was seen.
      if (state.strategy?.kind === 'last_n' && state.strategy.spec === null) {
        state.strategy = { ...state.strategy, spec: line.n };
        ctx.emit({ type: 'strategy', strategy: copyStrategy(state.strategy) });
      }
      return;
    case 'freeze_encoder':
      // Documented choice: `Freeze Vision Encoder: False` with no layer strategy → kind 'none' (nothing
      // frozen). `True` alone is the trainer's default and yields no strategy.
      if (!line.value && state.strategy === null && state.draft === null) {
        state.strategy = noStrategy();
        ctx.emit({ type: 'strategy', strategy: noStrategy() });
      }
      return;
    default:
      return;
  }
}

function partialDraft(state: SmolvlaState): StrategyDraft {
  if (state.draft === null || state.draft.kind !== 'last_n') state.draft = newDraft(state, 'last_n');
  return state.draft;
}

/** Frozen/unfrozen from the requested spec (the printed index lines, when present, override this). */
function resolveLayers(draft: StrategyDraft): void {
  const total = draft.totalLayers;
  if (total === null || !Array.isArray(draft.spec)) return;
  if (draft.kind === 'unfreeze') {
    const unfrozen = draft.spec.map((index) => (index < 0 ? total + index : index)).filter((i) => i >= 0 && i < total);
    draft.unfrozen = sortedUnique(unfrozen);
    draft.frozen = rangeInclusive(0, total - 1).filter((i) => !draft.unfrozen.includes(i));
  } else if (draft.kind === 'freeze') {
    draft.frozen = sortedUnique(draft.spec.filter((i) => i >= 0 && i < total));
    draft.unfrozen = rangeInclusive(0, total - 1).filter((i) => !draft.frozen.includes(i));
  }
}

function sortedUnique(values: number[]): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}

function fail(draft: StrategyDraft, reason: string, state: SmolvlaState, ctx: RunContext): void {
  draft.applied = false;
  draft.failureReason = reason;
  commit(state, ctx);
}

function commitIfApplied(state: SmolvlaState, ctx: RunContext): void {
  if (state.draft?.applied) commit(state, ctx);
}

/**
 * Emits the draft as the run's strategy. The re-application pass (§2.2) never replaces what the first
 * pass established, unless it upgrades it (first pass failed or was only the 'none' default): the
 * model's final requires_grad state is the union of what the passes did.
 */
function commit(state: SmolvlaState, ctx: RunContext): void {
  const draft = state.draft;
  if (draft === null) return;
  const previous = state.strategy;
  if (draft.pass === 2 && previous !== null && previous.kind !== 'none' && (previous.applied || !draft.applied)) return;
  const { pass: _pass, ...strategy } = draft;
  state.strategy = copyStrategy(strategy);
  ctx.emit({ type: 'strategy', strategy: copyStrategy(strategy) });
}

/** Events never share arrays with the parser state (the caller may keep or mutate them). */
function copyStrategy(strategy: StrategyInfo): StrategyInfo {
  return {
    ...strategy,
    spec: Array.isArray(strategy.spec) ? [...strategy.spec] : strategy.spec,
    frozen: [...strategy.frozen],
    unfrozen: [...strategy.unfrozen],
  };
}

function noStrategy(): StrategyInfo {
  return {
    kind: 'none',
    spec: null,
    totalLayers: null,
    frozen: [],
    unfrozen: [],
    applied: true,
    failureReason: null,
    visionTrainableParams: null,
    visionTotalParams: null,
  };
}

export const smolvlaParser: FormatParser<SmolvlaState, SmolvlaLine> = {
  format: 'smolvla_sequential',
  recognise,
  role,
  startsNewProcess,
  initialState,
  apply,
};
