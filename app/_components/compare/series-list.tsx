// Every series of the compare view as a list for screen readers (and for tests: its data attributes
// say what each series rests on).
import type { CompareResponse } from '@/lib/api/schemas/compare';
import { seriesNText } from '@/lib/views/compare-page';

export function SeriesList({ series }: { series: CompareResponse['series'] }) {
  return (
    <ul className="sr-only" data-testid="series-list">
      {series.map((s) => (
        <li
          key={s.id}
          data-series-id={s.id}
          data-kind={s.kind}
          data-strategy={s.strategyKey}
          data-facet={s.facet}
          data-task={s.taskId ?? ''}
          data-runs={s.runIds.join(',')}
          data-n={seriesNText(s)}
          data-points={s.points.length}
          data-smoothed={s.smoothed ? s.smoothed.length : 0}
        >
          {s.label}
        </li>
      ))}
    </ul>
  );
}
