import Link from 'next/link';
import { parseQueryOrDefault } from '@/lib/api/params';
import { strategiesQuery } from '@/lib/api/schemas/strategies';
import { listRecommendations } from '@/lib/queries/strategies';
import { fmtCount, fmtLoss } from '../_components/format';
import { LiveRefresh } from '../_components/live';

export const dynamic = 'force-dynamic';

const AGREEMENT_TEXT = {
  agrees: 'evidence agrees with the rule of thumb',
  more_layers: 'evidence favours MORE layers than the rule of thumb',
  fewer_layers: 'evidence favours FEWER layers than the rule of thumb',
} as const;

export default async function StrategiesPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { value: query, error } = parseQueryOrDefault(strategiesQuery, await searchParams);
  const data = await listRecommendations(query.fpe);
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
            Per task and dataset size, strategies ranked by their runs&apos; best validation loss (lower is better), next to the rule of
            thumb from your notes (episodes → layers to unfreeze). {data.caveat}
          </p>
        </div>
        {error && <p className="error-note">Ignored a bad parameter: {error}</p>}
        <form method="get" className="filters">
          <label>
            Frames per episode
            <input type="number" name="fpe" min={1} step="any" defaultValue={query.fpe ?? ''} placeholder="e.g. 300" />
          </label>
          <button type="submit">Estimate episodes</button>
          <span className="muted small">
            The SmolVLA trainer prints dataset frames, not episodes (LeRobot runs print their episodes and are placed directly); give the
            average episode length to place the others in the table.
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
                  ` · ${rec.episodesSource === 'estimated' ? '~' : ''}${fmtCount(Math.round(rec.episodes))} episodes`}
              </span>
            </h2>
            <p>{rec.summary}</p>
            {rec.agreement && <p className={`badge agreement-${rec.agreement}`}>{AGREEMENT_TEXT[rec.agreement]}</p>}
            <table className="compact">
              <thead>
                <tr>
                  <th className="num">#</th>
                  <th>Strategy</th>
                  <th className="num">Best val (mean)</th>
                  <th className="num">min–max</th>
                  <th className="num">n</th>
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
                    <tr key={r.key} className={r.rank === 1 ? 'winner' : undefined}>
                      <td className="num">{r.rank}</td>
                      <td>
                        <span className="swatch" style={{ background: r.color }} /> {r.label}
                        {inRule && <span className="badge rule"> rule of thumb</span>}
                      </td>
                      <td className="num">{fmtLoss(r.bestValidationMean)}</td>
                      <td className="num">
                        {fmtLoss(r.bestValidationMin)}–{fmtLoss(r.bestValidationMax)}
                      </td>
                      <td className="num">
                        {r.n}/{r.runs}
                      </td>
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
