'use client';
// The run page's "Scalars" section: every TensorBoard scalar of the run, like TensorBoard's scalars
// dashboard (lib/views/scalars-section.ts says what is shown). Each control answers at once; the URL
// follows (debounced for typing and dragging), so a view can be shared and survives a reload.
import { usePathname, useRouter } from 'next/navigation';
import { useEffect, useMemo, useRef, useState, useTransition } from 'react';
import type { ScalarTagsResponse } from '@/lib/api/schemas/scalars';
import {
  SCALAR_AXES,
  scalarsSection,
  scalarsStateQuery,
  toggledGroup,
  type ScalarAxisMode,
  type ScalarsViewState,
} from '@/lib/views/scalars-section';
import { LogYToggle, SmoothingSlider } from '../../_components/chart-controls';
import { ScalarChart } from './scalar-chart';

const AXIS_LABELS: Record<Exclude<ScalarAxisMode, 'step'>, string> = { relative: 'Relative', wall: 'Wall' };
const URL_DELAY_MS = 300;

export function ScalarsSection({
  runId,
  data,
  initial,
  title,
}: {
  runId: number;
  data: Pick<ScalarTagsResponse, 'tags' | 'others'>;
  initial: ScalarsViewState;
  title: string;
}) {
  const router = useRouter();
  const pathname = usePathname();
  const [, startTransition] = useTransition();
  const [state, setState] = useState<ScalarsViewState>(initial);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const changed = useRef<Partial<ScalarsViewState>>({});

  // The URL is written from every setting changed since the page opened, on top of the address bar's
  // query: a replace still in flight (the server renders the page again) leaves the address bar behind,
  // and a query built from it and the latest change alone would drop the changes before it.
  const change = (next: Partial<ScalarsViewState>, delay = 0) => {
    setState((current) => ({ ...current, ...next }));
    changed.current = { ...changed.current, ...next };
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      const query = scalarsStateQuery(window.location.search, changed.current);
      startTransition(() => router.replace(`${pathname}?${query}`, { scroll: false }));
    }, delay);
  };
  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);

  const view = useMemo(() => scalarsSection(runId, data, state), [runId, data, state]);
  const chartState = useMemo(() => ({ axis: state.axis, smooth: state.smooth, log: state.log }), [state.axis, state.smooth, state.log]);

  return (
    <section className="panel scalars" data-testid="scalars-section">
      <h2>
        Scalars{' '}
        <span className="muted small" data-testid="scalars-count">
          {view.shown === view.total ? `${view.total} tags` : `${view.shown} of ${view.total} tags`}
        </span>
      </h2>
      <div className="controls">
        <input
          type="search"
          className="scalars-filter"
          placeholder="Filter tags (regular expression)"
          aria-label="filter tags by regular expression"
          value={state.filter}
          onChange={(e) => change({ filter: e.target.value }, URL_DELAY_MS)}
          data-testid="scalars-filter"
        />
        <div className="segmented" role="group" aria-label="scalars x axis">
          {SCALAR_AXES.map((axis) => (
            <button
              key={axis}
              type="button"
              aria-pressed={state.axis === axis}
              onClick={() => change({ axis })}
              data-testid={`scalars-x-${axis}`}
              title={
                axis === 'step'
                  ? view.ownAxis.title
                  : axis === 'relative'
                    ? 'time since the run’s first point'
                    : 'the clock time each value was logged at (UTC)'
              }
            >
              {axis === 'step' ? view.ownAxis.label : AXIS_LABELS[axis]}
            </button>
          ))}
        </div>
        <SmoothingSlider value={state.smooth} onChange={(smooth) => change({ smooth }, URL_DELAY_MS)} testId="scalars-smoothing" />
        <LogYToggle value={state.log} onChange={(log) => change({ log })} testId="scalars-log" />
      </div>
      {view.filterError && (
        <p className="error-note small" data-testid="scalars-filter-error">
          {view.filterError}
        </p>
      )}
      {view.notShown && (
        <p className="muted small" data-testid="scalars-not-shown">
          {view.notShown}
        </p>
      )}
      {view.groups.length === 0 && <p className="muted">No tag matches the filter.</p>}
      {view.groups.map((group) => (
        <div key={group.name} className="scalar-group" data-testid="scalar-group" data-group={group.name}>
          <button
            type="button"
            className="scalar-group-head"
            aria-expanded={!group.closed}
            onClick={() => change({ closed: toggledGroup(state.closed, group.name) })}
            data-testid="scalar-group-toggle"
          >
            <span className="caret">{group.closed ? '▸' : '▾'}</span> {group.name}{' '}
            <span className="muted small">
              {group.charts.length} tag{group.charts.length === 1 ? '' : 's'}
            </span>
          </button>
          {!group.closed && (
            <div className="scalar-grid">
              {group.charts.map((chart) => (
                <ScalarChart key={chart.tag} chart={chart} state={chartState} startWallTime={view.startWallTime} title={title} />
              ))}
            </div>
          )}
        </div>
      ))}
    </section>
  );
}
