// Deterministic generator of realistic SmolVLA sequential-trainer logs (log-formats §1, §2), as `tee`
// records them: stdout prints and stderr tqdm frames (`\r`-framed, leave=False) interleaved the way the
// process would interleave them, optionally with stdout block-buffered (8 KiB) as when Python's stdout is
// a pipe (§0). Used by `thaw demo`, the benchmarks and the parser tests' fixtures.
import { closeSync, openSync, writeSync } from 'node:fs';
import { mulberry32 } from '../random';

export interface SmolvlaLogOptions {
  seed?: number;
  taskId?: number;
  taskName?: string;
  /** Epochs actually run (≤ epochsTotal; fewer for crashed/running logs). */
  epochs?: number;
  epochsTotal?: number;
  stepsPerEpoch?: number;
  batchSize?: number;
  /** tqdm frames per optimiser step: 1, or 2 (set_postfix refresh + iteration refresh, §0.3). */
  framesPerStep?: 1 | 2;
  /** Per-epoch multi-task validation every N epochs; null = none (all-in-one after 10-28). */
  validationEvery?: number | null;
  saveEvery?: number;
  /** Layers to unfreeze from the end (flexible banner `[-1..-N]`); printed twice (side lineage §2.2). */
  unfreezeLast?: number;
  /** 'none': unbuffered (`python -u`); 'line': flushes of ≥ 8 KiB at line ends; 'byte': exact 8 KiB blocks (mid-line cuts). */
  stdoutBuffering?: 'none' | 'line' | 'byte';
  /** The stdout buffer's size (default 8192, Python's): smaller blocks cut more lines, at other places. */
  stdoutBlockBytes?: number;
  outcome?: 'completed' | 'crashed' | 'running';
  timestamp?: string;
  /** Include the dbaa183+ `proc_ms` postfix and 性能统计 block. */
  perfStats?: boolean;
  /** Sequential stage: load the previous task's checkpoint (§1.2 #15b) instead of the pretrained model. */
  resumeFrom?: { taskId: number; path: string } | null;
  /** Own-task validation falls until this epoch, then rises (overfitting); null = keeps falling. */
  overfitAfter?: number | null;
  /** From this epoch on the loss is NaN (the run diverged): steps, epoch averages and own-task validation print `nan`. */
  nanFromEpoch?: number | null;
  /** How strongly earlier tasks' validation loss grows with each later stage (0 = no forgetting). */
  forgetting?: number;
  /** Added to every own-task validation loss: a strategy's effect on quality (default 0). */
  validationShift?: number;
  /** Multiplies the time per batch (tqdm elapsed and rate, proc_ms, ms/batch): a strategy's cost (default 1). */
  timeScale?: number;
  /** Print the side lineage's `⏱️  Epoch N 训练完成，用时: X 分钟 (Y 秒)` after each epoch (log-formats §1.5 #5). */
  epochTimingLine?: boolean;
}

const RULE = '='.repeat(70);
const TASKS: Record<number, string> = { 1: 'moving_grasp', 2: 'weighing', 3: 'placement', 4: 'sorting' };
const BAR_PARTIALS = ' ▏▎▍▌▋▊▉';

