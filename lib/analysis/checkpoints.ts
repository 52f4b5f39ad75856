/**
 * Checkpoint advice: which saved checkpoint to use, given the validation best.
 *
 * What the SmolVLA sequential trainer saves (log-formats §1.7):
 * - `best/`    on every `✅ Best model saved: loss=x` — chosen by the TRAINING epoch average, and
 *              overwritten each time, so best/ holds the LAST best_saved event's epoch (equivalently the
 *              highest best_saved epoch, since a save needs a new training minimum);
 * - `epochN/`  on `✅ Checkpoint saved: epoch N` every `save_freq_epoch` epochs (all kept);
 * - the run directory itself on the final save (the last epoch's weights).
 *
 * Epochs of events that lack one are inferred: checkpoint_saved from a path ending in `/epochN`;
 * final_saved = the last epoch of the run; best_saved = the first epoch after the previous best_saved
 * whose training loss, rounded to 4 decimals as printed, equals the event's loss. Paths that are
 * missing are built from `outputDir` (`<dir>/best`, `<dir>/epochN`, `<dir>`).
 *
 * Advice rule: the nearest saved checkpoint to the best-validation epoch is the one with the smallest
 * |epoch − bestValidationEpoch| among epochN/, best/ (its last version) and the final save; ties go to
 * the EARLIER epoch (less over-trained), then epochN/ before best/ before final (epochN/ is never
 * overwritten). "What was lost" is the own-task validation loss at best/'s epoch minus the best
 * validation loss (absolute and relative), when a validation was recorded at that exact epoch.
 */
import { fmt, pct, plural } from './format';
import type { CheckpointEvent, EpochPoint } from './types';
import { isFiniteLoss } from './validation';

export type SavedCheckpointKind = 'best' | 'epoch' | 'final';

export interface SavedCheckpoint {
  kind: SavedCheckpointKind;
  /** "best/", "epoch15", "final". */
  label: string;
  epoch: number | null;
  path: string | null;
  /** The loss the trainer printed with the save (training epoch average for best/). */
  loss: number | null;
}

export interface CheckpointAdviceInput {
  /** Checkpoint events in log order. */
  events: readonly CheckpointEvent[];
  /** Epoch of the best own-task validation (e.g. `bestEpoch` of overfittingVerdict). */
  bestValidationEpoch: number | null;
  /** Own-task per-epoch validations, to say what was lost. */
  validations?: readonly { epoch: number; loss: number | null }[];
  /** Training epochs, to infer epochs the events lack. */
  epochs?: readonly EpochPoint[];
  outputDir?: string | null;
}

export interface CheckpointAdvice {
  /** What best/ holds now (the last best_saved), or null if best/ was never saved. */
  bestDir: SavedCheckpoint | null;
  /** epochN/ checkpoints, epoch-ascending. */
  periodic: SavedCheckpoint[];
  final: SavedCheckpoint | null;
  bestValidationEpoch: number | null;
  bestValidationLoss: number | null;
  /** The saved checkpoint closest to the best-validation epoch. */
  nearest: (SavedCheckpoint & { distance: number }) | null;
  /** best/ epoch − best-validation epoch (positive: best/ is later). */
  bestDirOffset: number | null;
  valLossAtBestDir: number | null;
  valLossAtNearest: number | null;
  /** valLossAtBestDir − bestValidationLoss. */
  lossCostOfBestDir: number | null;
  /** lossCostOfBestDir / bestValidationLoss. */
  relativeCostOfBestDir: number | null;
  advice: string;
}

const round4 = (x: number): number => Number(x.toFixed(4));

function joinPath(dir: string | null | undefined, leaf: string): string | null {
  if (dir === null || dir === undefined || dir === '') return null;
  return leaf === '' ? dir.replace(/\/+$/, '') : `${dir.replace(/\/+$/, '')}/${leaf}`;
}

/** Epoch of every event (inferred where missing), in input order. */
export function resolveCheckpointEpochs(events: readonly CheckpointEvent[], epochs: readonly EpochPoint[] = []): (number | null)[] {
  const sorted = [...epochs].sort((a, b) => a.epoch - b.epoch);
  const lastEpoch = sorted.length > 0 ? (sorted[sorted.length - 1]?.epoch ?? null) : null;
  let prevBest = -Infinity;
  return events.map((e) => {
    if (e.epoch !== null) {
      if (e.kind === 'best_saved') prevBest = Math.max(prevBest, e.epoch);
      return e.epoch;
    }
    if (e.kind === 'checkpoint_saved') {
      const m = e.path === null ? null : /\/epoch(\d+)\/?$/.exec(e.path);
      return m?.[1] === undefined ? null : Number(m[1]);
    }
    if (e.kind === 'final_saved') return lastEpoch;
    if (!isFiniteLoss(e.loss)) return null;
    const target = round4(e.loss);
    const hit = sorted.find((p) => p.epoch > prevBest && isFiniteLoss(p.trainLoss) && round4(p.trainLoss) === target);
    if (hit === undefined) return null;
    prevBest = hit.epoch;
    return hit.epoch;
  });
}

const KIND_ORDER: Record<SavedCheckpointKind, number> = { epoch: 0, best: 1, final: 2 };

