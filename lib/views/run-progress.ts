// How far a run got, for the run page's header and its progress panel: on the axis the run has (steps for
// LeRobot and other step-based runs, epochs otherwise), with the checkpoints it left (step, path) and, when
// its checkpoints decided its status, why (lib/analysis/artefacts.ts). Pure: shaped from /api/runs/:id.
import { statusFromCheckpoints } from '../analysis/artefacts';
import type { RunDetail } from '../api/schemas/run';

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

const count = (value: number) => value.toLocaleString('en-US');

export function runProgressView(detail: Pick<RunDetail, 'run' | 'progress' | 'checkpoints'>): RunProgressView {
  const { progress, run } = detail;
  const stepBased = progress.stepBased || (progress.epochsDone === 0 && detail.checkpoints.length > 0);
  const axis = stepBased ? 'step' : 'epoch';
  const done = stepBased ? progress.lastStep : progress.epochsDone;
  const total = stepBased ? run.config.totalSteps : progress.epochsTotal;
  const fraction = done === null || total === null || total <= 0 ? null : Math.min(1, Math.max(0, done / total));
  const text = `${axis} ${done === null ? '–' : count(done)} / ${total === null ? '?' : count(total)}`;
  const newest = detail.checkpoints.reduce<number | null>((max, c) => (max === null || c.step > max ? c.step : max), null);
  const totalSteps = run.config.totalSteps;
  const checkpoints = [...detail.checkpoints]
    .sort((a, b) => a.step - b.step)
    .map((c) => ({
      step: c.step,
      label: `step ${count(c.step)}`,
      path: c.path,
      onDisk: c.onDisk,
      newest: c.step === newest,
      final: totalSteps !== null && c.step >= totalSteps,
    }));
  // The status the checkpoints alone prove: when it is the run's, say so (a run known only from folders).
  const proven = statusFromCheckpoints('running', newest, totalSteps) === 'completed';
  const statusNote =
    proven && run.status === 'completed' && newest !== null && totalSteps !== null
      ? `completed: its newest checkpoint (step ${count(newest)}) reached the configured ${count(totalSteps)} steps`
      : null;
  return { axis, done, total, fraction, text, epochCharts: !stepBased, checkpoints, statusNote };
}
