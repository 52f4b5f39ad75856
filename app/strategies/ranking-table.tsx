// A recommendation's ranking: strategies by best validation with their 95% interval, whether each is
// separated from the next, convergence, cost, the Pareto front and the rule of thumb.
import Link from 'next/link';
import type { RecommendationView, StrategiesResponse } from '@/lib/api/schemas/strategies';
import { RUNNING_NOT_RANKED } from '@/lib/analysis/recommend';
import { fmtLoss, fmtParams } from '@/lib/views/format';
import {
  axisColumns,
  fmtMeanCount,
  fmtMin,
  inRuleOfThumb,
  intervalCell,
  nextCell,
  rankingAxis,
  ruleOfThumbFor,
  type NextCell as NextCellModel,
  type Ranked,
} from '@/lib/views/strategies-page';
import { ScrollBox } from '../_components/scroll-box';
import { Swatch } from '../_components/swatch';

export function RankingTable({ rec, heuristicTable }: { rec: RecommendationView; heuristicTable: StrategiesResponse['heuristicTable'] }) {
  // Nothing ranked yet (every run of the facet still running): no empty table, just the running line.
  if (rec.ranking.length === 0) return <RunningLine ids={rec.running} />;
  return (
    <>
      <ScrollBox label={`${rec.label}: strategies ranked`}>
        <table className="compact strategies-table">
          <thead>
            <tr>
              <th className="num">#</th>
              <th>Strategy</th>
              <th className="num" title="mean over runs of each run's best own-task validation loss">
                Best val (mean)
              </th>
              <th
                className="num"
                title="on log loss: t-interval over runs; with one run, that run's own epoch-to-epoch validation noise (trend taken out)"
              >
                95% interval
              </th>
              <th>vs next</th>
              <th className="num">n</th>
              <AxisHeads rec={rec} />
              <th
                className="num"
                title="training loop only (tqdm elapsed, else the printed epoch minutes, else ms/batch × steps): no validation, no saving"
              >
                min / epoch
              </th>
              <th className="num" title="training minutes per run (mean over runs), excluding validation and saving">
                Train min
              </th>
              <th className="num">Trainable</th>
              <th title="on the Pareto front of training time vs best validation">Front</th>
              <th title="the data size your notes recommend this many layers for">Rule of thumb: for</th>
              <th>Runs</th>
            </tr>
          </thead>
          <tbody>
            {rec.ranking.map((r) => {
              const inRule = inRuleOfThumb(rec, r);
              return (
                <tr key={r.key} className={r.rank === 1 && rec.verdict === 'supported' ? 'winner' : undefined} data-testid="strategy-row">
                  <td className="num">{r.rank}</td>
                  <td>
                    <Swatch color={r.color} /> {r.label}
                    {inRule && <span className="badge rule"> rule of thumb</span>}
                  </td>
                  <td className="num">{fmtLoss(r.bestValidationMean)}</td>
                  <td className="num">
                    <IntervalCell r={r} />
                  </td>
                  <td>
                    <NextCell cell={nextCell(r, rec.ranking[r.rank])} />
                  </td>
                  <td className="num">
                    {r.n}/{r.runs}
                  </td>
                  <MeanCountCell value={r.bestEpoch} />
                  <td className="num">
                    <MeanCount value={r.epochsToConverge} />
                    {r.minutesToConverge !== null && <span className="muted small"> ({fmtMin(r.minutesToConverge)} min)</span>}
                  </td>
                  <td className="num">{fmtMin(r.minutesPerEpoch)}</td>
                  <td className="num">{fmtMin(r.trainingMinutes)}</td>
                  <td className="num">{fmtParams(r.trainableParams)}</td>
                  <td>{r.pareto ? <span className="badge pareto">★ front</span> : ''}</td>
                  <td className="small">{ruleOfThumbFor(heuristicTable, r.trainableLayers)}</td>
                  <td>
                    <Link href={`/compare?runs=${r.runIds.join(',')}`}>compare</Link>{' '}
                    {r.runIds.slice(0, 6).map((id) => (
                      <Link key={id} href={`/runs/${id}`} className="small">
                        #{id}{' '}
                      </Link>
                    ))}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </ScrollBox>
      <RunningLine ids={rec.running} />
    </>
  );
}

/** "still running, not ranked yet: #61 #62" with links; nothing when no run is running. */
function RunningLine({ ids }: { ids: readonly number[] }) {
  if (ids.length === 0) return null;
  return (
    <p className="muted small" data-testid="running-not-ranked">
      {RUNNING_NOT_RANKED}:{' '}
      {ids.map((id) => (
        <Link key={id} href={`/runs/${id}`}>
          #{id}{' '}
        </Link>
      ))}
    </p>
  );
}

/** A mean over runs of an epoch or step count: "≈30" with the exact mean in its tooltip. */
function MeanCount({ value }: { value: number | null }) {
  const { text, title } = fmtMeanCount(value);
  return <span title={title}>{text}</span>;
}

function MeanCountCell({ value }: { value: number | null }) {
  return (
    <td className="num">
      <MeanCount value={value} />
    </td>
  );
}

function IntervalCell({ r }: { r: Ranked }) {
  const cell = intervalCell(r);
  if (cell.kind === 'none')
    return (
      <span className="muted small interval-none" data-testid="interval-reason">
        {cell.text}
      </span>
    );
  return (
    <span title={cell.title}>
      {fmtLoss(cell.lo)}–{fmtLoss(cell.hi)}
      {cell.singleRun && <span className="badge noise"> 1 run: own noise</span>}
    </span>
  );
}

function NextCell({ cell }: { cell: NextCellModel }) {
  if (cell === null) return null;
  if (cell.kind === 'separated')
    return (
      <span className="badge separated">
        separated from next
        {cell.singleRunNoiseOnly ? ' (single-run noise only)' : ''}
      </span>
    );
  return (
    <span className="badge overlap" data-testid="not-distinguishable">
      not distinguishable yet
      {cell.runsEach !== null && (
        <span className="small" title={cell.title}>
          {' '}
          · ~{cell.runsEach} runs each
        </span>
      )}
    </span>
  );
}

/** "Best epoch" / "Epochs to 5%", or "Best step" / "Steps to 5%" for a ranking by step (LeRobot eval_loss). */
export function AxisHeads({ rec }: { rec: RecommendationView }) {
  const columns = axisColumns(rankingAxis(rec));
  return (
    <>
      <th className="num" title={columns.bestTitle}>
        {columns.best}
      </th>
      <th className="num" title={columns.toConvergeTitle}>
        {columns.toConverge}
      </th>
    </>
  );
}
