// One run in full, for the run page and GET /api/runs/[id]: header, strategy, verdict with its
// reason, checkpoint advice, the validation table, events and parse warnings.
import { provenLastStep } from '../analysis/artefacts';
import { configMismatches, configSettingsOf } from '../analysis/config-check';
import {
  adviseCheckpoint,
  bestValidation,
  latestTrainLoss,
  overfittingVerdict,
  validationTrend,
  type CheckpointEvent,
  type CheckpointKind,
  type RunSeries,
  type SavedCheckpoint,
} from '../analysis';
import { db } from '../db/client';
import { NotFoundError } from '../api/errors';
import type { RunDetail } from '../api/schemas/run';
import { runAnnotation } from './annotations';
import { loadEpochData } from './epochs';
import { finiteOrNull, lastTrainLossView, nonFiniteKind, specFromJson, strategyView } from '../views/strategy-view';
import { loadRunSeries, type SqlRunner } from '../summaries/tables';
import type { StrategyInput } from '../analysis';
import type { Prisma } from '../generated/prisma/client';
import { methodOfIdentity, runProgress, scalarProgress } from '../analysis/scalar-metrics';
import { runDirIdentity } from '../db/run-key';
import { experimentFolder } from '../views/facets';

const CHECKPOINT_KINDS = new Set<string>(['best_saved', 'checkpoint_saved', 'final_saved']);

const toNumber = (value: bigint | number | null): number | null => (value === null ? null : Number(value));

function checkpointView(c: SavedCheckpoint | null) {
  return c === null ? null : { kind: c.kind, label: c.label, epoch: c.epoch, path: c.path, loss: finiteOrNull(c.loss) };
}

function nonFinite(value: number | null): 'NaN' | 'inf' | null {
  if (value === null || Number.isFinite(value)) return null;
  return Number.isNaN(value) ? 'NaN' : 'inf';
}

