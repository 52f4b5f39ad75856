// A run's derived runs-table fields (verdict, best/last values, strategy identity) from its small
// series: pure, so ingest (in the batch's transaction) and readers (repairing rows computed by other
// rules) derive them with the same code. lib/summaries/tables.ts writes them to "RunSummary".
import { createHash } from 'node:crypto';
import { bestValidation, latestTrainLoss, overfittingVerdict, type RunSeries, type StrategyInput } from '../analysis';
import { scalarProgress, type ScalarAxis, type TagSummary } from '../analysis/scalar-metrics';
import type { RunRow } from '../api/schemas/runs';
import { strategyShown } from '../views/strategy-shown';
import { finiteOrNull, strategyView, verdictView } from '../views/strategy-view';

export interface SummaryInput extends RunSeries {
  strategy: StrategyInput | null;
  /** The run's scalar tags ("ScalarTag") and the method its run directory names (scalar-metrics.ts). */
  tags?: readonly TagSummary[];
  method?: string | null;
}

/**
 * The derived part of a runs-table row, and what its scalars say of progress: the losses' axis (null:
 * no loss named), the training loss tag's last step (runProgress decides with the live log steps).
 */
export type SummaryView = Pick<RunRow, 'strategy' | 'epochsDone' | 'lastTrainLoss' | 'bestVal' | 'finalGap' | 'verdict'> & {
  epochRows?: number;
  scalarAxis?: ScalarAxis | null;
  trainStep?: number | null;
};

/** One "RunSummary" row: the view plus the columns the runs listing filters, sorts and searches on. */
export interface RunSummaryRow {
  view: SummaryView;
  strategyKey: string;
  strategySort: number | null;
  verdict: string;
  epochsDone: number;
  /** The latest epoch's training loss as it is (NaN and ±inf kept: the listing sorts and shows them); null without epochs. */
  lastTrainLoss: number | null;
  bestValLoss: number | null;
  finalGap: number | null;
  searchText: string;
}

/** Separates searchable fields, so a search never matches across two of them. */
export const SEARCH_SEPARATOR = '\u0001';

export function summarizeRun(input: SummaryInput): RunSummaryRow {
  const verdict = overfittingVerdict(input);
  const best = bestValidation(input);
  const strategy = strategyView(input.strategy);
  const scalars =
    input.tags && input.tags.length > 0 ? scalarProgress({ tags: input.tags, method: input.method, taskId: input.taskId }) : null;
  // The latest epoch average, else the training loss tag's last value (NaN and ±Infinity kept: the column says so).
  const latest = latestTrainLoss(input.epochs)?.loss ?? scalars?.trainValue ?? null;
  const epochRows = input.epochs.reduce((max, e) => Math.max(max, e.epoch), 0);
  const view: SummaryView = {
    strategy,
    // Epoch rows, else the scalars' epoch evidence (never a step): lib/analysis/scalar-metrics.ts runProgress.
    epochsDone: epochRows > 0 ? epochRows : (scalars?.epochsDone ?? 0),
    lastTrainLoss: finiteOrNull(latest),
    epochRows,
    scalarAxis: scalars?.axis ?? null,
    trainStep: scalars?.trainStep ?? null,
    bestVal: best === null ? null : { loss: best.loss, epoch: best.epoch, final: best.final },
    finalGap: finiteOrNull(verdict.gapAtEnd),
    verdict: verdictView(verdict),
  };
  return {
    view,
    strategyKey: strategy.key,
    strategySort: strategy.trainableLayers === null ? null : strategy.trainableLayers * 1000 + (strategy.unfrozen[0] ?? 0),
    verdict: view.verdict.status,
    epochsDone: view.epochsDone,
    lastTrainLoss: latest,
    bestValLoss: view.bestVal?.loss ?? null,
    finalGap: view.finalGap,
    // The label the table shows too ("no freeze strategy recorded"), so a search finds what it reads.
    searchText: [strategy.label, strategyShown(strategy, input.format).label, strategy.kind, strategy.requestedLabel, view.verdict.status]
      .filter((text): text is string => text !== null)
      .join(SEARCH_SEPARATOR)
      .toLowerCase(),
  };
}

