import Link from 'next/link';
import { parseQueryOrDefault } from '@/lib/api/params';
import { strategiesQuery } from '@/lib/api/schemas/strategies';
import { listRecommendations } from '@/lib/queries/strategies';
import { countRuns } from '@/lib/queries/run-records';
import type { RecommendationView } from '@/lib/api/schemas/strategies';
import { fileName } from '@/lib/views/report';
import { fmtCount, fmtLoss, fmtParams } from '@/lib/views/format';
import { TaskEpisodesForm } from '../_components/annotations';
import { HiddenToggle } from '../_components/hidden-toggle';
import { LiveRefresh } from '../_components/live';
import { TradeoffChart, type TradeoffPoint } from './tradeoff-chart';

export const dynamic = 'force-dynamic';

const AGREEMENT_TEXT = {
  agrees: 'evidence agrees with the rule of thumb',
  more_layers: 'evidence favours MORE layers than the rule of thumb',
  fewer_layers: 'evidence favours FEWER layers than the rule of thumb',
} as const;

type Ranked = RecommendationView['ranking'][number];

const METHOD_TEXT = { t: 't over runs', single_run_noise: 'one run: its own validation noise', none: '' } as const;

const fmtMin = (v: number | null) => (v === null ? '–' : v >= 100 ? v.toFixed(0) : v < 1 ? v.toFixed(2) : v.toFixed(1));
const fmtNum = (v: number | null) => (v === null ? '–' : Number.isInteger(v) ? String(v) : v.toFixed(1));

function intervalCell(r: Ranked) {
  const i = r.bestValidation;
  if (i.lo === null || i.hi === null) return <span className="muted">{r.n === 1 ? 'one run, too few epochs' : '–'}</span>;
  return (
    <span title={METHOD_TEXT[i.method]}>
      {fmtLoss(i.lo)}–{fmtLoss(i.hi)}
      {i.method === 'single_run_noise' && <span className="badge noise"> 1 run: own noise</span>}
    </span>
  );
}

function nextCell(r: Ranked, next: Ranked | undefined) {
  if (r.distinguishableFromNext === null) return null;
  if (r.distinguishableFromNext)
    return (
      <span className="badge separated">
        separated from next
        {r.bestValidation.method === 'single_run_noise' || next?.bestValidation.method === 'single_run_noise'
          ? ' (single-run noise only)'
          : ''}
      </span>
    );
  const sep = r.runsToSeparateNext;
  return (
    <span className="badge overlap" data-testid="not-distinguishable">
      not distinguishable yet
      {sep !== null && (
        <span
          className="small"
          title={`runs each at which the observed difference would clear both 95% intervals, from the ${
            sep.spreadSource === 'runs' ? 'run-to-run spread' : 'within-run noise (optimistic)'
          }`}
        >
          {' '}
          · ~{sep.runsEach} runs each
        </span>
      )}
    </span>
  );
}

function tradeoffPoints(rec: RecommendationView): TradeoffPoint[] {
  return rec.ranking.flatMap((r) =>
    r.trainingMinutes === null || r.bestValidation.mean === null
      ? []
      : [
          {
            key: r.key,
            label: r.label,
            color: r.color,
            minutes: r.trainingMinutes,
            mean: r.bestValidation.mean,
            lo: r.bestValidation.lo,
            hi: r.bestValidation.hi,
            method: r.bestValidation.method,
            pareto: r.pareto,
          },
        ],
  );
}