export async function getRunDetail(id: number): Promise<RunDetail> {
  const run = await db().run.findUnique({
    where: { id },
    include: {
      strategy: true,
      source: { select: { id: true, path: true, host: true, state: true } },
      childRuns: { select: { id: true }, orderBy: { id: 'asc' } },
      events: { orderBy: [{ line: 'asc' }, { id: 'asc' }] },
      warnings: { orderBy: [{ line: 'asc' }, { id: 'asc' }], take: 500 },
      evals: { orderBy: { step: 'asc' } },
      checkpoints: { orderBy: { step: 'asc' } },
      sources: { select: { source: { select: { id: true, path: true, host: true, kind: true, state: true } } } },
    },
  });
  if (!run) throw new NotFoundError(`run ${id} does not exist`);
  const [lastStep, tags] = await Promise.all([
    db().stepPoint.findFirst({ where: { runId: id }, select: { step: true }, orderBy: { step: 'desc' } }),
    db().scalarTag.findMany({
      where: { runId: id },
      select: { dir: true, tag: true, count: true, firstStep: true, lastStep: true, lastValue: true },
    }),
  ]);
  const data = (await loadEpochData([id])).get(id) ?? { epochs: [], validations: [] };
  // The verdict reads the series every rule reads (the runs table's summary, the alerts): epochs whose
  // average is not known yet are not NaN, and a NaN step counts.
  const sql: SqlRunner = (text, params) => db().$queryRawUnsafe<Record<string, unknown>[]>(text, ...params);
  const stored = (await loadRunSeries(sql, [id]))[0];
  const series: RunSeries = {
    epochs: stored?.epochs ?? [],
    validations: stored?.validations ?? [],
    stepLoss: stored?.stepLoss ?? null,
    validationCurve: stored?.validationCurve ?? null,
    taskId: run.taskId,
    format: run.format,
  };
  const strategy = run.strategy
    ? {
        kind: run.strategy.kind,
        spec: specFromJson(run.strategy.spec),
        totalLayers: run.strategy.totalLayers,
        frozen: run.strategy.frozenLayers,
        unfrozen: run.strategy.unfrozenLayers,
        applied: run.strategy.applied,
        failureReason: run.strategy.failureReason,
      }
    : null;
  const verdict = overfittingVerdict(series);
  const best = bestValidation(series);
  const checkpoints: CheckpointEvent[] = run.events
    .filter((e) => CHECKPOINT_KINDS.has(e.kind))
    .map((e) => ({ kind: e.kind as CheckpointKind, epoch: e.epoch, loss: e.loss, path: e.path }));
  const advice = adviseCheckpoint({
    events: checkpoints,
    // Per-epoch validation best (the trend); a final-only run has none to compare checkpoints with.
    bestValidationEpoch: verdict.axis === 'step' ? null : (verdict.bestEpoch ?? (best && !best.final ? best.epoch : null)),
    validations: validationTrend(series),
    epochs: series.epochs,
    outputDir: run.outputDir,
  });

  const taskIds = [...new Set(data.validations.map((v) => v.taskId))].sort((a, b) => a - b);
  const rowsByKey = new Map<string, RunDetail['validation']['rows'][number]>();
  for (const v of data.validations) {
    const key = `${v.final ? 1 : 0}|${v.epoch}`;
    let row = rowsByKey.get(key);
    if (!row) {
      row = {
        epoch: v.epoch,
        final: v.final,
        losses: taskIds.map(() => null),
        nonFinite: taskIds.map(() => null),
        retention: taskIds.map(() => null),
      };
      rowsByKey.set(key, row);
    }
    const column = taskIds.indexOf(v.taskId);
    row.losses[column] = finiteOrNull(v.loss);
    row.nonFinite[column] = nonFinite(v.loss);
    row.retention[column] = v.retention;
  }
  const [stepFigures, annotation] = await Promise.all([stepLossFigures(id), runAnnotation(id)]);
  // Which tags are the losses, on which axis, and the progress they, the epoch rows and the steps
  // reached (log or checkpoint) say: one rule.
  const scalars = scalarProgress({ tags, method: methodOfIdentity(runDirIdentity(run.identity)), taskId: run.taskId });
  const progress = runProgress({
    epochRows: series.epochs.reduce((max, e) => Math.max(max, e.epoch), 0),
    epochsTotal: run.epochsTotal,
    scalars: tags.length > 0 ? scalars : null,
    logStep: provenLastStep(lastStep?.step ?? null, run.checkpoints.at(-1)?.step ?? null),
  });
  const validationRows = [...rowsByKey.values()].sort((a, b) => Number(a.final) - Number(b.final) || a.epoch - b.epoch);

  return {
    run: {
      id: run.id,
      taskId: run.taskId,
      taskName: run.taskName,
      description: run.description,
      language: run.language,
      status: run.status,
      format: run.format,
      stage: run.stage,
      timestamp: run.timestamp,
      outputDir: run.outputDir,
      loadedFrom: run.loadedFrom,
      pretrainedPath: run.pretrainedPath,
      resumeTaskId: run.resumeTaskId,
      resumePath: run.resumePath,
      parentRunId: run.parentRunId,
      childRunIds: run.childRuns.map((c) => c.id),
      errorMessage: run.errorMessage,
      pushError: run.pushError,
      startedAt: run.startedAt.toISOString(),
      lastSeenAt: run.lastSeenAt.toISOString(),
      bestTrainLoss: finiteOrNull(run.bestLoss),
      config: {
        epochsTotal: run.epochsTotal,
        batchSize: run.batchSize,
        learningRate: run.learningRate,
        stepsPerEpoch: run.stepsPerEpoch,
        totalSteps: run.totalSteps,
        datasetFrames: run.datasetFrames,
        datasetFps: run.datasetFps,
        episodes: run.episodes,
      },
      dataset: run.dataset,
      experiment: experimentFolder({ identity: run.identity, outputDir: run.outputDir, sourcePath: run.source.path }),
      params: {
        total: toNumber(run.totalParams),
        trainable: toNumber(run.trainableParams),
        frozen: toNumber(run.frozenParams),
        visionTrainable: toNumber(run.strategy?.visionTrainableParams ?? null),
        visionTotal: toNumber(run.strategy?.visionTotalParams ?? null),
      },
      source: run.source,
      ...annotation,
    },
    strategy: strategyView(strategy),
    metrics: { trainer: scalars.choice.trainer, train: scalars.choice.train, val: scalars.choice.val },
    progress: {
      epochsDone: progress.epochsDone,
      epochsTotal: run.epochsTotal,
      ...lastTrainLossView(latestTrainLoss(series.epochs)?.loss ?? scalars.trainValue),
      lastStep: progress.lastStep,
      stepBased: progress.axis === 'step',
      axis: progress.axis,
      lastStepLoss: finiteOrNull(stepFigures.last),
      lastStepLossNonFinite: nonFiniteKind(stepFigures.last),
      smoothedStepLoss: stepFigures.smoothed,
      estimatedSteps: stepFigures.estimated,
    },
    checkpoints: run.checkpoints.map((c) => ({ step: c.step, path: c.path, onDisk: c.onDisk })),
    evals: run.evals.map((e) => ({
      step: e.step,
      successRate: finiteOrNull(e.successRate),
      reward: finiteOrNull(e.reward),
      loss: finiteOrNull(e.loss),
    })),
    verdict: {
      status: verdict.verdict,
      reason: verdict.reason,
      caveat: verdict.caveat,
      taskId: verdict.taskId,
      axis: verdict.axis,
      validationPoints: verdict.validationPoints,
      bestEpoch: verdict.bestEpoch,
      bestValue: finiteOrNull(verdict.bestValue),
      latestEpoch: verdict.latestEpoch,
      latestValue: finiteOrNull(verdict.latestValue),
      epochsSinceBest: verdict.epochsSinceBest,
      riseFromBest: finiteOrNull(verdict.riseFromBest),
      gapAtBest: finiteOrNull(verdict.gapAtBest),
      gapAtEnd: finiteOrNull(verdict.gapAtEnd),
      overfitStartEpoch: verdict.overfitStartEpoch,
      thresholds: {
        patience: verdict.options.patience,
        minDelta: verdict.options.minDelta,
        riseThreshold: verdict.options.riseThreshold,
        divergenceThreshold: verdict.options.divergenceThreshold,
      },
    },
    advice: {
      text: advice.advice,
      bestDir: checkpointView(advice.bestDir),
      periodic: advice.periodic.map((c) => checkpointView(c)!),
      final: checkpointView(advice.final),
      nearest: advice.nearest === null ? null : { ...checkpointView(advice.nearest)!, distance: advice.nearest.distance },
      bestValidationEpoch: advice.bestValidationEpoch,
      bestValidationLoss: finiteOrNull(advice.bestValidationLoss),
      bestDirOffset: advice.bestDirOffset,
      lossCostOfBestDir: finiteOrNull(advice.lossCostOfBestDir),
      relativeCostOfBestDir: finiteOrNull(advice.relativeCostOfBestDir),
    },
    validation: { taskIds, rows: validationRows },
    events: run.events.map((e) => ({
      kind: e.kind,
      line: e.line,
      epoch: e.epoch,
      loss: finiteOrNull(e.loss),
      path: e.path,
      message: e.message,
    })),
    warnings: run.warnings.map((w) => ({ line: w.line, message: w.message })),
    ...configView(run.configTree, run.configStrategy, run.strategy?.source ?? null, strategy),
    configMismatches: configMismatches(configSettingsOf(isRecord(run.configTree) ? run.configTree['settings'] : null), {
      batchSize: run.batchSize,
      learningRate: run.learningRate,
      epochsTotal: run.epochsTotal,
      totalSteps: run.totalSteps,
    }),
    sources: run.sources
      .map(({ source }) => ({ ...source, kind: sourceKind(source.kind) }))
      .sort((a, b) => SOURCE_ORDER.indexOf(a.kind) - SOURCE_ORDER.indexOf(b.kind) || a.path.localeCompare(b.path)),
  };
}