function relative(distance: number): string {
  if (distance === 0) return 'same epoch';
  return `${plural(Math.abs(distance), 'epoch')} ${distance > 0 ? 'later' : 'earlier'}`;
}

/** Checkpoint advice for one run (rule in the module comment). */
export function adviseCheckpoint(input: CheckpointAdviceInput): CheckpointAdvice {
  const resolved = resolveCheckpointEpochs(input.events, input.epochs);
  let bestDir: SavedCheckpoint | null = null;
  const periodicByEpoch = new Map<number, SavedCheckpoint>();
  let final: SavedCheckpoint | null = null;

  for (const [i, e] of input.events.entries()) {
    const epoch = resolved[i] ?? null;
    if (e.kind === 'best_saved') {
      // best/ is overwritten: keep the last save (the highest epoch when epochs are known).
      if (bestDir === null || epoch === null || bestDir.epoch === null || epoch >= bestDir.epoch) {
        bestDir = { kind: 'best', label: 'best/', epoch, path: e.path ?? joinPath(input.outputDir, 'best'), loss: e.loss };
      }
    } else if (e.kind === 'checkpoint_saved') {
      if (epoch === null) continue;
      periodicByEpoch.set(epoch, {
        kind: 'epoch',
        label: `epoch${epoch}`,
        epoch,
        path: e.path ?? joinPath(input.outputDir, `epoch${epoch}`),
        loss: e.loss,
      });
    } else {
      final = { kind: 'final', label: 'final', epoch, path: e.path ?? joinPath(input.outputDir, ''), loss: e.loss };
    }
  }
  const periodic = [...periodicByEpoch.values()].sort((a, b) => (a.epoch ?? 0) - (b.epoch ?? 0));
  const bestSaved = bestDir;
  const finalSaved = final;

  const bv = input.bestValidationEpoch;
  const valAt = (epoch: number | null): number | null => {
    if (epoch === null || input.validations === undefined) return null;
    let v: number | null = null;
    for (const p of input.validations) if (p.epoch === epoch && isFiniteLoss(p.loss)) v = p.loss;
    return v;
  };
  const bestValidationLoss = valAt(bv);

  let nearest: (SavedCheckpoint & { distance: number }) | null = null;
  if (bv !== null) {
    const candidates = [...periodic, ...(bestSaved ? [bestSaved] : []), ...(finalSaved ? [finalSaved] : [])];
    for (const c of candidates) {
      if (c.epoch === null) continue;
      const d = Math.abs(c.epoch - bv);
      const better =
        nearest === null ||
        d < Math.abs(nearest.distance) ||
        (d === Math.abs(nearest.distance) &&
          (c.epoch < (nearest.epoch ?? Infinity) || (c.epoch === nearest.epoch && KIND_ORDER[c.kind] < KIND_ORDER[nearest.kind])));
      if (better) nearest = { ...c, distance: c.epoch - bv };
    }
  }

  const bestDirEpoch = bestSaved?.epoch ?? null;
  const bestDirOffset = bestDirEpoch !== null && bv !== null ? bestDirEpoch - bv : null;
  const valLossAtBestDir = valAt(bestDirEpoch);
  const valLossAtNearest = valAt(nearest?.epoch ?? null);
  const lossCostOfBestDir = valLossAtBestDir !== null && bestValidationLoss !== null ? valLossAtBestDir - bestValidationLoss : null;
  const relativeCostOfBestDir =
    lossCostOfBestDir !== null && bestValidationLoss !== null && bestValidationLoss > 0 ? lossCostOfBestDir / bestValidationLoss : null;

  // The advice sentence.
  const parts: string[] = [];
  if (bestSaved === null) parts.push('No best/ checkpoint was saved');
  else if (bestDirEpoch === null) parts.push(`best/ holds the last train-best save (loss ${fmt(bestSaved.loss)}; epoch unknown)`);
  else parts.push(`best/ is epoch ${bestDirEpoch} (train-best, training loss ${fmt(bestSaved.loss)})`);
  if (bv === null) {
    parts.push('there is no per-epoch validation, so no validation best to compare against');
  } else {
    parts.push(`validation was best at epoch ${bv}${bestValidationLoss === null ? '' : ` (${fmt(bestValidationLoss)})`}`);
    parts.push(
      nearest === null
        ? 'no saved checkpoint has a known epoch'
        : `nearest saved checkpoint: ${nearest.label} (${relative(nearest.distance)})`,
    );
  }
  let advice = parts.join('; ') + '.';
  if (bestDirOffset !== null && bestDirOffset !== 0) {
    advice += ` best/ is ${relative(bestDirOffset)} than the validation best`;
    advice +=
      lossCostOfBestDir === null
        ? '.'
        : `; its validation loss is ${fmt(valLossAtBestDir)}, ${fmt(lossCostOfBestDir)} ` +
          `${relativeCostOfBestDir === null ? '' : `(${pct(relativeCostOfBestDir)}) `}above the best.`;
  } else if (bestDirOffset === 0) {
    advice += ' best/ matches the validation best.';
  }

  return {
    bestDir: bestSaved,
    periodic,
    final: finalSaved,
    bestValidationEpoch: bv,
    bestValidationLoss,
    nearest,
    bestDirOffset,
    valLossAtBestDir,
    valLossAtNearest,
    lossCostOfBestDir,
    relativeCostOfBestDir,
    advice,
  };
}
