// The run page's view model: the texts of its header facts, progress and events, the markers its
// charts carry, the checkpoint table's rows, and how far the run got (runProgressView: its axis, its
// checkpoints, the status its checkpoints prove). Pure; app/runs/[id]/ renders it.
import { statusFromCheckpoints } from '../analysis/artefacts';
import type { RunDetail } from '../api/schemas/run';
import { noLossReason } from './facet-axis';
import { TASK_UNKNOWN, taskLabel } from './facets';
import { fmtCount, fmtDateTime, fmtLoss, fmtLossOrNonFinite, fmtParams, fmtPct } from './format';

type Run = RunDetail['run'];

/** The best-validation and overfitting-start markers of the run's charts. */
export function runMarkers(verdict: RunDetail['verdict']): { kind: 'best' | 'overfit'; epoch: number; label: string }[] {
  if (verdict.axis === 'step') return []; // the epoch charts have no step
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

type HeadingRun = Pick<Run, 'id' | 'taskId' | 'taskName' | 'format' | 'outputDir' | 'dataset' | 'experiment'>;

/**
 * What the run trained on, as its heading says it: "task1 pick"; else the facet label Compare and
 * Strategies give it (facets.ts taskLabel: its dataset, else "folder <experiment folder>"), followed
 * (`aside`) by "LeRobot <output dir>" for a LeRobot run.
 */
function runSubject(run: Omit<HeadingRun, 'id'>): { subject: string; aside: string | null } {
  if (run.taskId !== null) return { subject: `task${run.taskId}${run.taskName ? ` ${run.taskName}` : ''}`, aside: null };
  const facet = taskLabel(null, null, run.dataset, run.experiment);
  if (run.format !== 'lerobot') return { subject: facet, aside: null };
  const lerobot = `LeRobot${run.outputDir ? ` ${lastPathPart(run.outputDir)}` : ''}`;
  return facet === TASK_UNKNOWN ? { subject: lerobot, aside: null } : { subject: facet, aside: lerobot };
}

/** The heading in two parts: "#7 · kuavo/pick" and, shown smaller after it, "LeRobot smolvla_pick" (else null). */
export function runHeadingParts(run: HeadingRun): { head: string; aside: string | null } {
  const { subject, aside } = runSubject(run);
  return { head: `#${run.id} · ${subject}`, aside };
}

/** The page's heading after any display name: "#5 · task1 pick", "#7 · kuavo/pick · LeRobot <output dir>", "#9 · folder keras/logs". */
export function runHeading(run: HeadingRun): string {
  const { head, aside } = runHeadingParts(run);
  return aside === null ? head : `${head} · ${aside}`;
}

/** The title the run's charts carry in their downloads: "Run #5 · task1 pick · unfreeze 4/12". */
export function chartTitle(run: HeadingRun, strategyLabel: string): string {
  return `Run ${runHeading(run)} · ${strategyLabel}`;
}

const STATUS_TEXT: Record<string, string> = { stopped: 'stopped by the user' };
export const statusText = (status: string) => STATUS_TEXT[status] ?? status;

/** The parts of a header fact that are known, joined; null when none is (the row is left out). */
const known = (parts: readonly (string | null | false)[]): string | null => {
  const shown = parts.filter((part): part is string => typeof part === 'string' && part !== '');
  return shown.length > 0 ? shown.join(' · ') : null;
};

/**
 * "40 epochs · batch 64 · lr 0.0001 · 40 steps/epoch · 1,600 steps" (step-based: "batch 64 · 20,000 steps ·
 * lr 0.0001"): only what the run recorded; null when it recorded none of it.
 */
export function configText(run: Pick<Run, 'config'>, stepBased: boolean): string | null {
  const c = run.config;
  const batch = c.batchSize !== null && `batch ${fmtCount(c.batchSize)}`;
  const lr = c.learningRate !== null && `lr ${c.learningRate}`;
  const steps = c.totalSteps !== null && `${fmtCount(c.totalSteps)} steps`;
  if (stepBased) return known([batch, steps, lr]);
  return known([
    c.epochsTotal !== null && `${fmtCount(c.epochsTotal)} epochs`,
    batch,
    lr,
    c.stepsPerEpoch !== null && `${fmtCount(c.stepsPerEpoch)} steps/epoch`,
    steps,
  ]);
}

/** "kuavo/pick · 12,005 frames @ 30 fps · 30 episodes": the dataset's name (LeRobot) and size, what is known of them. */
export function datasetText(run: Pick<Run, 'config' | 'dataset'>): string | null {
  const c = run.config;
  return known([
    run.dataset,
    c.datasetFrames !== null && `${fmtCount(c.datasetFrames)} frames${c.datasetFps ? ` @ ${c.datasetFps} fps` : ''}`,
    c.episodes !== null && `${fmtCount(c.episodes)} episodes`,
  ]);
}

/** "450.0M total · 337.4M trainable (75.0%) · vision 85.1M/86.0M": what the log printed; null when nothing. */
export function paramsText(run: Pick<Run, 'params'>): string | null {
  const p = run.params;
  const share = p.total && p.trainable !== null ? ` (${fmtPct(p.trainable / p.total)})` : '';
  return known([
    p.total !== null && `${fmtParams(p.total)} total`,
    p.trainable !== null && `${fmtParams(p.trainable)} trainable${share}`,
    p.visionTotal !== null && p.visionTotal > 0 && `vision ${fmtParams(p.visionTrainable)}/${fmtParams(p.visionTotal)}`,
  ]);
}

export function seenText(run: Pick<Run, 'startedAt' | 'lastSeenAt'>): string {
  return `${fmtDateTime(run.startedAt)} / ${fmtDateTime(run.lastSeenAt)} (UTC)`;
}

/**
 * "epoch 3/50 · step 360 · last train 0.1235", "step 2,000/6,000 · last loss 0.5000 · smoothed 0.5500": how far
 * the run got, with only what it recorded (an unknown total is left out, not "?").
 */
export function progressText(detail: Pick<RunDetail, 'progress'> & { run: Pick<Run, 'config'> }): string {
  const p = detail.progress;
  const lastTrain =
    (p.lastTrainLoss ?? null) !== null || p.lastTrainLossNonFinite
      ? `last train ${fmtLossOrNonFinite(p.lastTrainLoss, p.lastTrainLossNonFinite)}`
      : null;
  if (p.stepBased) {
    const total = detail.run.config.totalSteps;
    const reached =
      p.lastStep !== null
        ? `step ${fmtCount(p.lastStep)}${total !== null ? `/${fmtCount(total)}` : ''}`
        : `no step yet${total !== null ? ` of ${fmtCount(total)}` : ''}`;
    const loss =
      p.lastStepLoss !== null || p.lastStepLossNonFinite
        ? `last loss ${fmtLossOrNonFinite(p.lastStepLoss, p.lastStepLossNonFinite)} · smoothed ${fmtLoss(p.smoothedStepLoss)}`
        : // No log steps: the training loss tag's last value (the metrics rule's), as the runs table shows it.
          (lastTrain ?? 'no loss logged');
    return known([reached, loss, p.estimatedSteps > 0 && `${fmtCount(p.estimatedSteps)} steps estimated`])!;
  }
  const epochs =
    p.epochsDone > 0 || p.epochsTotal !== null ? `epoch ${p.epochsDone}${p.epochsTotal !== null ? `/${p.epochsTotal}` : ''}` : null;
  return known([epochs, p.lastStep ? `step ${fmtCount(p.lastStep)}` : null, lastTrain]) ?? 'nothing recorded yet';
}

/**
 * Whether the header has a Chain row: a run of a task (a stage of sequential multi-task training, linked to
 * the task matrix, "independent run" when it continues none) or one linked to another stage. A run of no
 * task and no link (a Keras fit, a PPO agent) has no chain to speak of.
 */
export function showsChain(run: Pick<Run, 'taskId' | 'parentRunId' | 'childRunIds'>): boolean {
  return run.taskId !== null || run.parentRunId !== null || run.childRunIds.length > 0;
}

/** Where the weights came from; null when the run did not say (the row is left out). */
export function loadedFrom(run: Pick<Run, 'loadedFrom' | 'resumeTaskId' | 'resumePath' | 'pretrainedPath'>): string | null {
  if (run.loadedFrom === 'task') return `task ${run.resumeTaskId ?? '?'} checkpoint ${run.resumePath ?? ''}`.trimEnd();
  if (run.loadedFrom === 'pretrained') return `pretrained ${run.pretrainedPath ?? ''}`.trimEnd();
  if (run.loadedFrom === 'scratch') return 'from scratch';
  return null;
}

export const SOURCE_LABELS: Record<RunDetail['sources'][number]['kind'], string> = {
  log: 'console log',
  tfevents: 'event file',
  results_json: 'results JSON',
  hydra_config: 'Hydra config',
  train_config: 'LeRobot train_config.json',
  hparams_yaml: 'Lightning hparams.yaml',
};

type SourceKind = RunDetail['sources'][number]['kind'];

const SOURCE_PLURALS: Record<SourceKind, string> = {
  log: 'console logs',
  tfevents: 'event files',
  results_json: 'results JSONs',
  hydra_config: 'Hydra configs',
  train_config: 'LeRobot train_config.json files',
  hparams_yaml: 'Lightning hparams.yaml files',
};

/** "2 event files and a Hydra config": the files a run was read from, counted by kind, in the Built-from order. */
export function sourcesText(kinds: readonly SourceKind[]): string {
  const counts = new Map<SourceKind, number>();
  const order = Object.keys(SOURCE_LABELS) as SourceKind[];
  for (const kind of [...kinds].sort((x, y) => order.indexOf(x) - order.indexOf(y))) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  const parts = [...counts].map(([kind, n]) =>
    n === 1 ? `${/^[aeiouAEIOU]/.test(SOURCE_LABELS[kind]) ? 'an' : 'a'} ${SOURCE_LABELS[kind]}` : `${n} ${SOURCE_PLURALS[kind]}`,
  );
  return parts.length <= 1 ? (parts[0] ?? 'no file') : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

/**
 * The Raw log panel of a run read without a console log (event files, LeRobot checkpoint folders, a
 * results JSON): what it was read from, and that there is no log to show — a fact, not an error.
 */
export function noConsoleLogText(kinds: readonly SourceKind[]): string {
  return `No console log: this run was read from ${sourcesText(kinds.filter((k) => k !== 'log'))} (listed under Built from), which hold no console output.`;
}

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

/**
 * The checkpoint advice of a run whose files record no checkpoint at all and that is not the SmolVLA
 * trainer's (the analysed advice speaks of that trainer's best/ folder): what its validation says, on
 * its own axis. Null otherwise (the analysed advice, or stepCheckpointAdvice, says it).
 */
export function noCheckpointAdvice(detail: Pick<RunDetail, 'run' | 'verdict' | 'advice' | 'checkpoints'>): string | null {
  const { advice, verdict } = detail;
  if (detail.run.format === 'smolvla_sequential' || detail.checkpoints.length > 0) return null;
  if (advice.bestDir !== null || advice.final !== null || advice.periodic.length > 0) return null;
  const none = 'No checkpoint is known for this run: its files record no save';
  if (verdict.bestEpoch === null)
    return verdict.latestEpoch === null
      ? `${none}, and there is no validation best to choose by.`
      : `${none}, and too few validation points to name a best.`;
  return `${none}. Validation loss was lowest at ${verdict.axis} ${fmtCount(verdict.bestEpoch)} (${fmtLoss(verdict.bestValue)}): keep the checkpoint saved nearest to it.`;
}

/** What the Progress panel's checkpoint list says when it is empty: "not yet" only where a console log could still name one. */
export function noCheckpointsText(consoleLog: boolean): string {
  return consoleLog ? 'No checkpoint yet.' : 'None recorded: the files this run was read from name no checkpoint.';
}

/** What the Events list says when it is empty: "not yet" only where a console log could still print them. */
export function noEventsText(consoleLog: boolean, checkpoints: number): string {
  if (consoleLog) return 'No checkpoint or status lines yet.';
  return `None: checkpoint and status lines come from a console log, and this run has none.${checkpoints > 0 ? ' Its checkpoint folders are listed under Progress.' : ''}`;
}

/** What holds a run of each format without per-task validation, as noMultiTaskValidationText names it. */
const FORMATS_WITHOUT_TASK_VALIDATION: ReadonlyMap<string, string> = new Map([
  ['lerobot', 'LeRobot runs'],
  ['tensorboard', 'TensorBoard event files'],
  ['generic_tqdm', 'plain progress-bar logs'],
]);

/**
 * Why a run has no multi-task validation table, when its format has none at all: only the team's
 * SmolVLA trainer validates every task after each epoch. Null for the trainer's runs (their table, or
 * "No validation lines yet." while none is printed) and whenever rows exist.
 */
export function noMultiTaskValidationText(run: Pick<Run, 'format'>, rows: number): string | null {
  if (rows > 0 || run.format === 'smolvla_sequential') return null;
  const what = FORMATS_WITHOUT_TASK_VALIDATION.get(run.format) ?? `${run.format} runs`;
  return `None for this run: ${what} hold no per-task validation — only the team’s SmolVLA trainer validates every task after each epoch. Its own validation loss, when it has one, is judged under Overfitting.`;
}

/** A validation-table row's class: the final block, the best epoch, or neither. */
export function validationRowClass(row: { final: boolean; epoch: number }, bestEpoch: number | null): string | undefined {
  return row.final ? 'final' : row.epoch === bestEpoch ? 'winner' : undefined;
}

// ---------------------------------------------------------------------------------------------
// How far a run got, for the header and the progress panel: on the axis the run has (steps for LeRobot
// and other step-based runs, epochs otherwise), with the checkpoints it left (step, path) and, when its
// checkpoints decided its status, why (lib/analysis/artefacts.ts).

export interface CheckpointRow {
  step: number;
  /** "step 20,000" */
  label: string;
  path: string | null;
  /** The folder itself was read (else only the log said it was saved). */
  onDisk: boolean;
  /** The newest checkpoint. */
  newest: boolean;
  /** At or past the configured steps: the run's last checkpoint. */
  final: boolean;
}

export interface RunProgressView {
  axis: 'step' | 'epoch';
  done: number | null;
  total: number | null;
  /** done / total in [0, 1]; null when either is unknown. */
  fraction: number | null;
  /** "step 20,000 / 20,000", "epoch 3 / ?", "step 12,400 / ?" */
  text: string;
  /**
   * Whether the epoch charts have anything to draw: false for a step-based run (a LeRobot run, one known
   * only from its checkpoint folders), which shows its step progress and checkpoints instead.
   */
  epochCharts: boolean;
  /** Oldest first. */
  checkpoints: CheckpointRow[];
  /** Why the status is what it is when the checkpoints decided it; null otherwise. */
  statusNote: string | null;
}

export function runProgressView(detail: Pick<RunDetail, 'run' | 'progress' | 'checkpoints'>): RunProgressView {
  const { progress, run } = detail;
  const stepBased = progress.stepBased || (progress.epochsDone === 0 && detail.checkpoints.length > 0);
  const axis = stepBased ? 'step' : 'epoch';
  const done = stepBased ? progress.lastStep : progress.epochsDone;
  const total = stepBased ? run.config.totalSteps : progress.epochsTotal;
  const fraction = done === null || total === null || total <= 0 ? null : Math.min(1, Math.max(0, done / total));
  const text = `${axis} ${done === null ? '–' : fmtCount(done)} / ${total === null ? '?' : fmtCount(total)}`;
  const newest = detail.checkpoints.reduce<number | null>((max, c) => (max === null || c.step > max ? c.step : max), null);
  const totalSteps = run.config.totalSteps;
  const checkpoints = [...detail.checkpoints]
    .sort((a, b) => a.step - b.step)
    .map((c) => ({
      step: c.step,
      label: `step ${fmtCount(c.step)}`,
      path: c.path,
      onDisk: c.onDisk,
      newest: c.step === newest,
      final: totalSteps !== null && c.step >= totalSteps,
    }));
  // The status the checkpoints alone prove: when it is the run's, say so (a run known only from folders).
  const proven = statusFromCheckpoints('running', newest, totalSteps) === 'completed';
  const statusNote =
    proven && run.status === 'completed' && newest !== null && totalSteps !== null
      ? `completed: its newest checkpoint (step ${fmtCount(newest)}) reached the configured ${fmtCount(totalSteps)} steps`
      : null;
  return { axis, done, total, fraction, text, epochCharts: !stepBased, checkpoints, statusNote };
}

/** The axis a run page opens on: steps for a step-based run (LeRobot), epochs otherwise. */
export function defaultRunAxis(progress: Pick<RunDetail['progress'], 'stepBased'>): 'epoch' | 'step' {
  return progress.stepBased ? 'step' : 'epoch';
}

const AXIS_WORDS = { epoch: 'by epoch', step: 'by step', time: 'by wall time' } as const;

/**
 * What the Curves panel says instead of an empty chart (null: there is something to draw). On an axis
 * the reader chose that is not the run's own, it points back to that axis; otherwise it says why the
 * run has no loss at all (the compare page's rule, facet-axis.ts noLossReason).
 */
export function noCurvesNote(
  detail: Pick<RunDetail, 'run' | 'progress'>,
  x: 'epoch' | 'step' | 'time',
  points: number,
): { text: string; otherAxis: 'epoch' | 'step' | null } | null {
  if (points > 0) return null;
  const own = defaultRunAxis(detail.progress);
  if (x !== own) return { text: `Nothing to draw ${AXIS_WORDS[x]}.`, otherAxis: own };
  const reason = noLossReason({
    format: detail.run.format,
    status: detail.run.status,
    lastStep: detail.progress.lastStep,
    totalSteps: detail.run.config.totalSteps,
    epochsDone: detail.progress.epochsDone,
  });
  return { text: `No loss curve: ${reason}.`, otherAxis: null };
}

/**
 * "Which checkpoint to use" for a run that left step checkpoints (LeRobot) and has no per-epoch
 * validation to choose by: the checkpoint nearest its lowest held-out loss (v0.6 eval_loss), else its
 * newest one. Null: the analysed advice (best/ vs the validation best) applies.
 */
export function stepCheckpointAdvice(detail: Pick<RunDetail, 'run' | 'progress' | 'checkpoints' | 'evals' | 'advice'>): string | null {
  if (detail.checkpoints.length === 0 || detail.advice.bestValidationEpoch !== null) return null;
  const { checkpoints, total } = runProgressView(detail);
  let best: { step: number; loss: number } | null = null;
  for (const e of detail.evals)
    if (e.loss !== null && Number.isFinite(e.loss) && (best === null || e.loss < best.loss)) best = { step: e.step, loss: e.loss };
  if (best !== null) {
    const at = best.step;
    const nearest = checkpoints.reduce((a, b) => (Math.abs(b.step - at) < Math.abs(a.step - at) ? b : a));
    return `Held-out loss (eval_loss) was lowest at step ${fmtCount(at)} (${fmtLoss(best.loss)}): the nearest checkpoint is step ${fmtCount(nearest.step)}.`;
  }
  const newest = checkpoints.at(-1)!;
  const of = newest.final ? ', the configured last step' : total !== null ? ` of ${fmtCount(total)}` : '';
  return `No validation loss to choose by: the newest checkpoint is step ${fmtCount(newest.step)}${of}.`;
}