/** Inputs that exercise every verdict and strategy form: their summaries fingerprint the rules. */
function probes(): SummaryInput[] {
  const series = (n: number, f: (e: number) => number) => Array.from({ length: n }, (_, i) => ({ epoch: i + 1, trainLoss: f(i + 1) }));
  const vals = (n: number, f: (e: number) => number, taskId = 1) =>
    Array.from({ length: n }, (_, i) => ({ epoch: i + 1, final: false, taskId, loss: f(i + 1) }));
  const strategies: (StrategyInput | null)[] = [
    null,
    {
      kind: 'unfreeze',
      spec: [-1, -2, -3, -4],
      totalLayers: 12,
      frozen: [0, 1, 2, 3, 4, 5, 6, 7],
      unfrozen: [8, 9, 10, 11],
      applied: true,
      failureReason: null,
    },
    { kind: 'ratio', spec: 0.5, totalLayers: 12, frozen: [], unfrozen: [], applied: false, failureReason: 'vision_model not found' },
    { kind: 'last_n', spec: 6, totalLayers: null, frozen: [], unfrozen: [], applied: true, failureReason: null },
    { kind: 'freeze', spec: null, totalLayers: 12, frozen: [], unfrozen: [], applied: true, failureReason: null },
  ];
  const shapes: Pick<SummaryInput, 'epochs' | 'validations' | 'stepLoss'>[] = [
    { epochs: [], validations: [] },
    { epochs: series(30, (e) => 1 / e), validations: vals(30, (e) => 0.3 + 0.01 * Math.abs(e - 8)) },
    { epochs: series(30, (e) => 1 / e), validations: vals(30, (e) => 0.5 / e) },
    { epochs: series(10, (e) => 1 / e), validations: vals(10, (e) => (e > 6 ? Number.NaN : 1 / e)) },
    {
      epochs: series(12, (e) => 1 / e),
      validations: [...vals(12, (e) => 0.4 - 0.001 * e), { epoch: 12, final: true, taskId: 1, loss: 0.35 }],
    },
    { epochs: series(20, (e) => 1 / e), validations: vals(20, (e) => 0.2 + 0.02 * e * (e > 15 ? 2 : 1)) },
    { epochs: series(8, (e) => (e > 6 ? Number.NaN : 1 / e)), validations: vals(6, (e) => 0.5 / e) },
    { epochs: [], validations: [], stepLoss: { firstNonFinite: { step: 600, epoch: null, loss: Number.POSITIVE_INFINITY } } },
  ];
  const out: SummaryInput[] = [];
  shapes.forEach((shape, i) =>
    strategies.forEach((strategy, j) =>
      out.push({ ...shape, strategy, taskId: (i + j) % 3 === 0 ? null : 1, format: j % 2 === 0 ? 'smolvla_sequential' : 'lerobot' }),
    ),
  );
  // Runs known by their scalars only: a team step-based trainer, a Keras fit, Hugging Face, no guess.
  const tag = (t: string, count: number, lastStep: number, lastValue: number, dir = '') => ({
    dir,
    tag: t,
    count,
    firstStep: lastStep - count + 1,
    lastStep,
    lastValue,
  });
  const scalarRuns: Pick<SummaryInput, 'tags' | 'method'>[] = [
    { tags: [tag('train/loss', 2100, 2100, 0.66), tag('train/lr', 2100, 2100, 0)], method: 'diffusion_bs64' },
    { tags: [tag('epoch_loss', 5, 4, 0.9, 'train'), tag('epoch_loss', 5, 4, 1.1, 'validation')], method: null },
    { tags: [tag('train/loss', 12, 1200, 0.3), tag('eval/loss', 12, 1200, 0.4), tag('train/epoch', 25, 1200, 2.5)], method: null },
    { tags: [tag('foo', 100, 99, 1)], method: null },
  ];
  for (const scalars of scalarRuns)
    out.push({ epochs: [], validations: [], strategy: null, taskId: null, format: 'tensorboard', ...scalars });
  // Judged on the validation curve it has: a held-out loss logged by step, rising while training falls.
  const curve = (f: (i: number) => number) => Array.from({ length: 8 }, (_, i) => ({ x: (i + 1) * 1000, loss: f(i) }));
  out.push({
    epochs: [],
    validations: [],
    strategy: null,
    taskId: null,
    format: 'lerobot',
    validationCurve: { axis: 'step', name: 'eval_loss', val: curve((i) => 0.3 + 0.02 * Math.abs(i - 3)), train: curve((i) => 1 / (i + 1)) },
  });
  return out;
}

let fingerprint: string | undefined;

/**
 * A fingerprint of the rules that derive summaries: stored with each row, so rows written by a Thaw
 * whose analysis differs (an upgrade, or a daemon of another version) are recomputed when read.
 */
export function summaryRules(): string {
  fingerprint ??= createHash('sha256')
    .update(JSON.stringify(probes().map(summarizeRun)))
    .digest('hex')
    .slice(0, 16);
  return fingerprint;
}
