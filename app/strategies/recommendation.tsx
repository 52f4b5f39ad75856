// One task's recommendation on the strategies page: the verdict and its agreement with the rule of
// thumb, the ranking, cost vs quality, and the runs one by one.
import type { RecommendationView, StrategiesResponse } from '@/lib/api/schemas/strategies';
import { AGREEMENT_TEXT, datasetText } from '@/lib/views/strategies-page';
import { TaskEpisodesForm } from '../_components/annotations';
import { PerRunTable } from './per-run-table';
import { RankingTable } from './ranking-table';
import { TradeoffPanel } from './tradeoff-panel';

export function Recommendation({ rec, heuristicTable }: { rec: RecommendationView; heuristicTable: StrategiesResponse['heuristicTable'] }) {
  return (
    <section className="panel" data-testid="recommendation">
      <h2>
        {rec.label} <span className="muted small">{datasetText(rec)}</span>
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
      <RankingTable rec={rec} heuristicTable={heuristicTable} />
      <TradeoffPanel rec={rec} />
      <PerRunTable rec={rec} />
    </section>
  );
}