export default async function StrategiesPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const { value: query, error } = parseQueryOrDefault(strategiesQuery, params);
  const [data, hiddenLeftOut] = await Promise.all([
    listRecommendations(query.fpe, query.hidden),
    query.hidden === 'exclude' ? countRuns({ hidden: 'only' }) : Promise.resolve(null),
  ]);
  const ruleFor = (layers: number | null) =>
    layers === null
      ? '–'
      : (data.heuristicTable.find((row) => layers >= row.minLayers && layers <= row.maxLayers)?.episodesText ?? 'not in the table');
  return (
    <>
      <section className="panel">
        <div className="page-head">
          <h1>Strategies</h1>
          <p className="muted">
            Per task and dataset size, strategies ranked by their runs&apos; best validation loss (lower is better) with a 95% interval, how
            fast they converge and what they cost, next to the rule of thumb from your notes (episodes → layers to unfreeze). {data.caveat}
          </p>
        </div>
        {error && <p className="error-note">Ignored a bad parameter: {error}</p>}
        <HiddenToggle params={params} leftOut={hiddenLeftOut} included={query.hidden === 'include'} path="/strategies" />
        <form method="get" className="filters">
          <label>
            Frames per episode
            <input type="number" name="fpe" min={1} step="any" defaultValue={query.fpe ?? ''} placeholder="e.g. 300" />
          </label>
          {query.hidden !== 'exclude' && <input type="hidden" name="hidden" value={query.hidden} />}
          <button type="submit">Estimate episodes</button>
          <span className="muted small">
            The SmolVLA trainer prints dataset frames, not episodes (LeRobot runs print their episodes and are placed directly). Give each
            task its episode count below (kept for everyone), or the average episode length here to estimate the rest.
          </span>
        </form>
      </section>
      {data.recommendations.length === 0 && <section className="panel">No runs yet.</section>}
      <div className="recommendations">
        {data.recommendations.map((rec) => (
          <section key={`${rec.taskId}-${rec.datasetFrames}`} className="panel" data-testid="recommendation">
            <h2>
              task{rec.taskId ?? '?'} {rec.taskName ?? ''}{' '}
              <span className="muted small">
                {rec.datasetFrames === null ? 'dataset size unknown' : `${fmtCount(rec.datasetFrames)} frames`}
                {rec.episodes !== null &&
                  ` · ${rec.episodesSource === 'estimated' ? '~' : ''}${fmtCount(Math.round(rec.episodes))} episodes${
                    rec.episodesSource === 'task' ? ' (given for the task)' : rec.episodesSource === 'given' ? ' (from the log)' : ''
                  }`}
              </span>
            </h2>
            {rec.taskId !== null && rec.episodesSource !== 'given' && (
              <TaskEpisodesForm taskId={rec.taskId} episodes={rec.episodesSource === 'task' ? rec.episodes : null} />
            )}
            <p data-testid="summary" className={`verdict-${rec.verdict}`}>
              {rec.summary}
            </p>
            {rec.agreement && (
              <p className={`badge agreement-${rec.agreement}`}>
                {rec.verdict === 'supported' ? '' : 'tentative (no clear winner yet): '}
                {AGREEMENT_TEXT[rec.agreement]}
              </p>
            )}
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
                      title="t-interval over runs; with one run, ±1.96σ of that run's own epoch-to-epoch validation noise"
                    >
                      95% interval
                    </th>
                    <th>vs next</th>
                    <th className="num">n</th>
                    <th className="num" title="epoch of the best validation (mean over runs)">
                      Best epoch
                    </th>
                    <th
                      className="num"
                      title="first epoch within 5% of the run's best validation (mean over runs), and the training minutes to it"
                    >
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
                    const inRule =
                      rec.heuristic !== null &&
                      r.trainableLayers !== null &&
                      r.trainableLayers >= rec.heuristic.minLayers &&
                      r.trainableLayers <= rec.heuristic.maxLayers;
                    return (
                      <tr
                        key={r.key}
                        className={r.rank === 1 && rec.verdict === 'supported' ? 'winner' : undefined}
                        data-testid="strategy-row"
                      >
                        <td className="num">{r.rank}</td>
                        <td>
                          <span className="swatch" style={{ background: r.color }} /> {r.label}
                          {inRule && <span className="badge rule"> rule of thumb</span>}
                        </td>
                        <td className="num">{fmtLoss(r.bestValidationMean)}</td>
                        <td className="num">{intervalCell(r)}</td>
                        <td>{nextCell(r, rec.ranking[r.rank])}</td>
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
                        <td className="small">{ruleFor(r.trainableLayers)}</td>
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
            {tradeoffPoints(rec).length > 0 ? (
              <div className="tradeoff">
                <TradeoffChart
                  points={tradeoffPoints(rec)}
                  pngName={fileName(
                    [
                      'thaw-strategies-tradeoff',
                      `task${rec.taskId ?? 'unknown'}`,
                      rec.taskName,
                      rec.datasetFrames === null ? null : `${rec.datasetFrames}frames`,
                    ],
                    'png',
                  )}
                  pngTitle={`task${rec.taskId ?? '?'} ${rec.taskName ?? ''}: best validation vs training time per strategy`}
                />
                <div className="tradeoff-notes">
                  <h3>Cost vs quality</h3>
                  {rec.tradeoffs.length > 0 ? (
                    <ul data-testid="tradeoffs">
                      {rec.tradeoffs.map((t) => (
                        <li key={t}>{t}</li>
                      ))}
                    </ul>
                  ) : (
                    <p className="muted small">
                      {rec.ranking.filter((r) => r.pareto).length === 1
                        ? 'One strategy is both cheaper and better than the rest (the only point on the front).'
                        : 'Fewer than two strategies have both timing and validation.'}
                    </p>
                  )}
                  <p className="muted small">
                    ★ = on the Pareto front (no other strategy is both faster and better). Vertical bars: 95% intervals (dashed: a single
                    run&apos;s own validation noise, not run-to-run spread).
                  </p>
                </div>
              </div>
            ) : (
              <p className="muted small">No training timing in these logs: no cost chart.</p>
            )}
            <details className="per-run">
              <summary className="small">Per run: best, convergence and cost</summary>
              <table className="compact">
                <thead>
                  <tr>
                    <th>Run</th>
                    <th>Strategy</th>
                    <th className="num">Best val</th>
                    <th className="num">Noise σ̂</th>
                    <th className="num">Best epoch</th>
                    <th className="num">Epochs to 5%</th>
                    <th className="num">Min to 5%</th>
                    <th className="num">min/epoch</th>
                    <th className="num">Train min</th>
                    <th>Timing from</th>
                    <th className="num">Trainable</th>
                  </tr>
                </thead>
                <tbody>
                  {rec.ranking.flatMap((r) =>
                    r.perRun.map((p) => (
                      <tr key={p.id}>
                        <td>
                          <Link href={`/runs/${p.id}`}>#{p.id}</Link>
                        </td>
                        <td className="small">{r.label}</td>
                        <td className="num">{fmtLoss(p.bestValidation)}</td>
                        <td className="num">{fmtLoss(p.validationNoise)}</td>
                        <td className="num">{fmtNum(p.bestEpoch)}</td>
                        <td className="num">{fmtNum(p.epochsToConverge)}</td>
                        <td className="num">{fmtMin(p.minutesToConverge)}</td>
                        <td className="num">{fmtMin(p.minutesPerEpoch)}</td>
                        <td className="num">
                          {fmtMin(p.trainingMinutes)}
                          {p.trainingMinutes !== null && !p.timingComplete ? ' (est.)' : ''}
                        </td>
                        <td className="small">{p.timingSource ?? '–'}</td>
                        <td className="num">{fmtParams(p.trainableParams)}</td>
                      </tr>
                    )),
                  )}
                </tbody>
              </table>
            </details>
          </section>
        ))}
      </div>
      <section className="panel">
        <h2>Rule of thumb (your notes, 12-layer SmolVLM2 encoder)</h2>
        <table className="compact" data-testid="heuristic-table">
          <thead>
            <tr>
              <th>Strategy</th>
              <th className="num">Layers to unfreeze</th>
              <th>Config</th>
              <th>Data</th>
            </tr>
          </thead>
          <tbody>
            {data.heuristicTable.map((row) => (
              <tr key={row.name} className={row.isDefault ? 'winner' : undefined}>
                <td>
                  {row.nameZh} · {row.name}
                  {row.isDefault ? ' ★ current default' : ''}
                </td>
                <td className="num">{row.minLayers === row.maxLayers ? row.maxLayers : `${row.minLayers}–${row.maxLayers}`}</td>
                <td className="mono small">[{row.spec.join(', ')}]</td>
                <td>{row.episodesText}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="muted small">
          <a href={`/api/strategies?format=csv${query.fpe ? `&fpe=${query.fpe}` : ''}`} download>
            Ranking CSV
          </a>{' '}
          ·{' '}
          <a href={`/api/strategies${query.fpe ? `?fpe=${query.fpe}` : ''}`} target="_blank" rel="noreferrer">
            JSON
          </a>
        </p>
      </section>
      <LiveRefresh watch="any" />
    </>
  );
}
