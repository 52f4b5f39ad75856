/**
 * Strategy identity: which vision-encoder layers a run actually trained.
 *
 * Canonical key = the resolved SET of unfrozen layers out of the total, written `"<total>:<ranges>"`
 * (e.g. `"12:3-11"`, `"12:0,2,5-11"`, `"12:none"` when every layer is frozen). So `unfreeze [-1..-9]`,
 * `freeze [0,1,2]`, `ratio 0.25` and `last_n 9` of 12 layers are the same strategy `"12:3-11"`.
 * Label: `"unfreeze 9/12 · L3–L11"` (runs of consecutive layers become `La–Lb`, others are listed:
 * `"unfreeze 8/12 · L0,L2,L5–L11"`; `"unfreeze 0/12 · all frozen"`).
 *
 * Resolution, first rule that applies:
 * 1. No strategy, kind 'none' without resolved lists, or a strategy the trainer did NOT apply
 *    (`applied: false`: it printed a failure and fell back to its default) → key `"default"`, label
 *    `"default (unknown)"` — the trainer's default (`freeze_vision_encoder`) is not in the log. A
 *    requested-but-not-applied strategy keeps its requested identity in `requested` and sets
 *    `notApplied`.
 * 2. Resolved lists from the log (`unfrozen`, else the complement of `frozen`) when either is non-empty.
 * 3. Expansion of `spec` (log-formats §2.2, §2.3), total = `totalLayers` or 12 (SmolVLM2's vision
 *    encoder has 12 layers):
 *    - unfreeze list: negative index i means total+i; indices outside [0,total) after that are ignored
 *      (the trainer warns and skips them); the listed layers are unfrozen;
 *    - freeze list: no negative indices (out-of-range ones, negatives included, are ignored); the
 *      listed layers are frozen, the rest unfrozen;
 *    - ratio r: must be in [0,1] (otherwise the trainer keeps its default: not applied); the first
 *      int(total·r) layers (Python int(), truncation) are frozen;
 *    - last_n N: N > 0 unfreezes the last min(N,total) layers; N ≤ 0 means the trainer skips the
 *      partial freeze (default).
 *
 * Ordering (`compareStrategies`): by number of trainable (unfrozen) layers ascending, then total,
 * then key; "default (unknown)" last.
 */
import type { StrategyInput } from './types';

/** The SmolVLM2-500M vision encoder depth (user notes, smolvla-12-layers-update.md). */
export const DEFAULT_TOTAL_LAYERS = 12;
export const DEFAULT_STRATEGY_KEY = 'default';
export const DEFAULT_STRATEGY_LABEL = 'default (unknown)';

export interface ResolvedLayers {
  totalLayers: number;
  /** Ascending. */
  unfrozen: number[];
  frozen: number[];
}

export interface StrategyIdentity {
  /** Canonical key (see module rule). */
  key: string;
  label: string;
  /** False for "default (unknown)". */
  known: boolean;
  totalLayers: number | null;
  trainableLayers: number | null;
  unfrozen: number[];
  frozen: number[];
  /** The run requested a strategy the trainer did not apply. */
  notApplied: boolean;
  /** The requested strategy's identity when it was not applied (else null). */
  requested: { key: string; label: string } | null;
  failureReason: string | null;
}

function uniqSorted(xs: Iterable<number>): number[] {
  return [...new Set(xs)].sort((a, b) => a - b);
}

function complement(set: readonly number[], total: number): number[] {
  const s = new Set(set);
  const out: number[] = [];
  for (let i = 0; i < total; i++) if (!s.has(i)) out.push(i);
  return out;
}

function inRange(i: number, total: number): boolean {
  return Number.isInteger(i) && i >= 0 && i < total;
}

// Array.isArray narrows a readonly array to any[]; this keeps the element type.
const isIndexList = (spec: readonly number[] | number | null): spec is readonly number[] => Array.isArray(spec);

/**
 * Expand a spec to its resolved layers as the trainer would; null when the trainer would keep its
 * default behaviour (bad ratio, last_n ≤ 0, unknown kind, missing spec).
 */
export function expandSpec(
  kind: string,
  spec: readonly number[] | number | null,
  totalLayers: number = DEFAULT_TOTAL_LAYERS,
): ResolvedLayers | null {
  const total = totalLayers;
  if (!Number.isInteger(total) || total <= 0) return null;
  const make = (unfrozen: number[]): ResolvedLayers => ({
    totalLayers: total,
    unfrozen,
    frozen: complement(unfrozen, total),
  });
  if (kind === 'unfreeze' && isIndexList(spec)) {
    return make(uniqSorted(spec.map((i) => (i < 0 ? total + i : i)).filter((i) => inRange(i, total))));
  }
  if (kind === 'freeze' && isIndexList(spec)) {
    return make(complement(uniqSorted(spec.filter((i) => inRange(i, total))), total));
  }
  if (kind === 'ratio' && typeof spec === 'number') {
    if (!(spec >= 0 && spec <= 1)) return null;
    const numFrozen = Math.trunc(total * spec);
    const unfrozen: number[] = [];
    for (let i = numFrozen; i < total; i++) unfrozen.push(i);
    return make(unfrozen);
  }
  if (kind === 'last_n' && typeof spec === 'number') {
    if (!(spec > 0)) return null;
    const n = Math.min(Math.trunc(spec), total);
    const unfrozen: number[] = [];
    for (let i = total - n; i < total; i++) unfrozen.push(i);
    return make(unfrozen);
  }
  return null;
}