function clock(seconds: number): string {
  const s = Math.floor(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(sec).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** A tqdm bar of width 10 (ncols=None, §0.4) with the Unicode partial blocks. */
function bar(fraction: number): string {
  const cells = fraction * 10;
  const full = Math.floor(cells);
  if (full >= 10) return '█'.repeat(10);
  const partial = Math.floor((cells - full) * 8);
  return '█'.repeat(full) + (partial > 0 ? BAR_PARTIALS[partial] : ' ') + ' '.repeat(9 - full);
}

/** One tqdm frame as written to stderr (leading `\r`). */
export function tqdmFrame(desc: string, n: number, total: number, secondsPerIt: number, postfix: string): string {
  const fraction = n / total;
  const percent = String(Math.round(fraction * 100)).padStart(3);
  const elapsed = clock(n * secondsPerIt);
  const remaining = n === 0 ? '?' : clock((total - n) * secondsPerIt);
  const rate = n === 0 ? '?it/s' : secondsPerIt >= 1 ? `${secondsPerIt.toFixed(2)}s/it` : `${(1 / secondsPerIt).toFixed(2)}it/s`;
  const tail = postfix === '' ? '' : `, ${postfix}`;
  return `\r${desc}: ${percent}%|${bar(fraction)}| ${n}/${total} [${elapsed}<${remaining}, ${rate.padStart(8)}${tail}]`;
}

/** Collects the two streams into file order; stdout may be block-buffered. */
class TeeWriter {
  private stdoutBuffer: Buffer[] = [];
  private stdoutBytes = 0;

  constructor(
    private readonly buffering: 'none' | 'line' | 'byte',
    private readonly sink: (bytes: Buffer) => void,
    private readonly block = 8192,
  ) {}

  stdout(text: string): void {
    if (this.buffering === 'none') {
      this.sink(Buffer.from(text));
      return;
    }
    const bytes = Buffer.from(text);
    this.stdoutBuffer.push(bytes);
    this.stdoutBytes += bytes.length;
    if (this.stdoutBytes < this.block) return;
    const all = Buffer.concat(this.stdoutBuffer);
    if (this.buffering === 'byte') {
      const cut = all.length - (all.length % this.block);
      this.sink(all.subarray(0, cut));
      this.stdoutBuffer = [all.subarray(cut)];
      this.stdoutBytes = all.length - cut;
    } else if (text.endsWith('\n')) {
      this.sink(all);
      this.stdoutBuffer = [];
      this.stdoutBytes = 0;
    }
  }

  stderr(text: string): void {
    this.sink(Buffer.from(text));
  }

  /** Interpreter exit: stdout is flushed last. */
  close(): void {
    if (this.stdoutBytes > 0) this.sink(Buffer.concat(this.stdoutBuffer));
    this.stdoutBuffer = [];
    this.stdoutBytes = 0;
  }
}

interface Resolved extends Required<
  Omit<SmolvlaLogOptions, 'validationEvery' | 'resumeFrom' | 'overfitAfter' | 'forgetting' | 'stdoutBlockBytes' | 'nanFromEpoch'>
> {
  validationEvery: number | null;
  resumeFrom: { taskId: number; path: string } | null;
  overfitAfter: number | null;
  forgetting: number | null;
  nanFromEpoch: number | null;
}

/** A loss as Python's `f'{x:.4f}'` prints it (`nan`, `inf`). */
function loss4(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  return x.toFixed(4);
}

function resolve(options: SmolvlaLogOptions): Resolved {
  const taskId = options.taskId ?? 1;
  const epochsTotal = options.epochsTotal ?? options.epochs ?? 10;
  return {
    seed: options.seed ?? 1,
    taskId,
    taskName: options.taskName ?? TASKS[taskId] ?? `task${taskId}`,
    epochs: Math.min(options.epochs ?? epochsTotal, epochsTotal),
    epochsTotal,
    stepsPerEpoch: options.stepsPerEpoch ?? 40,
    batchSize: options.batchSize ?? 64,
    framesPerStep: options.framesPerStep ?? 1,
    validationEvery: options.validationEvery === undefined ? 1 : options.validationEvery,
    saveEvery: options.saveEvery ?? 5,
    unfreezeLast: options.unfreezeLast ?? 8,
    stdoutBuffering: options.stdoutBuffering ?? 'none',
    outcome: options.outcome ?? 'completed',
    timestamp: options.timestamp ?? '20251106_144248',
    perfStats: options.perfStats ?? true,
    resumeFrom: options.resumeFrom ?? null,
    overfitAfter: options.overfitAfter ?? null,
    nanFromEpoch: options.nanFromEpoch ?? null,
    forgetting: options.forgetting ?? null,
    validationShift: options.validationShift ?? 0,
    timeScale: options.timeScale ?? 1,
    epochTimingLine: options.epochTimingLine ?? false,
  };
}

function writeHeader(o: Resolved, out: TeeWriter, runDir: string): void {
  out.stdout('✅ 已设置 HuggingFace 下载源: https://hf-mirror.com\n');
  out.stdout(`\n${RULE}\n🤖 SmolVLA Sequential Training - Stage ${o.taskId}\n${RULE}\n`);
  out.stdout(`Task ID: ${o.taskId}\nTask Name: ${o.taskName}\n`);
  out.stdout('Description: 机器人从移动的传送带上抓取物体。将物体精确放置在桌面上第一个彩色目标块的中心位置。\n');
  out.stdout('Language: Grasp the object from the moving conveyor belt and place it precisely at the center of the target block.\n');
  out.stdout(`${RULE}\n\n📁 Output Directory: ${runDir}\n📅 Timestamp: ${o.timestamp}\n\n`);
  out.stdout('📂 Loading Dataset Metadata...\n📊 Dataset FPS: 10\n');
  out.stdout('📐 Padding dataset_stats to match SmolVLA dimensions (16D → 32D)...\n✅ Dataset stats padded successfully\n');
  out.stdout(
    "[2025-11-06 14:42:51,207][root][WARNING] - 'torchcodec' is not available in your platform, falling back to 'pyav' as a default decoder\n",
  );
  if (o.resumeFrom) out.stdout(`\n📂 Loading from Task ${o.resumeFrom.taskId}: ${o.resumeFrom.path}\n`);
  else out.stdout('\n📂 Loading pretrained SmolVLA from lerobot/smolvla_base\n');
  out.stdout(`\n${RULE}\n📂 Loading SmolVLA from: lerobot/smolvla_base\n${RULE}\n`);
  out.stdout('Loading  HuggingFaceTB/SmolVLM2-500M-Video-Instruct weights ...\nReducing the number of VLM layers to 16 ...\n');
}

function writeFlexibleBanner(o: Resolved, out: TeeWriter): void {
  const total = 12;
  const n = Math.min(o.unfreezeLast, total);
  const spec = Array.from({ length: o.unfreezeLast }, (_, i) => -(i + 1));
  const frozen = Array.from({ length: total - n }, (_, i) => i);
  const unfrozen = Array.from({ length: n }, (_, i) => total - n + i);
  const list = (values: number[]) => (values.length > 10 ? `[${values[0]}...${values[values.length - 1]}]` : `[${values.join(', ')}]`);
  out.stdout(`\n${RULE}\n🔧 应用灵活视觉层冻结策略\n${RULE}\n📊 Vision Model 信息:\n   - Vision Model 类型: SmolVLMVisionTransformer\n`);
  out.stdout('   - 是否有 encoder: True\n   - Config: SmolVLMVisionConfig\n');
  out.stdout(`\nVision Encoder 总层数: ${total}\n\n策略: 解冻指定层 [${spec.join(', ')}]\n`);
  out.stdout(`\n✅ 冻结策略应用完成:\n   🔒 冻结层数: ${frozen.length} / ${total}\n   🔓 解冻层数: ${unfrozen.length} / ${total}\n`);
  if (frozen.length > 0) out.stdout(`   🔒 冻结层索引: ${list(frozen)}\n`);
  if (unfrozen.length > 0) out.stdout(`   🔓 解冻层索引: ${list(unfrozen)}\n`);
  out.stdout(`${RULE}\n\n`);
}

function writeInitBanner(o: Resolved, out: TeeWriter): void {
  const total = 450_046_176;
  const trainable = 267_372_768 + o.unfreezeLast * 7_000_000;
  const fmt = (n: number) => n.toLocaleString('en-US');
  out.stdout(`\n${RULE}\n🤖 SmolVLA Policy Initialized for Kuavo Project\n${RULE}\n`);
  out.stdout('VLM Backbone: HuggingFaceTB/SmolVLM2-500M-Video-Instruct\nAction Dimension: 32 (Kuavo Dual-Arm)\nChunk Size: 50\n');
  out.stdout('Action Steps per Inference: 8\nFreeze Vision Encoder: True\nTrain Expert Only: False\n');
  out.stdout(
    `\nModel Parameters:\n  Total: ${fmt(total)}\n  Trainable: ${fmt(trainable)}\n  Frozen: ${fmt(total - trainable)}\n${RULE}\n\n`,
  );
}

function writeSetup(o: Resolved, out: TeeWriter): void {
  writeFlexibleBanner(o, out);
  writeInitBanner(o, out);
  out.stdout(`✅ Loaded weights from HuggingFace: lerobot/smolvla_base\n${RULE}\n\n`);
  out.stdout('\n🔧 重新应用灵活视觉层冻结策略（在权重加载后）...\n');
  writeFlexibleBanner(o, out);
  out.stdout('📐 Dataset delta_timestamps configuration:\n   - Dataset FPS: 10\n   - observation.state: current frame only\n');
  out.stdout(
    '   - action: 50 future frames (5.00s @ 10fps)\n🎬 Video backend: torchcodec\n   ✅ Using torchcodec - fast video decoding enabled\n',
  );
  out.stdout(`📊 Current Task ${o.taskId} Dataset: ${o.stepsPerEpoch * o.batchSize} frames\n`);
  out.stdout(`\n🎯 Training Configuration:\n   Epochs: ${o.epochsTotal}\n   Batch Size: ${o.batchSize}\n   Learning Rate: 0.0001\n`);
  out.stdout(`   Steps per Epoch: ${o.stepsPerEpoch}\n   Total Steps: ${o.epochsTotal * o.stepsPerEpoch}\n`);
  out.stdout(`\n🚀 Starting Training...\n${RULE}\n\n`);
}

function saveLines(dir: string): string {
  return `💾 Saving SmolVLA model to ${dir}\n✅ Model saved successfully\n   Config: ${dir}/config.json\n   Weights: ${dir}/model.safetensors\n`;
}

function writeValidation(o: Resolved, out: TeeWriter, epoch: number, random: () => number): void {
  out.stdout(`\n${RULE}\n🔍 Multi-Task Validation (Tasks 1-${o.taskId})\n${RULE}\n`);
  const losses: number[] = [];
  for (let task = 1; task <= o.taskId; task++) {
    out.stdout(`\n📊 Validating Task ${task}...\n`);
    for (let n = 0; n <= 5; n++) out.stderr(tqdmFrame(`Task ${task} Validation`, n, 5, 0.25, ''));
    out.stderr(`\r${' '.repeat(70)}\r`);
    const own = task === o.taskId ? ownValidationLoss(o, epoch, random) : earlierTaskLoss(o, task, random);
    const loss = task === o.taskId && o.nanFromEpoch !== null && epoch >= o.nanFromEpoch ? Number.NaN : own;
    losses.push(loss);
    out.stdout(`  Task ${task} Validation Loss: ${loss4(loss)}\n`);
  }
  if (o.taskId > 1) {
    out.stdout('\n⚠️  Forgetting Analysis:\n');
    for (let task = 1; task < o.taskId; task++) {
      const loss = losses[task - 1] ?? 0;
      const verdict = loss < 0.7 ? '✅ Well Retained' : loss < 1.0 ? '⚠️  Slight Degradation' : '❌ Significant Forgetting';
      out.stdout(`  Task ${task}: ${verdict} (loss=${loss.toFixed(4)})\n`);
    }
  }
  out.stdout(`${RULE}\n\n`);
}

/** Falls like 1/√epoch; past `overfitAfter` it climbs again while training loss keeps falling. */
function ownValidationLoss(o: Resolved, epoch: number, random: () => number): number {
  const base = (e: number) => 0.8 / Math.sqrt(e) + o.validationShift;
  if (o.overfitAfter === null || epoch <= o.overfitAfter) return base(epoch) + random() * 0.02;
  return base(o.overfitAfter) * (1 + 0.06 * (epoch - o.overfitAfter)) + random() * 0.02;
}

/** Earlier tasks: retained near 0.3-0.7 by default; `forgetting` pushes them up stage by stage. */
function earlierTaskLoss(o: Resolved, task: number, random: () => number): number {
  if (o.forgetting === null) return 0.3 + task * 0.2 + random() * 0.1;
  return 0.12 + o.forgetting * (o.taskId - task) + random() * 0.04;
}

function writeEpoch(o: Resolved, out: TeeWriter, epoch: number, random: () => number, state: { best: number }, runDir: string): boolean {
  out.stdout(`\n${RULE}\nEpoch ${epoch}/${o.epochsTotal}\n${RULE}\n`);
  const desc = `Training Epoch ${epoch}`;
  const secondsPerIt = (0.3 + random() * 0.2) * o.timeScale;
  out.stderr(tqdmFrame(desc, 0, o.stepsPerEpoch, secondsPerIt, ''));
  let sum = 0;
  let width = 0;
  const crashAt = o.outcome === 'crashed' && epoch === o.epochs ? Math.floor(o.stepsPerEpoch / 2) : -1;
  const diverged = o.nanFromEpoch !== null && epoch >= o.nanFromEpoch;
  for (let n = 1; n <= o.stepsPerEpoch; n++) {
    const finite = 0.9 / Math.sqrt(epoch + n / o.stepsPerEpoch) + (random() - 0.5) * 0.05;
    const loss = diverged ? Number.NaN : finite;
    sum += loss;
    const lr = 1e-4 * Math.min(1, (epoch - 1 + n / o.stepsPerEpoch) / 2);
    const procMs = (200 + random() * 100) * o.timeScale;
    const postfix = `loss=${loss4(loss)}, lr=${lr.toExponential(2)}${o.perfStats ? `, proc_ms=${procMs.toFixed(1)}` : ''}`;
    if (o.framesPerStep === 2) out.stderr(tqdmFrame(desc, n - 1, o.stepsPerEpoch, secondsPerIt, postfix));
    const frame = tqdmFrame(desc, n, o.stepsPerEpoch, secondsPerIt, postfix);
    width = frame.length - 1;
    out.stderr(frame);
    if (n === crashAt) return false;
  }
  out.stderr(`\r${' '.repeat(width)}\r`);
  const avg = sum / o.stepsPerEpoch;
  out.stdout(`Epoch ${epoch} Average Loss: ${loss4(avg)}\n`);
  if (o.epochTimingLine) {
    const seconds = secondsPerIt * o.stepsPerEpoch;
    out.stdout(`⏱️  Epoch ${epoch} 训练完成，用时: ${(seconds / 60).toFixed(2)} 分钟 (${seconds.toFixed(1)} 秒)\n`);
  }
  if (o.perfStats) {
    out.stdout(
      `📊 性能统计:\n   - 平均batch处理时间: ${((250 + random() * 10) * o.timeScale).toFixed(2)}ms/batch\n   - 理论吞吐量: ${((250 + random() * 10) / o.timeScale).toFixed(1)} samples/s\n`,
    );
  }
  if (o.validationEvery !== null && epoch % o.validationEvery === 0) writeValidation(o, out, epoch, random);
  if (avg < state.best) {
    state.best = avg;
    out.stdout(`${saveLines(`${runDir}/best`)}✅ Best model saved: loss=${avg.toFixed(4)}\n`);
  }
  if (epoch % o.saveEvery === 0) out.stdout(`${saveLines(`${runDir}/epoch${epoch}`)}✅ Checkpoint saved: epoch ${epoch}\n`);
  return true;
}

function writeCompletion(o: Resolved, out: TeeWriter, random: () => number, best: number, runDir: string): void {
  out.stdout('\n💾 Saving final model and training state...\n');
  out.stdout(`💾 Saving SmolVLA model to ${runDir}\n✅ Model saved successfully\n✅ Final model and training state saved\n`);
  out.stdout(`\n${RULE}\n🎯 Final Multi-Task Validation\n${RULE}\n`);
  writeValidation(o, out, o.epochs, random);
  out.stdout(`\n${RULE}\n✅ Task ${o.taskId} Training Completed!\n${RULE}\nBest Loss: ${best.toFixed(4)}\n`);
  out.stdout(`Model saved to: ${runDir}\nResults saved to: ${runDir}/training_results.json\n${RULE}\n\n`);
}

function writeCrash(out: TeeWriter): void {
  out.stderr('\nTraceback (most recent call last):\n');
  out.stderr('  File "/root/robot_train/kuavo_train/train_smolvla_sequential.py", line 903, in main\n');
  out.stderr('    loss.backward()\n');
  out.stderr('  File "/usr/local/lib/python3.10/dist-packages/torch/_tensor.py", line 521, in backward\n');
  out.stderr('    torch.autograd.backward(\n');
  out.stderr(
    'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 23.65 GiB of which 1.12 GiB is free.\n',
  );
  out.stderr('\nSet the environment variable HYDRA_FULL_ERROR=1 for a complete stack trace.\n');
}

/** Writes one run to `sink` (in file order). Returns the number of tqdm training frames written. */
export function emitSmolvlaLog(options: SmolvlaLogOptions, sink: (bytes: Buffer) => void): number {
  const o = resolve(options);
  const random = mulberry32(o.seed);
  const out = new TeeWriter(o.stdoutBuffering, sink, options.stdoutBlockBytes);
  const runDir = `outputs/train/task${o.taskId}_${o.taskName}/smolvla_sequential/run_${o.timestamp}`;
  writeHeader(o, out, runDir);
  writeSetup(o, out);
  const state = { best: Number.POSITIVE_INFINITY };
  let frames = 0;
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    const finished = writeEpoch(o, out, epoch, random, state, runDir);
    frames += o.stepsPerEpoch * o.framesPerStep;
    if (!finished) {
      writeCrash(out);
      out.close();
      return frames;
    }
  }
  if (o.outcome === 'completed') writeCompletion(o, out, random, state.best, runDir);
  if (o.outcome !== 'running') out.close();
  return frames;
}

/** The whole log in memory (tests and small fixtures). */
export function generateSmolvlaLog(options: SmolvlaLogOptions = {}): Buffer {
  const parts: Buffer[] = [];
  emitSmolvlaLog(options, (bytes) => parts.push(bytes));
  return Buffer.concat(parts);
}

/** Streams a (possibly very large) log to a file in 1 MiB writes; resolves to its size and tqdm frame count. */
export function writeSmolvlaLog(path: string, options: SmolvlaLogOptions = {}): { bytes: number; frames: number } {
  const fd = openSync(path, 'w');
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let bytes = 0;
  const flush = () => {
    if (pendingBytes > 0) writeSync(fd, Buffer.concat(pending));
    pending = [];
    pendingBytes = 0;
  };
  try {
    const frames = emitSmolvlaLog(options, (chunk) => {
      pending.push(chunk);
      pendingBytes += chunk.length;
      bytes += chunk.length;
      if (pendingBytes >= 1 << 20) flush();
    });
    flush();
    return { bytes, frames };
  } finally {
    closeSync(fd);
  }
}
