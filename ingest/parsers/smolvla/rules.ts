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
  parseClockIn,
  parseIndexList,
  parseNumber,
  parseTqdmFrame,
  plainDecimalOf,
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

/**
 * The frame exactly as the trainer prints it, in one regular expression: one native scan instead of a
 * dozen indexOf/charCodeAt calls, each of which is slow on the framer's records (slices of a two-byte
 * chunk). Every part is pinned so that where it matches, recogniseTrainingFrame reads the same fields
 * from the same characters: the `:` right before the first `|` (desc = "Training Epoch N"), the next
 * `|`, `n/total [`, a clock up to the first `<` or `,`, the rate up to the next `,`, then the postfix
 * (trimmed) with `loss`, `lr`, `proc_ms` first, in that order, each a decimal between spaces.
 * Every `:` it allows follows a digit, `<` or `?`, so a matching text holds neither `.py:` nor a
 * traceback header: no format's split() cuts it (what makes it a FormatParser.fastFrame).
 *
 * Captures cost an allocation each, and reading characters in JavaScript costs several times what the
 * regular expression pays per character, so the pattern captures as little as it can: N is read in
 * place (always at TRAINING_FRAME.length), `n/total [elapsed` is one capture, the three values one each.
 */
const VALUE = String.raw`([-+.\deE]+)`; // checked by plainDecimal, as canonicalPostfixNumbers does
const CANONICAL_FRAME = new RegExp(
  String.raw`^Training Epoch \d{1,15}:[^:|]*\|[^:|]*\| *(\d{1,15}\/\d{1,15} \[\d[\d:]*)(?:<[\d:?]*)?,[^,:]*,\s*` +
    `loss= *${VALUE} *, *lr= *${VALUE} *, *proc_ms= *${VALUE}` +
    String.raw`(?: *,[^:]*|\s*)\]$`,
);

/**
 * plainDecimalOf for the frame's `lr`, remembering the last text and value. The schedule moves slowly
 * and the trainer prints three digits (`9.87e-05`), so consecutive frames mostly repeat the text, and
 * comparing two short strings costs far less than reading one as a number (reading characters is most
 * of what the fast path costs after the regular expression). Keyed by the whole text: never stale.
 */
function learningRate(text: string): number | undefined {
  if (text !== lastLrText) {
    lastLrText = text;
    lastLr = plainDecimalOf(text);
  }
  return lastLr;
}

let lastLrText = '';
let lastLr: number | undefined;

/** recogniseTrainingFrame for the canonical frame (CANONICAL_FRAME); null = take the general path. */
export function canonicalTrainingFrame(text: string): SmolvlaLine | null {
  const m = CANONICAL_FRAME.exec(text);
  if (m === null) return null;
  const loss = plainDecimalOf(group(m, 2));
  const lr = learningRate(group(m, 3));
  const procMs = plainDecimalOf(group(m, 4));
  // Outside plainDecimal's exact range (> 15 digits, far exponents) Number() semantics take the long way.
  if (loss === undefined || lr === undefined || procMs === undefined) return null;
  // The pattern holds every character read below to what the loops expect: 1–15 digits and the
  // character that ends them (the values fit a double exactly, as Number() would give them).
  let epoch = 0;
  let c = text.charCodeAt(TRAINING_FRAME.length);
  for (let i = TRAINING_FRAME.length; c !== 58 /* : */; c = text.charCodeAt(++i)) epoch = epoch * 10 + (c - 48);
  const counters = group(m, 1); // `n/total [elapsed`
  let at = 0;
  let n = 0;
  while ((c = counters.charCodeAt(at++)) !== 47 /* / */) n = n * 10 + (c - 48);
  let total = 0;
  while ((c = counters.charCodeAt(at++)) !== 32 /* space */) total = total * 10 + (c - 48);
  return {
    k: 'frame',
    epoch,
    n,
    total,
    loss,
    lr,
    procMs,
    // The elapsed time (after `[`) starts with a digit and ends at the first `<` or `,`, as in parseTqdmFrame.
    elapsedS: parseClockIn(counters, at + 1, counters.length),
  };
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