const SOURCE_ORDER = ['log', 'tfevents', 'results_json', 'hydra_config', 'train_config', 'hparams_yaml'] as const;
type SourceKind = (typeof SOURCE_ORDER)[number];

export function sourceKind(kind: string): SourceKind {
  return (SOURCE_ORDER as readonly string[]).includes(kind) ? (kind as SourceKind) : 'log';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The stored config strategy (StrategyInfo as JSON) in the shape the strategy views take. */
function configStrategyInput(value: unknown): StrategyInput | null {
  if (!isRecord(value) || typeof value['kind'] !== 'string') return null;
  const ints = (list: unknown) => (Array.isArray(list) ? list.filter((x): x is number => typeof x === 'number') : []);
  return {
    kind: value['kind'],
    spec: specFromJson(value['spec']),
    totalLayers: typeof value['totalLayers'] === 'number' ? value['totalLayers'] : null,
    frozen: ints(value['frozen']),
    unfrozen: ints(value['unfrozen']),
    applied: value['applied'] !== false,
    failureReason: typeof value['failureReason'] === 'string' ? value['failureReason'] : null,
  };
}

function configView(
  tree: Prisma.JsonValue | null,
  storedStrategy: Prisma.JsonValue | null,
  source: string | null,
  shown: StrategyInput | null,
): Pick<RunDetail, 'config' | 'strategySource' | 'strategyConflict'> {
  const asked = configStrategyInput(storedStrategy);
  const strategySource = source === 'log' || source === 'config' ? source : null;
  const sameLayers = (a: StrategyInput, b: StrategyInput) =>
    a.unfrozen.join(',') === b.unfrozen.join(',') && a.frozen.join(',') === b.frozen.join(',');
  // The banner check's silent-failure case: the log shows other trainable layers than the config asked for.
  const strategyConflict = strategySource === 'log' && asked !== null && shown !== null && !sameLayers(asked, shown);
  if (!isRecord(tree)) return { config: null, strategySource, strategyConflict };
  const overrides = Array.isArray(tree['overrides']) ? tree['overrides'].filter((o): o is string => typeof o === 'string') : [];
  return {
    config: { tree: isRecord(tree['tree']) ? tree['tree'] : {}, overrides, strategy: asked ? strategyView(asked) : null },
    strategySource,
    strategyConflict,
  };
}

/**
 * The latest step loss as it is (NaN and ±inf included: a run whose loss turned NaN shows NaN), the EMA
 * (weight 0.6, TensorBoard's default) of the finite ones over the last 200 steps, and how many steps
 * are estimated.
 */
async function stepLossFigures(runId: number): Promise<{ last: number | null; smoothed: number | null; estimated: number }> {
  const [recent, estimated] = await Promise.all([
    db().$queryRaw<{ loss: string | null }[]>`
      SELECT loss::text AS loss FROM "StepPoint" WHERE "runId" = ${runId} ORDER BY step DESC LIMIT 200`,
    db().stepPoint.count({ where: { runId, estimated: true } }),
  ]);
  const losses = recent.flatMap((p) => (p.loss === null ? [] : [Number(p.loss)])).reverse();
  let ema: number | null = null;
  for (const loss of losses) if (Number.isFinite(loss)) ema = ema === null ? loss : 0.6 * ema + 0.4 * loss;
  return { last: losses.at(-1) ?? null, smoothed: ema, estimated };
}
