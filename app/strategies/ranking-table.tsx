// A recommendation's ranking: strategies by best validation with their 95% interval, whether each is
// separated from the next, convergence, cost, the Pareto front and the rule of thumb.
import Link from 'next/link';
import type { RecommendationView, StrategiesResponse } from '@/lib/api/schemas/strategies';
import { fmtLoss, fmtParams } from '@/lib/views/format';
import {
  fmtMin,
  fmtNum,
  inRuleOfThumb,
  METHOD_TEXT,
  nextCell,
  ruleOfThumbFor,
  type NextCell as NextCellModel,
  type Ranked,
} from '@/lib/views/strategies-page';
import { Swatch } from '../_components/swatch';

export function RankingTable({ rec, heuristicTable }: { rec: RecommendationView; heuristicTable: StrategiesResponse['heuristicTable'] }) {
  return (
    <div className="table-scroll">
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
            <th className="num" title="epoch of the best validation (mean over runs)">
              Best epoch
            </th>
            <th className="num" title="first epoch within 5% of the run's best validation (mean over runs), and the training minutes to it">
              Epochs to 5%
            </th>
            <th
              className="num"
              title="training loop only (tqdm elapsed, else the printed epoch minutes, else ms/batch × steps): no validation, no saving"
            >
              min/epoch
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
                <td className="num">{fmtNum(r.bestEpoch)}</td>
                <td className="num">
                  {fmtNum(r.epochsToConverge)}
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
    </div>
  );
}

function IntervalCell({ r }: { r: Ranked }) {
  const i = r.bestValidation;
  if (i.lo === null || i.hi === null) return <span className="muted">{r.n === 1 ? 'one run, too few epochs' : '–'}</span>;
  return (
    <span title={METHOD_TEXT[i.method]}>
      {fmtLoss(i.lo)}–{fmtLoss(i.hi)}
      {i.method === 'single_run_noise' && <span className="badge noise"> 1 run: own noise</span>}
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
