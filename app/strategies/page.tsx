// The strategies page: per task and dataset size, the strategies ranked next to the user's rule of
// thumb. What it shows is lib/views/strategies-page.ts; its pieces are the files beside it.
import { Suspense } from 'react';
import { parseQueryOrDefault } from '@/lib/api/params';
import { strategiesQuery } from '@/lib/api/schemas/strategies';
import { countRuns } from '@/lib/queries/run-records';
import { listRecommendations } from '@/lib/queries/strategies';
import { HiddenToggle } from '../_components/hidden-toggle';
import { LiveRefresh } from '../_components/live';
import { ForecastBacktestFallback, ForecastBacktestPanel } from './forecast-backtest';
import { HeuristicTable } from './heuristic-table';
import { Recommendation } from './recommendation';

export const dynamic = 'force-dynamic';

export default async function StrategiesPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const { value: query, error } = parseQueryOrDefault(strategiesQuery, params);
  const [data, hiddenLeftOut] = await Promise.all([
    listRecommendations(query.fpe, query.hidden),
    query.hidden === 'exclude' ? countRuns({ hidden: 'only' }) : Promise.resolve(null),
  ]);
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
          <Recommendation key={`${rec.taskId}-${rec.dataset}-${rec.datasetFrames}`} rec={rec} heuristicTable={data.heuristicTable} />
        ))}
      </div>
      <Suspense fallback={<ForecastBacktestFallback />}>
        <ForecastBacktestPanel />
      </Suspense>
      <HeuristicTable heuristicTable={data.heuristicTable} fpe={query.fpe} />
      <LiveRefresh watch="any" />
    </>
  );
}