/** The layers a strategy resolves to (rules 2–3 of the module comment), ignoring `applied`. */
export function resolveLayers(strategy: StrategyInput): ResolvedLayers | null {
  const listed = [...strategy.unfrozen, ...strategy.frozen];
  if (listed.length > 0) {
    const maxIndex = Math.max(...listed);
    const total = Math.max(strategy.totalLayers ?? DEFAULT_TOTAL_LAYERS, maxIndex + 1);
    const unfrozen =
      strategy.unfrozen.length > 0
        ? uniqSorted(strategy.unfrozen.filter((i) => inRange(i, total)))
        : complement(uniqSorted(strategy.frozen), total);
    return { totalLayers: total, unfrozen, frozen: complement(unfrozen, total) };
  }
  if (strategy.spec === null) return null;
  return expandSpec(strategy.kind, strategy.spec, strategy.totalLayers ?? DEFAULT_TOTAL_LAYERS);
}

/** Runs of consecutive indices: [0,2,5,6,7] → [[0,0],[2,2],[5,7]]. */
function runsOf(sorted: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const i of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && i === last[1] + 1) last[1] = i;
    else out.push([i, i]);
  }
  return out;
}

/** "L3–L11", "L0,L2,L5–L11"; "" for an empty set. */
export function layerRangesLabel(layers: readonly number[]): string {
  return runsOf(uniqSorted(layers))
    .map(([a, b]) => (a === b ? `L${a}` : `L${a}–L${b}`))
    .join(',');
}

/** The canonical key of a resolved set. */
export function layersKey(resolved: ResolvedLayers): string {
  const ranges = runsOf(resolved.unfrozen)
    .map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`))
    .join(',');
  return `${resolved.totalLayers}:${ranges === '' ? 'none' : ranges}`;
}

export function layersLabel(resolved: ResolvedLayers): string {
  const n = resolved.unfrozen.length;
  const head = `unfreeze ${n}/${resolved.totalLayers}`;
  return n === 0 ? `${head} · all frozen` : `${head} · ${layerRangesLabel(resolved.unfrozen)}`;
}

/** Identity of a run's strategy (rule in the module comment). */
export function strategyIdentity(strategy: StrategyInput | null | undefined): StrategyIdentity {
  const unknown = (requested: { key: string; label: string } | null, failureReason: string | null): StrategyIdentity => ({
    key: DEFAULT_STRATEGY_KEY,
    label: DEFAULT_STRATEGY_LABEL,
    known: false,
    totalLayers: null,
    trainableLayers: null,
    unfrozen: [],
    frozen: [],
    notApplied: requested !== null,
    requested,
    failureReason,
  });
  if (strategy === null || strategy === undefined) return unknown(null, null);
  const resolved = resolveLayers(strategy);
  if (!strategy.applied) {
    const requested =
      resolved === null
        ? { key: `requested:${strategy.kind}`, label: `${strategy.kind} ${JSON.stringify(strategy.spec)}` }
        : { key: layersKey(resolved), label: layersLabel(resolved) };
    return unknown(strategy.kind === 'none' && resolved === null ? null : requested, strategy.failureReason ?? null);
  }
  if (resolved === null) return unknown(null, strategy.failureReason ?? null);
  return {
    key: layersKey(resolved),
    label: layersLabel(resolved),
    known: true,
    totalLayers: resolved.totalLayers,
    trainableLayers: resolved.unfrozen.length,
    unfrozen: resolved.unfrozen,
    frozen: resolved.frozen,
    notApplied: false,
    requested: null,
    failureReason: null,
  };
}

/** Order by trainable layers, then total, then key; unknown last. */
export function compareStrategies(
  a: Pick<StrategyIdentity, 'key' | 'known' | 'trainableLayers' | 'totalLayers'>,
  b: Pick<StrategyIdentity, 'key' | 'known' | 'trainableLayers' | 'totalLayers'>,
): number {
  if (a.known !== b.known) return a.known ? -1 : 1;
  const d = (a.trainableLayers ?? 0) - (b.trainableLayers ?? 0);
  if (d !== 0) return d;
  const t = (a.totalLayers ?? 0) - (b.totalLayers ?? 0);
  if (t !== 0) return t;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}
