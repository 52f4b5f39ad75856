/**
 * What a step-based run's artefacts prove about it (LeRobot: `checkpoints/<step>/` folders and the log's
 * "Checkpoint policy after step N").
 *
 * Status rule. LeRobot saves a checkpoint every `save_freq` steps and at the last step (`step == cfg.steps`),
 * so a checkpoint at or past the configured steps (`totalSteps`: the log's `cfg.steps`, else the newest
 * train_config.json's `steps`) proves the training loop finished: the run is `completed`, whatever a log
 * said or did not say before (no log at all, a log cut before `End of training`, a traceback after the last
 * save: completion outranks a crash, as in the console-log rule). Without a configured step count, or with
 * the newest checkpoint short of it, the checkpoints prove nothing about the end and the status stays as it
 * is (a checkpoint-only run is then `running` until the stale sweep, honestly unknown).
 *
 * Progress. The run reached at least its newest checkpoint's step: `lastStep` is the larger of the last
 * logged step and the newest checkpoint.
 */

/** The statuses the checkpoint rule may replace (a run already completed stays so). */
const OVERRIDABLE = new Set(['running', 'stale', 'crashed', 'stopped']);

/** The status the run's checkpoints prove, or `status` unchanged (module rule). */
export function statusFromCheckpoints(status: string, newestCheckpointStep: number | null, totalSteps: number | null): string {
  if (newestCheckpointStep === null || totalSteps === null || totalSteps <= 0) return status;
  return newestCheckpointStep >= totalSteps && OVERRIDABLE.has(status) ? 'completed' : status;
}

/** The furthest step the run provably reached: its last logged step or its newest checkpoint. */
export function provenLastStep(lastLoggedStep: number | null, newestCheckpointStep: number | null): number | null {
  if (lastLoggedStep === null) return newestCheckpointStep;
  if (newestCheckpointStep === null) return lastLoggedStep;
  return Math.max(lastLoggedStep, newestCheckpointStep);
}
