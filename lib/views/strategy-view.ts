// How analysis results are presented: strategy identity → label, layer strip and colour; verdict →
// the fields the UI shows. Pure (no database), so client components may import it too.
import { DEFAULT_TOTAL_LAYERS, resolveLayers, strategyIdentity, type OverfittingResult, type StrategyInput } from '../analysis';
import type { NonFiniteKind, StrategyView, VerdictView } from '../api/schemas/common';
import type { RunRow } from '../api/schemas/runs';
import { strategyColor } from './strategy-colors';

/** A database strategy row (or null) → the strategy as the UI and the API show it. */
export function strategyView(input: StrategyInput | null): StrategyView {
  const identity = strategyIdentity(input);
  // The strip shows the layers the run asked for even when the trainer did not apply them (greyed).
  const resolved = input === null ? null : resolveLayers(input);
  const totalLayers = identity.totalLayers ?? resolved?.totalLayers ?? input?.totalLayers ?? DEFAULT_TOTAL_LAYERS;
  return {
    kind: input?.kind ?? 'none',
    key: identity.key,
    label: identity.label,
    totalLayers,
    frozen: identity.known ? identity.frozen : (resolved?.frozen ?? []),
    unfrozen: identity.known ? identity.unfrozen : (resolved?.unfrozen ?? []),
    // No banner in the log is not a failure: the trainer ran its default, which the log does not name.
    applied: input?.applied ?? true,
    known: identity.known,
    recorded: input !== null,
    trainableLayers: identity.trainableLayers,
    requestedLabel: identity.requested?.label ?? null,
    failureReason: identity.failureReason,
    color: strategyColor(identity.trainableLayers, identity.totalLayers),
  };
}

export function verdictView(result: OverfittingResult): VerdictView {
  return {
    status: result.verdict,
    reason: result.reason,
    // Epochs only: a verdict on a validation loss logged by step names steps (its reason says so).
    bestEpoch: result.axis === 'epoch' ? result.bestEpoch : null,
    overfitStartEpoch: result.axis === 'epoch' ? result.overfitStartEpoch : null,
    gapAtEnd: finiteOrNull(result.gapAtEnd),
    caveat: result.caveat,
  };
}

/** JSON has no NaN/Infinity: a non-finite number is shown as a gap (null). */
export function finiteOrNull(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** What a number JSON shows as null was: 'nan', 'inf' or '-inf'; null for a finite number or none. */
export function nonFiniteKind(value: number | null | undefined): NonFiniteKind | null {
  if (typeof value !== 'number' || Number.isFinite(value)) return null;
  return Number.isNaN(value) ? 'nan' : value > 0 ? 'inf' : '-inf';
}

/** A run's last training loss as the API carries it: the number when finite, else null and what it was. */
export function lastTrainLossView(loss: number | null | undefined): Pick<RunRow, 'lastTrainLoss' | 'lastTrainLossNonFinite'> {
  return { lastTrainLoss: finiteOrNull(loss), lastTrainLossNonFinite: nonFiniteKind(loss) };
}

/** The `spec` column is JSON: an index list, a ratio or N. */
export function specFromJson(value: unknown): number[] | number | null {
  if (typeof value === 'number') return value;
  if (Array.isArray(value) && value.every((item) => typeof item === 'number')) return value;
  return null;
}

/** The VisionStrategy columns as a LEFT JOIN returns them (all null when the run has no banner). */
export interface StrategyColumns {
  kind: string | null;
  spec: unknown;
  totalLayers: number | null;
  frozenLayers: number[] | null;
  unfrozenLayers: number[] | null;
  applied: boolean | null;
  failureReason: string | null;
}

/** The analyses' strategy input from joined VisionStrategy columns; null when there was no banner. */
export function strategyFromColumns(row: StrategyColumns): StrategyInput | null {
  if (row.kind === null) return null;
  return {
    kind: row.kind,
    spec: specFromJson(row.spec),
    totalLayers: row.totalLayers,
    frozen: row.frozenLayers ?? [],
    unfrozen: row.unfrozenLayers ?? [],
    applied: row.applied ?? false,
    failureReason: row.failureReason,
  };
}

/**
 * The strategy input the analyses need, rebuilt from a row's resolved layers (identity depends only
 * on the resolved set and `applied`, so this gives the same key and label as the original spec).
 */
export function strategyInputOf(row: Pick<RunRow, 'strategy'>): StrategyInput | null {
  const s = row.strategy;
  if (s.kind === 'none' && s.unfrozen.length === 0 && s.frozen.length === 0) return null;
  return {
    kind: s.kind,
    spec: null,
    totalLayers: s.totalLayers,
    frozen: s.frozen,
    unfrozen: s.unfrozen,
    applied: s.applied,
    failureReason: s.failureReason,
  };
}
