// Applying SmolVLA lines to the run: roles, run info, epochs, steps, validation, checkpoints and
// completion (log-formats §1.5–§1.8). Freeze-strategy lines go to strategy.ts.
import type { RunInfo } from '../../events';
import { frameGoesBackwards, setLastFrame } from '../common';
import { ROLE_CONTENT, ROLE_EVIDENCE, ROLE_HEADER, ROLE_IDLE_BAR, ROLE_PROGRESS, type LineRole, type RunContext } from '../types';
import type { SmolvlaLine } from './lines';
import type { SmolvlaState } from './state';
import { applyStrategyLine } from './strategy';

export function role(line: SmolvlaLine): LineRole {
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

export function startsNewProcess(line: SmolvlaLine, state: SmolvlaState): boolean {
  return line.k === 'frame' && frameGoesBackwards(state.lastFrame, line.epoch, line.n);
}

export function apply(line: SmolvlaLine, state: SmolvlaState, ctx: RunContext): void {
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
  setLastFrame(state, line.epoch, line.n);
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
