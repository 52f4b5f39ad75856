/**
 * The cost/quality trade-off between strategies: the Pareto front of (training time, best validation),
 * both lower-is-better.
 *
 * A strategy with both numbers is on the front unless another strategy dominates it: no more time AND no
 * higher validation, and strictly less of at least one. Exact ties (same time and same validation) do not
 * dominate each other, so tied strategies are on the front together. A strategy missing either number is
 * never on the front (it cannot be placed).
 *
 * Trade-off sentences walk the front from the cheapest member up: "9 layers costs 38% more time than 6
 * for 0.004 lower validation loss" (percent of the cheaper one's time; the loss difference in absolute
 * units). When the caller does not count the two as established apart (recommend.ts: non-overlapping
 * t-intervals over ≥ 2 runs each), the sentence says the gain is not established instead of presenting it
 * as a gain.
 */
import { fmt } from './format';

export interface ParetoPoint {
  key: string;
  /** Training minutes (x, lower is better). */
  cost: number | null;
  /** Best validation (y, lower is better). */
  loss: number | null;
}

type Placed<T extends ParetoPoint> = T & { cost: number; loss: number };

const placed = <T extends ParetoPoint>(p: T): p is Placed<T> =>
  p.cost !== null && p.loss !== null && Number.isFinite(p.cost) && Number.isFinite(p.loss);

/** Whether `a` dominates `b`. */
export function dominates(a: ParetoPoint, b: ParetoPoint): boolean {
  if (!placed(a) || !placed(b)) return false;
  return a.cost <= b.cost && a.loss <= b.loss && (a.cost < b.cost || a.loss < b.loss);
}

/** Keys on the Pareto front (module rule). */
export function paretoFront(points: readonly ParetoPoint[]): Set<string> {
  const front = new Set<string>();
  for (const p of points) {
    if (!placed(p)) continue;
    if (!points.some((q) => q !== p && dominates(q, p))) front.add(p.key);
  }
  return front;
}

export interface TradeoffMember extends ParetoPoint {
  /** "9 layers", or the strategy label. */
  name: string;
}

/**
 * Sentences along the front, cheapest first; `distinct(a, b)` says whether two strategies' intervals
 * separate them.
 */
export function tradeoffSentences(members: readonly TradeoffMember[], distinct: (a: string, b: string) => boolean): string[] {
  const sorted = members.filter((m): m is Placed<TradeoffMember> => placed(m)).sort((a, b) => a.cost - b.cost || a.loss - b.loss);
  const out: string[] = [];
  for (let i = 1; i < sorted.length; i++) {
    const cheap = sorted[i - 1]!;
    const dear = sorted[i]!;
    const more = cheap.cost > 0 ? Math.round(((dear.cost - cheap.cost) / cheap.cost) * 100) : null;
    const time = more === null ? 'more time' : `${more}% more time`;
    const gain = cheap.loss - dear.loss;
    if (gain === 0 || dear.cost === cheap.cost) {
      out.push(`${dear.name} and ${cheap.name} tie on the front.`);
      continue;
    }
    const noise = distinct(cheap.key, dear.key) ? '' : ' — not established yet (overlapping or single-run intervals)';
    out.push(`${dear.name} costs ${time} than ${cheap.name} for ${fmt(gain)} lower validation loss${noise}.`);
  }
  return out;
}
