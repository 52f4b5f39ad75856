// One ordering and one winner rule for compare's summary table, shared by the page and the HTML report.
import type { CompareResponse, CompareSummary } from '../api/schemas/compare';

/**
 * The summary table's rows as the compare page and the HTML report show them: by facet (task, dataset
 * size) in facet order, then strategy in the server's order; the winner (lowest mean best validation)
 * is marked within its facet only, and only when there is more than one row.
 */
export function summaryTable(data: Pick<CompareResponse, 'facets' | 'summary'>): {
  rows: CompareSummary[];
  facetLabel: Map<string, string>;
  isWinner: (row: CompareSummary) => boolean;
} {
  const facetIndex = new Map(data.facets.map((f, i) => [f.key, i]));
  const facetLabel = new Map(data.facets.map((f) => [f.key, f.label]));
  const rows = data.summary
    .map((s, i) => ({ s, i }))
    .sort((a, b) => (facetIndex.get(a.s.facet) ?? 0) - (facetIndex.get(b.s.facet) ?? 0) || a.i - b.i)
    .map(({ s }) => s);
  const bestIn = new Map<string, number>();
  for (const s of rows) bestIn.set(s.facet, Math.min(bestIn.get(s.facet) ?? Infinity, s.bestVal.mean ?? Infinity));
  const isWinner = (s: CompareSummary) => rows.length > 1 && s.bestVal.mean !== null && s.bestVal.mean === bestIn.get(s.facet);
  return { rows, facetLabel, isWinner };
}

/** Verdicts that judge a run (every verdict but 'insufficient': too few points to say). */
const JUDGED = ['overfitting', 'watch', 'diverged', 'ok'] as const;

/**
 * The "share of overfitting runs" line: only rows with at least one run that has a verdict (a row of
 * runs with too few points says nothing, and ~35 "0.0%" buckets hid the few that say something), each
 * "label (facet) 25.0% (1 of 4)" — the share over the runs with a verdict — and how many rows were left out.
 */
export function overfittingShares(
  rows: readonly Pick<CompareSummary, 'label' | 'facet' | 'verdicts'>[],
  facetLabel: ReadonlyMap<string, string>,
  facets: number,
): { parts: string[]; leftOut: number } {
  const parts: string[] = [];
  let leftOut = 0;
  for (const s of rows) {
    const judged = JUDGED.reduce((n, v) => n + (s.verdicts[v] ?? 0), 0);
    if (judged === 0) {
      leftOut++;
      continue;
    }
    const over = s.verdicts.overfitting ?? 0;
    const where = facets > 1 ? ` (${facetLabel.get(s.facet) ?? ''})` : '';
    parts.push(`${s.label}${where} ${((100 * over) / judged).toFixed(1)}% (${over} of ${judged})`);
  }
  return { parts, leftOut };
}
