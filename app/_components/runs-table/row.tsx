'use client';
// One run of the runs table.
import Link from 'next/link';
import { Fragment, type ReactNode } from 'react';
import type { RunRow, ScalarColumn } from '@/lib/api/schemas/runs';
import { fmtAgo, fmtDateTime, fmtLoss, fmtLossOrNonFinite, fmtRatio, fmtScalar, shortPath } from '@/lib/views/format';
import { progressCellText, rowClassName, scalarCell, showsSteps, taskCell } from '@/lib/views/runs-table';
import { StarButton, TagChips } from '../annotations';
import { LayerStrip, StatusDot, StrategyLabel, VerdictBadge } from '../badges';
import { ForecastCell, type RowForecast } from './forecast-cell';

export function RunsTableRow({
  run,
  selected,
  now,
  forecast,
  onToggle,
  onStar,
  columns = [],
}: {
  /** Scalar columns asked for: the run's last value of each. */
  columns?: readonly (ScalarColumn & { key: string })[];
  run: RunRow;
  selected: boolean;
  /** A running run's forecast (null: not running, no forecast column value). */
  forecast: RowForecast | null;
  /** The clock "3 min ago" counts from. */
  now: number;
  onToggle: () => void;
  onStar: () => void;
}) {
  return (
    <tr key={run.id} data-run-id={run.id} data-testid="run-row" className={rowClassName(selected, run.hidden)}>
      <td>
        <input type="checkbox" aria-label={`select run ${run.id}`} checked={selected} onChange={onToggle} />
      </td>
      <td>
        <StarButton starred={run.starred} label={`run ${run.id}`} onToggle={onStar} />
      </td>
      <td>
        <StatusDot status={run.status} />
      </td>
      <td className="run-cell">
        <Link href={`/runs/${run.id}`}>#{run.id}</Link>
        {run.name && (
          <Link href={`/runs/${run.id}`} className="run-name" data-testid="run-name" title={run.note ?? undefined}>
            {run.name}
          </Link>
        )}
        {run.hidden && <span className="badge hidden-badge">hidden</span>}
        {run.note && !run.name && (
          <span className="muted small" title={run.note}>
            ✎
          </span>
        )}
        <TagChips tags={run.tags} />
      </td>
      <TaskCell run={run} />
      <td data-testid="cell-strategy">
        <div className="strategy-cell">
          <StrategyLabel strategy={run.strategy} format={run.format} />
          <LayerStrip strategy={run.strategy} format={run.format} />
        </div>
      </td>
      <td className="num" data-testid="cell-epochs">
        {showsSteps(run) ? <span title="steps done / total (step-based run)">{progressCellText(run)}</span> : progressCellText(run)}
      </td>
      <td
        className={run.lastTrainLossNonFinite ? 'num nonfinite' : 'num'}
        data-testid="cell-last-train-loss"
        title={run.lastTrainLossNonFinite ? 'the latest training loss is not a finite number' : undefined}
      >
        {fmtLossOrNonFinite(run.lastTrainLoss, run.lastTrainLossNonFinite)}
      </td>
      <td className="num">
        {run.bestVal ? (
          <>
            {fmtLoss(run.bestVal.loss)} <span className="muted">({run.bestVal.final ? 'final' : run.bestVal.epoch})</span>
          </>
        ) : (
          '–'
        )}
      </td>
      <td className="num">{fmtRatio(run.finalGap)}</td>
      <td data-testid="cell-verdict">
        <VerdictBadge verdict={run.verdict} />
      </td>
      <td data-testid="cell-forecast">
        <ForecastCell forecast={forecast} />
      </td>
      <td className="small" title={`started ${run.startedAt}, last line stored ${run.lastSeenAt}`}>
        {fmtDateTime(run.startedAt)}
        <br />
        <span className="muted">{fmtAgo(run.lastSeenAt, now)}</span>
      </td>
      <td className="small mono source-cell" title={run.source.path}>
        {shortPath(run.source.path)}
      </td>
      {columns.map((column) => {
        const cell = scalarCell(run, column);
        return (
          <td key={column.key} className="num" title={cell.title} data-testid="scalar-cell" data-key={column.key}>
            {fmtScalar(cell.value)}
          </td>
        );
      })}
    </tr>
  );
}

/** Its task over its name; a run without one: the facet label (dataset or experiment folder), grey and small. */
function TaskCell({ run }: { run: RunRow }) {
  const { main, sub } = taskCell(run);
  return (
    <td data-testid="cell-task">
      {main}
      {run.taskId !== null ? (
        <>
          {' '}
          <span className="muted">{sub ?? ''}</span>
        </>
      ) : (
        <span className="muted small task-facet" data-testid="task-facet" title={run.experiment ?? sub ?? undefined}>
          {breakAfterSlashes(sub)}
        </span>
      )}
    </td>
  );
}

/** "folder a/b" with a line-break opportunity after each "/" (a path wraps between its folders, not inside one). */
function breakAfterSlashes(text: string | null): ReactNode {
  if (text === null) return null;
  const parts = text.split('/');
  return parts.map((part, i) => (
    <Fragment key={i}>
      {part}
      {i < parts.length - 1 && (
        <>
          /<wbr />
        </>
      )}
    </Fragment>
  ));
}
