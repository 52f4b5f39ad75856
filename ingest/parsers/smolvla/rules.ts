// Recognition of the SmolVLA sequential trainer's lines (log-formats §1, §2, §4.5): one rule per line
// form, bucketed by first character (RuleSet), plus the hand-written fast path for tqdm frames.
import type { Retention, RunInfo } from '../../events';
import {
  buildWith,
  canonicalPostfixNumbers,
  countAt,
  group,
  isFiniteNumber,
  numberAt,
  pair,
  parseIndexList,
  parseNumber,
  parseTqdmFrame,
  decimalEnd,
  decimalRunAt,
  postfixNumber,
  RuleSet,
  startsWithAt,
  type Capture,
  type LineRule,
} from '../common';
import { Malformed } from '../types';
import type { SmolvlaLine } from './lines';

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
  return buildWith(countAt(1, key), (value): SmolvlaLine => info({ [key]: value }));
}

/** Capture `index` as a layer-index list (`[0, 1]`, `[0...11]`). */
function indexListAt(index: number, what: string): Capture<number[]> {
  return (match) => parseIndexList(group(match, index)) ?? new Malformed(`unparsable ${what}: ${match[0]}`);
}

const RULES: LineRule<SmolvlaLine>[] = [
  // Run header (§1.2 #2) and the enhanced clone's header (§4.5).
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
    build: buildWith(numberAt(1, 'learning rate'), (lr) => info({ learningRate: lr })),
    strict: 'learning rate',
  },
  {
    // Layerwise LR (side 12d323b+): the "other modules" group runs at the base optimizer_lr.
    prefix: 'Other Modules LR:',
    pattern: /^Other Modules LR: (\S+) \(\d+ params\)$/,
    build: buildWith(numberAt(1, 'learning rate'), (lr) => info({ learningRate: lr })),
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
    build: buildWith(indexListAt(1, 'unfreeze list'), (spec) => ({ k: 'requested_strategy', kind: 'unfreeze', spec })),
  },
  {
    prefix: '- 🔒 Freeze Vision Layers:',
    pattern: /^- 🔒 Freeze Vision Layers: (\[.*\]) \(灵活策略\)$/,
    build: buildWith(indexListAt(1, 'freeze list'), (spec) => ({ k: 'requested_strategy', kind: 'freeze', spec })),
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
    build: buildWith(numberAt(2, 'epoch loss'), (loss, m) => ({ k: 'epoch_loss', epoch: Number(m[1]), loss })),
  },
  {
    prefix: '⏱',
    pattern: /^⏱\uFE0F?\s*Epoch (\d+) 训练完成，用时: (\S+) 分钟/,
    build: buildWith(numberAt(2, 'epoch duration'), (minutes, m) => ({ k: 'epoch_minutes', epoch: Number(m[1]), minutes })),
    strict: 'epoch duration',
  },
  {
    prefix: '- 平均batch处理时间:',
    pattern: /^- 平均batch处理时间: (\S+)ms\/batch$/,
    build: buildWith(numberAt(1, 'batch time'), (value) => ({ k: 'ms_per_batch', value })),
    strict: 'batch time',
  },
  {
    prefix: '- 理论吞吐量:',
    pattern: /^- 理论吞吐量: (\S+) samples\/s$/,
    build: buildWith(numberAt(1, 'throughput'), (value) => ({ k: 'samples_per_sec', value })),
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
    build: buildWith(numberAt(2, 'validation loss'), (loss, m) => ({ k: 'validation_loss', taskId: Number(m[1]), loss })),
  },
  {
    prefix: 'Task ',
    pattern: /^Task (\d+): (?:✅|⚠\uFE0F?|❌)\s*(Well Retained|Slight Degradation|Significant Forgetting) \(loss=(\S+)\)$/,
    build: buildWith(numberAt(3, 'retention loss'), (loss, m) => {
      const retention = RETENTIONS[group(m, 2)];
      return retention ? { k: 'retention', taskId: Number(m[1]), retention, loss } : new Malformed(`unknown verdict: ${m[0]}`);
    }),
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
    build: buildWith(numberAt(1, 'best-model loss'), (loss) => ({ k: 'best_saved', loss })),
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
    build: buildWith(numberAt(1, 'best loss'), (loss) => ({ k: 'best_loss', loss })),
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
    build: buildWith(indexListAt(1, 'unfreeze list'), (spec) => ({ k: 'flex_strategy', kind: 'unfreeze', spec })),
    strict: 'unfreeze strategy',
  },
  {
    prefix: '策略: 冻结指定层',
    pattern: /^策略: 冻结指定层 (\[.*\])$/,
    build: buildWith(indexListAt(1, 'freeze list'), (spec) => ({ k: 'flex_strategy', kind: 'freeze', spec })),
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
    build: buildWith(indexListAt(1, 'frozen layer list'), (indices) => ({ k: 'layer_list', frozen: true, indices })),
    strict: 'frozen layer list',
  },
  {
    prefix: '🔓 解冻层索引:',
    pattern: /^🔓 解冻层索引: (\[.*\])$/,
    build: buildWith(indexListAt(1, 'unfrozen layer list'), (indices) => ({ k: 'layer_list', frozen: false, indices })),
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
    build: buildWith(pair(countAt(1, 'vision params'), countAt(2, 'vision params')), ([trainable, total]) => ({
      k: 'vision_params',
      trainable,
      total,
    })),
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
/** The postfix the trainer prints (§1.5 #3), in its order. */
const FRAME_KEYS = ['loss', 'lr', 'proc_ms'] as const;

const TRAINING_FRAME_BYTES = new TextEncoder().encode(TRAINING_FRAME);
const LOSS_KEY = new TextEncoder().encode('loss=');
const LR_KEY = new TextEncoder().encode('lr=');
const PROC_MS_KEY = new TextEncoder().encode('proc_ms=');

const SPACE = 32;
const COMMA = 44;
const COLON = 58;
const PIPE = 124;
const ESC = 0x1b;
/** The second byte of U+009B (8-bit CSI) in UTF-8, and a continuation byte of some other characters. */
const CSI_BYTE = 0x9b;

/** A byte the regions read without checking (bar, rate, extra postfix) may not hold: `:`, or an escape (ESC, 0x9B). */
function unreadByteRefused(c: number): boolean {
  return c === COLON || c === ESC || c === CSI_BYTE;
}

/** `\s` as far as this path goes: ASCII space, tab, vertical tab, form feed (\r and \n end records). */
function isAsciiSpace(c: number): boolean {
  return c === SPACE || c === 9 || c === 11 || c === 12;
}

/**
 * The frame exactly as the trainer prints it (§1.5 #3), read from the record's UTF-8 bytes without
 * decoding them: the format's fastFrame. It answers for a subset of what recogniseTrainingFrame reads
 * from the decoded text, and there it answers the same (rules.test.ts holds the two together on the
 * trainer's frames and every one-character and one-byte mutation of them); everything else returns null and takes
 * the general path. What it accepts, in order:
 *
 *   `Training Epoch ` N `:` [^:|]* `|` [^:|]* `|` ` `* n `/` total ` [` clock (`<` [\d:?]*)? `,`
 *   [^,:]* `,` [ \t\v\f]* `loss=` ` `* V ` `* `,` ` `* `lr=` ` `* V ` `* `,` ` `* `proc_ms=` ` `* V
 *   then either ` `* `,` [^:]* `]` or [ \t\v\f]* `]`, ending the record,
 *
 * with N, n, total 1–15 digits, clock `\d[\d:]*`, each V the longest run of `[-+.\deE]` and a plain
 * decimal (decimalRunAt), and no ESC or 0x9B byte anywhere (the framer strips ANSI escapes from
 * the text, which this path never sees). The bytes it lets through unread — the bar, the rate, the
 * extra postfix — can hold any character: `:`, `|` and `,` are ASCII and never part of a multi-byte
 * sequence, so they are found in the bytes exactly where they are in the text. Every `:` it allows
 * follows a digit, `<` or `?`, so the text holds neither `.py:` nor a traceback header: no format's
 * split() cuts it. Reading stops at `end` (the record's terminator, or the end of the bytes).
 */
export function canonicalTrainingFrame(bytes: Uint8Array, start: number, end: number): SmolvlaLine | null {
  const prefix = TRAINING_FRAME_BYTES;
  if (end - start < 48) return null; // shorter than the shortest frame with the three values
  for (let k = 0; k < prefix.length; k++) if (bytes[start + k] !== prefix[k]) return null;
  let i = start + prefix.length;
  let c = bytes[i] as number;
  let epoch = 0;
  let digits = 0;
  for (; c >= 48 && c <= 57; c = bytes[++i] as number) {
    epoch = epoch * 10 + (c - 48);
    digits++;
  }
  if (digits === 0 || digits > 15 || c !== COLON) return null;
  // `[^:|]*\|[^:|]*\|`: the percentage, the bar.
  for (let pipes = 0; pipes < 2;) {
    if (++i >= end) return null;
    c = bytes[i] as number;
    if (c === PIPE) pipes++;
    else if (unreadByteRefused(c)) return null;
  }
  c = bytes[++i] as number;
  while (c === SPACE) c = bytes[++i] as number;
  let n = 0;
  for (digits = 0; c >= 48 && c <= 57; c = bytes[++i] as number) {
    n = n * 10 + (c - 48);
    digits++;
  }
  if (digits === 0 || digits > 15 || c !== 47 /* / */) return null;
  let total = 0;
  for (digits = 0, c = bytes[++i] as number; c >= 48 && c <= 57; c = bytes[++i] as number) {
    total = total * 10 + (c - 48);
    digits++;
  }
  if (digits === 0 || digits > 15 || c !== SPACE || bytes[++i] !== 91 /* [ */) return null;
  // The clock `\d[\d:]*`, read as clockIn reads it (a field without digits or a fourth field: null).
  c = bytes[++i] as number;
  if (!(c >= 48 && c <= 57)) return null;
  let seconds = 0;
  let field = 0;
  let fieldDigits = 0;
  let fields = 1;
  let clockValid = true;
  for (; (c >= 48 && c <= 57) || c === COLON; c = bytes[++i] as number) {
    if (c === COLON) {
      if (fieldDigits === 0 || ++fields > 3) clockValid = false;
      seconds = seconds * 60 + field;
      field = 0;
      fieldDigits = 0;
    } else {
      field = field * 10 + (c - 48);
      fieldDigits++;
    }
  }
  const elapsedS = clockValid && fields >= 2 && fieldDigits > 0 ? seconds * 60 + field : null;
  if (c === 60 /* < */) {
    c = bytes[++i] as number;
    while ((c >= 48 && c <= 57) || c === COLON || c === 63 /* ? */) c = bytes[++i] as number;
  }
  if (c !== COMMA) return null;
  // The rate: `[^,:]*,`.
  for (;;) {
    if (++i >= end) return null;
    c = bytes[i] as number;
    if (c === COMMA) break;
    if (unreadByteRefused(c)) return null;
  }
  c = bytes[++i] as number;
  while (isAsciiSpace(c)) c = bytes[++i] as number;
  const loss = keyedDecimal(bytes, i, LOSS_KEY);
  if (loss === undefined || (i = skipComma(bytes, decimalEnd)) < 0) return null;
  const lr = keyedDecimal(bytes, i, LR_KEY);
  if (lr === undefined || (i = skipComma(bytes, decimalEnd)) < 0) return null;
  const procMs = keyedDecimal(bytes, i, PROC_MS_KEY);
  if (procMs === undefined) return null;
  i = decimalEnd;
  // ` *,[^:]*\]$` or `\s*\]$`.
  c = bytes[i] as number;
  while (c === SPACE) c = bytes[++i] as number;
  if (c === COMMA) {
    if (end - 1 <= i || bytes[end - 1] !== 93 /* ] */) return null;
    for (let k = i + 1; k < end - 1; k++) {
      if (unreadByteRefused(bytes[k] as number)) return null;
    }
  } else {
    while (isAsciiSpace(c)) c = bytes[++i] as number;
    if (c !== 93 /* ] */ || i !== end - 1) return null;
  }
  return { k: 'frame', epoch, n, total, loss, lr, procMs, elapsedS };
}

/** `key` ` `* V at bytes[at]: V's value (decimalRunAt, which sets decimalEnd), or undefined. */
function keyedDecimal(bytes: Uint8Array, at: number, key: Uint8Array): number | undefined {
  let i = at;
  for (let k = 0; k < key.length; k++, i++) if (bytes[i] !== key[k]) return undefined;
  while (bytes[i] === SPACE) i++;
  return decimalRunAt(bytes, i);
}

/** ` *, *` at bytes[at]: the index after it, or -1. */
function skipComma(bytes: Uint8Array, at: number): number {
  let i = at;
  while (bytes[i] === SPACE) i++;
  if (bytes[i] !== COMMA) return -1;
  i++;
  while (bytes[i] === SPACE) i++;
  return i;
}

/** `Training Epoch N: …|n/total [elapsed<eta, rate, loss=…, lr=…, proc_ms=…]` (§1.5 #3). */
export function recogniseTrainingFrame(text: string): SmolvlaLine | Malformed | null {
  const frame = parseTqdmFrame(text);
  if (frame === null) return new Malformed(`unparsable progress frame: ${text.slice(0, 120)}`);
  const epoch = frameEpoch(frame.desc);
  if (epoch === null) return null;
  const postfix = frame.postfix;
  const canonical = canonicalPostfixNumbers(postfix, FRAME_KEYS);
  if (canonical !== null) {
    const [loss, lr, procMs] = canonical;
    return {
      k: 'frame',
      epoch,
      n: frame.n,
      total: frame.total,
      loss: loss ?? null,
      lr: lr ?? null,
      procMs: procMs ?? null,
      elapsedS: frame.elapsedS,
    };
  }
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

/** N of "Training Epoch N" (the frame's description): digits on the fast path, else what Number() accepts. */
function frameEpoch(desc: string): number | null {
  const from = TRAINING_FRAME.length;
  let epoch = 0;
  let i = from;
  for (; i < desc.length && i - from < 15; i++) {
    const c = desc.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    epoch = epoch * 10 + c;
  }
  if (i === desc.length && i > from) return epoch;
  const epochText = desc.slice(from);
  const value = Number(epochText);
  return Number.isInteger(value) && epochText !== '' ? value : null;
}

const IDLE_BAR: SmolvlaLine = { k: 'idle_bar' };

export function recognise(text: string): SmolvlaLine | Malformed | null {
  const first = text.charCodeAt(0);
  if (first === 84 /* T */) {
    // No canonicalTrainingFrame here: the run manager asks it (fastFrame) before recognise(), and on a
    // miss it would only fail a second time.
    if (startsWithAt(text, TRAINING_FRAME)) return recogniseTrainingFrame(text);
    // "Task 1 Validation:  21%|██        | 12/57 [00:20<01:15,  1.67s/it]" (stderr, no postfix).
    if (text.startsWith('Task ') && text.includes(' Validation: ') && text.endsWith(']')) return IDLE_BAR;
  }
  const trimmed = first === 32 || first === 9 ? text.trim() : text.trimEnd();
  return RULE_SET.match(trimmed);
}
