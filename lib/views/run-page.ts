// The run page's view model: the texts of its header facts, progress and events, the markers its
// charts carry, and the checkpoint table's rows. Pure; app/runs/[id]/ renders it.
import type { RunDetail } from '../api/schemas/run';
import { fmtCount, fmtDateTime, fmtLoss, fmtLossOrNonFinite, fmtParams, fmtPct } from './format';

type Run = RunDetail['run'];

/** The best-validation and overfitting-start markers of the run's charts. */
export function runMarkers(verdict: RunDetail['verdict']): { kind: 'best' | 'overfit'; epoch: number; label: string }[] {
  return [
    ...(verdict.bestEpoch !== null
      ? [
          {
            kind: 'best' as const,
            epoch: verdict.bestEpoch,
            label: `best validation ${fmtLoss(verdict.bestValue)} at epoch ${verdict.bestEpoch}`,
          },
        ]
      : []),
    ...(verdict.overfitStartEpoch !== null
      ? [{ kind: 'overfit' as const, epoch: verdict.overfitStartEpoch, label: `overfitting began at epoch ${verdict.overfitStartEpoch}` }]
      : []),
  ];
}

const lastPathPart = (dir: string) => dir.replace(/\/+$/, '').split('/').at(-1) ?? dir;

/** The page's heading after any display name: "#5 · task1 pick", or "#7 · LeRobot <output dir>". */
export function runHeading(run: Pick<Run, 'id' | 'taskId' | 'taskName' | 'format' | 'outputDir'>): string {
  if (run.taskId === null && run.format === 'lerobot') return `#${run.id} · LeRobot ${run.outputDir ? lastPathPart(run.outputDir) : ''}`;
  return `#${run.id} · task${run.taskId ?? '?'} ${run.taskName ?? ''}`;
}

/** The title the run's charts carry in their downloads. */
export function chartTitle(run: Pick<Run, 'id' | 'taskId' | 'taskName'>, strategyLabel: string): string {
  return `Run #${run.id} · task ${run.taskId ?? '?'}${run.taskName ? ` ${run.taskName}` : ''} · ${strategyLabel}`;
}

const STATUS_TEXT: Record<string, string> = { stopped: 'stopped by the user' };
export const statusText = (status: string) => STATUS_TEXT[status] ?? status;

export function configText(run: Pick<Run, 'config'>, stepBased: boolean): string {
  const c = run.config;
  if (stepBased)
    return `batch ${fmtCount(c.batchSize)} · ${fmtCount(c.totalSteps)} steps${c.learningRate !== null ? ` · lr ${c.learningRate}` : ''}`;
  return `${fmtCount(c.epochsTotal)} epochs · batch ${fmtCount(c.batchSize)} · lr ${c.learningRate ?? '–'} · ${fmtCount(c.stepsPerEpoch)} steps/epoch · ${fmtCount(c.totalSteps)} steps`;
}

export function datasetText(run: Pick<Run, 'config'>): string {
  const c = run.config;
  return `${fmtCount(c.datasetFrames)} frames${c.datasetFps ? ` @ ${c.datasetFps} fps` : ''}${c.episodes !== null ? ` · ${fmtCount(c.episodes)} episodes` : ''}`;
}

export function paramsText(run: Pick<Run, 'params'>): string {
  const p = run.params;
  return `${fmtParams(p.total)} total · ${fmtParams(p.trainable)} trainable (${p.total && p.trainable ? fmtPct(p.trainable / p.total) : '–'})${p.visionTotal ? ` · vision ${fmtParams(p.visionTrainable)}/${fmtParams(p.visionTotal)}` : ''}`;
}

export function seenText(run: Pick<Run, 'startedAt' | 'lastSeenAt'>): string {
  return `${fmtDateTime(run.startedAt)} / ${fmtDateTime(run.lastSeenAt)} (UTC)`;
}

export function progressText(detail: Pick<RunDetail, 'progress'> & { run: Pick<Run, 'config'> }): string {
  const p = detail.progress;
  if (p.stepBased) {
    const estimated = p.estimatedSteps > 0 ? ` · ${fmtCount(p.estimatedSteps)} steps estimated` : '';
    return `step ${fmtCount(p.lastStep)}/${fmtCount(detail.run.config.totalSteps)} · last loss ${fmtLossOrNonFinite(p.lastStepLoss, p.lastStepLossNonFinite)} · smoothed ${fmtLoss(p.smoothedStepLoss)}${estimated}`;
  }
  return `epoch ${p.epochsDone}/${p.epochsTotal ?? '?'}${p.lastStep ? ` · step ${fmtCount(p.lastStep)}` : ''} · last train ${fmtLossOrNonFinite(p.lastTrainLoss, p.lastTrainLossNonFinite)}`;
}

export function loadedFrom(run: Pick<Run, 'loadedFrom' | 'resumeTaskId' | 'resumePath' | 'pretrainedPath'>): string {
  if (run.loadedFrom === 'task') return `task ${run.resumeTaskId ?? '?'} checkpoint ${run.resumePath ?? ''}`;
  if (run.loadedFrom === 'pretrained') return `pretrained ${run.pretrainedPath ?? ''}`;
  if (run.loadedFrom === 'scratch') return 'from scratch';
  return '–';
}

export const SOURCE_LABELS: Record<RunDetail['sources'][number]['kind'], string> = {
  log: 'console log',
  tfevents: 'event file',
  results_json: 'results JSON',
  hydra_config: 'Hydra config',
  train_config: 'LeRobot train_config.json',
  hparams_yaml: 'Lightning hparams.yaml',
};

const EVENT_TEXT: Record<string, string> = {
  best_saved: 'best/ saved (lowest training loss so far)',
  checkpoint_saved: 'checkpoint saved',
  final_saved: 'final model saved',
  completed: 'completed',
  crashed: 'crashed',
  stopped: 'stopped by the user',
  loaded: 'loaded',
};
export const eventText = (kind: string) => EVENT_TEXT[kind] ?? kind;

type Checkpoint = NonNullable<RunDetail['advice']['bestDir']>;

/** The checkpoint table: periodic saves, then best/ and the final model; the one nearest the best validation marked. */
export function checkpointRows(advice: RunDetail['advice']): { checkpoint: Checkpoint; nearest: boolean; fromBest: number | null }[] {
  const rows = [...advice.periodic, ...(advice.bestDir ? [advice.bestDir] : []), ...(advice.final ? [advice.final] : [])];
  return rows.map((checkpoint) => ({
    checkpoint,
    nearest: advice.nearest !== null && advice.nearest.label === checkpoint.label,
    fromBest: checkpoint.epoch !== null && advice.bestValidationEpoch !== null ? checkpoint.epoch - advice.bestValidationEpoch : null,
  }));
}

/** A validation-table row's class: the final block, the best epoch, or neither. */
export function validationRowClass(row: { final: boolean; epoch: number }, bestEpoch: number | null): string | undefined {
  return row.final ? 'final' : row.epoch === bestEpoch ? 'winner' : undefined;
}
