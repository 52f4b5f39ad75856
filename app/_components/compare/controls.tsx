'use client';
// The compare page's controls: grouping, pooling, axis, smoothing, log scale and the downloads. Each
// writes the URL through `navigate` (the page re-renders with the new data).
import type { RefObject } from 'react';
import type { CompareResponse } from '@/lib/api/schemas/compare';
import { LogYToggle, SmoothingSlider, XAxisButtons } from '../chart-controls';
import type { legendOf } from '../line-chart';
import { ReportButton } from './report-button';
import { ScalarChooser } from './scalar-chooser';

export function CompareControls({
  data,
  navigate,
  searchParams,
  smooth,
  onSmooth,
  logY,
  onLogY,
  range,
  charts,
  legends,
}: {
  data: CompareResponse;
  navigate: (changes: Record<string, string | null>) => void;
  searchParams: URLSearchParams;
  smooth: number;
  onSmooth: (value: number) => void;
  logY: boolean;
  onLogY: (value: boolean) => void;
  range: { min: number; max: number } | null;
  charts: RefObject<HTMLDivElement | null>;
  legends: Map<string, ReturnType<typeof legendOf>>;
}) {
  const apiQuery = searchParams.toString();
  return (
    <div className="controls" data-testid="compare-controls">
      <div className="segmented" role="group" aria-label="grouping">
        {(['group', 'runs'] as const).map((mode) => (
          <button
            key={mode}
            type="button"
            aria-pressed={data.query.mode === mode}
            onClick={() => navigate({ mode })}
            data-testid={`mode-${mode}`}
          >
            {mode === 'group' ? 'By strategy (mean ± range)' : 'Individual runs'}
          </button>
        ))}
      </div>
      <div className="segmented" role="group" aria-label="tasks">
        <button
          type="button"
          aria-pressed={!data.query.pool}
          onClick={() => navigate({ pool: null })}
          data-testid="pool-split"
          title="one chart per task (and dataset size): losses of different datasets are not comparable"
        >
          Per task
        </button>
        <button
          type="button"
          aria-pressed={data.query.pool}
          onClick={() => navigate({ pool: '1' })}
          data-testid="pool-all"
          title="one mean per strategy over every task in view (the view says what it mixes)"
        >
          Pool tasks
        </button>
      </div>
      <ScalarChooser data={data} navigate={navigate} />
      <XAxisButtons value={data.query.x} onChange={(x) => navigate({ x, xmin: null, xmax: null })} />
      <SmoothingSlider value={smooth} onChange={onSmooth} />
      <LogYToggle value={logY} onChange={onLogY} />
      <span className="spacer" />
      <a className="button secondary" href={`/api/compare?${apiQuery}&format=csv&table=series`} download>
        Series CSV
      </a>
      <a className="button secondary" href={`/api/compare?${apiQuery}&format=csv&table=summary`} download>
        Summary CSV
      </a>
      <a className="button secondary" href={`/api/compare?${apiQuery}`} target="_blank" rel="noreferrer">
        JSON
      </a>
      <ReportButton data={data} searchParams={searchParams} range={range} charts={charts} legends={legends} />
    </div>
  );
}
