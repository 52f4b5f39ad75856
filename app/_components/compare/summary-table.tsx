// The compare page's summary: one row per strategy within each facet (task, dataset size), the
// winner marked within its facet only (lib/views/summary-table.ts), and the runs behind it.
import Link from 'next/link';
import type { CompareResponse, CompareSummary } from '@/lib/api/schemas/compare';
import { overfittingShares, summaryTable } from '@/lib/views/summary-table';
import { VerdictBadge } from '../badges';
import { Swatch } from '../swatch';
import { fmtLoss, fmtRatio } from '@/lib/views/format';
import { ScrollBox } from '../scroll-box';

export function SummaryTable({ data }: { data: CompareResponse }) {
  // Rows by facet (task, dataset size), then strategy; the winner is marked within its facet only.
  const { rows, facetLabel, isWinner } = summaryTable(data);
  return (
    <ScrollBox label="summary by task and strategy">
      <table className="summary" data-testid="compare-summary">
        <thead>
          <tr>
            <th title="runs are aggregated within one task and dataset size unless tasks are pooled">Task</th>
            <th>Strategy</th>
            <th className="num">n</th>
            <th
              className="num"
              title="mean of each run's lowest own-task validation (min–max over runs); epoch where the mean curve is lowest"
            >
              Best val (epoch)
            </th>
            <th className="num">Final train</th>
            <th className="num">Final val</th>
            <th className="num" title="validation ÷ training loss at the end">
              Gap
            </th>
            <th>Verdicts</th>
            <th className="num" title="mean forgetting F of the sequential chains ending at these runs (loss increase on earlier tasks)">
              Forgetting
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((s) => (
            <tr key={s.groupKey} data-strategy-key={s.strategyKey} data-group-key={s.groupKey} data-task={s.taskId ?? ''}>
              <td data-testid="summary-task">
                {data.query.pool ? <span className="muted">pooled</span> : (facetLabel.get(s.facet) ?? '–')}
              </td>
              <td>
                <Swatch color={s.color} /> {s.label}
                {s.notApplied > 0 && <span className="muted small"> ({s.notApplied} not applied)</span>}
              </td>
              <td className="num" title={`runs ${s.runIds.map((id) => `#${id}`).join(', ')}`}>
                {s.n}
              </td>
              <td className={`num ${isWinner(s) ? 'winner' : ''}`}>
                {isWinner(s) && (
                  <span className="winner-tag" title="the lowest mean best validation in its task">
                    best{' '}
                  </span>
                )}
                {fmtLoss(s.bestVal.mean)}
                {s.bestVal.count > 1 && (
                  <span className="muted small">
                    {' '}
                    [{fmtLoss(s.bestVal.min)}–{fmtLoss(s.bestVal.max)}]
                  </span>
                )}{' '}
                {s.bestVal.mean !== null && <span className="muted">({s.bestValEpoch ?? 'final'})</span>}
              </td>
              <td className="num">{fmtLoss(s.finalTrain)}</td>
              <td className="num">{fmtLoss(s.finalVal)}</td>
              <td className="num">{fmtRatio(s.gap)}</td>
              <td>
                {Object.entries(s.verdicts)
                  .filter(([, count]) => count > 0)
                  .map(([verdict, count]) => (
                    <span key={verdict} className="verdict-count">
                      <VerdictBadge verdict={{ status: verdict as never, reason: `${count} of ${s.n} runs` }} /> ×{count}
                    </span>
                  ))}
              </td>
              <td className="num">
                {s.forgetting.count === 0 ? '–' : fmtLoss(s.forgetting.mean)}
                {s.forgetting.count > 0 && <span className="muted small"> (n={s.forgetting.count})</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small">
        Runs:{' '}
        {data.runs.map((r, i) => (
          <span key={r.id}>
            {i > 0 ? ', ' : ''}
            <Link href={`/runs/${r.id}`}>#{r.id}</Link>
          </span>
        ))}
        .
      </p>
      <OverfittingShares rows={rows} facetLabel={facetLabel} facets={data.facets.length} />
    </ScrollBox>
  );
}

function OverfittingShares({
  rows,
  facetLabel,
  facets,
}: {
  rows: readonly CompareSummary[];
  facetLabel: ReadonlyMap<string, string>;
  facets: number;
}) {
  const { parts, leftOut } = overfittingShares(rows, facetLabel, facets);
  return (
    <p className="muted small" data-testid="overfitting-shares">
      {parts.length === 0
        ? 'Share of overfitting runs: no run has a verdict yet'
        : `Share of overfitting runs (of the runs with a verdict): ${parts.join(' · ')}`}
      {leftOut > 0 && ` (${leftOut} ${leftOut === 1 ? 'strategy' : 'strategies'} with no verdict yet left out)`}.
    </p>
  );
}
