// Per-run parser state of the SmolVLA format: run/epoch position and the freeze strategy being
// assembled. Plain JSON (stored with the committed offset and restored after a restart).
import type { StrategyInfo } from '../../events';
import type { RequestedKind } from './lines';

/** The strategy being assembled from a banner; `pass` 2 is the re-application after weight loading (§2.2). */
export interface StrategyDraft extends StrategyInfo {
  pass: 1 | 2;
}

export interface SmolvlaState {
  /** Latest epoch named by a stdout line (`Epoch N/M` or `Epoch N Average Loss`). */
  stdoutEpoch: number | null;
  /** Latest `Epoch N Average Loss` epoch: the epoch that "Best model saved" refers to. */
  lossEpoch: number | null;
  epochsTotal: number | null;
  stepsPerEpoch: number | null;
  outputDirKnown: boolean;
  finalValidation: boolean;
  /** Directory of the latest `💾 Saving SmolVLA model to <dir>`: the path of the next checkpoint line. */
  savePath: string | null;
  /** Latest tqdm position [epoch, n]: going backwards means a new process wrote to the same file. */
  lastFrame: [number, number] | null;
  nonFiniteStepWarned: boolean;
  /** The strategy the config summary asked for (side lineage, §2.4). */
  requested: { kind: RequestedKind; spec: number[] | number } | null;
  reapplying: boolean;
  draft: StrategyDraft | null;
  /** The strategy last emitted for this run. */
  strategy: StrategyInfo | null;
}

export function initialState(): SmolvlaState {
  return {
    stdoutEpoch: null,
    lossEpoch: null,
    epochsTotal: null,
    stepsPerEpoch: null,
    outputDirKnown: false,
    finalValidation: false,
    savePath: null,
    lastFrame: null,
    nonFiniteStepWarned: false,
    requested: null,
    reapplying: false,
    draft: null,
    strategy: null,
  };
}
