'use client';
// One tag's small chart in the Scalars section: its points are fetched when the chart first comes into
// view (a run can have hundreds of tags), again when the tag grows (live), and drawn by LineChart with
// its folders overlaid. Under it: each folder's count, steps and last value, and its CSV (every point).
import { useEffect, useMemo, useRef, useState } from 'react';
import type { ScalarPointsResponse } from '@/lib/api/schemas/scalars';
import { fmtScalar } from '@/lib/views/format';
import type { ScalarPoint } from '@/lib/views/scalar-points';
import { chartAxisOf, scalarChartLines, seriesSummaryText, type ScalarChartView, type ScalarsViewState } from '@/lib/views/scalars-section';
import { LineChart } from '../../_components/line-chart';

/** Fetches once the element has been on screen (or at once where IntersectionObserver is missing). */
function useSeen(): [React.RefObject<HTMLDivElement | null>, boolean] {
  const ref = useRef<HTMLDivElement | null>(null);
  const [seen, setSeen] = useState(false);
  useEffect(() => {
    if (seen) return;
    const element = ref.current;
    if (!element || typeof IntersectionObserver === 'undefined') {
      setSeen(true);
      return;
    }
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) setSeen(true);
      },
      { rootMargin: '400px' },
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, [seen]);
  return [ref, seen];
}

export function ScalarChart({
  chart,
  state,
  startWallTime,
  title,
}: {
  chart: ScalarChartView;
  state: Pick<ScalarsViewState, 'axis' | 'smooth' | 'log'>;
  startWallTime: number | null;
  /** Written above the chart in its PNG. */
  title: string;
}) {
  const [ref, seen] = useSeen();
  const [points, setPoints] = useState<Map<string, ScalarPoint[]>>(new Map());
  const [error, setError] = useState<string | null>(null);
  // A tag that grew (live) is fetched again: the key changes with its count and last step.
  const key = chart.series.map((s) => `${s.pointsUrl}#${s.summary.count}@${s.summary.lastStep}`).join('|');

  useEffect(() => {
    if (!seen) return;
    let alive = true;
    Promise.all(
      chart.series.map(async (s) => {
        const response = await fetch(s.pointsUrl, { cache: 'no-store' });
        if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
        return [s.dir, ((await response.json()) as ScalarPointsResponse).points] as const;
      }),
    )
      .then((entries) => {
        if (!alive) return;
        setPoints(new Map(entries));
        setError(null);
      })
      .catch((failure: unknown) => {
        if (alive) setError(failure instanceof Error ? failure.message : String(failure));
      });
    return () => {
      alive = false;
    };
    // `key` stands for the series (their URLs and sizes): a new render with the same tags does not fetch again.
  }, [seen, key]);

  const lines = useMemo(
    () =>
      scalarChartLines(
        chart.series.filter((s) => points.has(s.dir)).map((s) => ({ view: s, points: points.get(s.dir)! })),
        state,
        startWallTime,
        chart.axis,
      ),
    [chart.series, chart.axis, points, state, startWallTime],
  );

  return (
    <div
      ref={ref}
      className="scalar-card"
      data-testid="scalar-card"
      data-tag={chart.tag}
      data-axis={chart.axis}
      data-loaded={points.size > 0 ? '1' : '0'}
    >
      <div className="scalar-card-head">
        <strong className="mono small">{chart.tag}</strong>
      </div>
      {error ? (
        <p className="error-note small">Could not load the points: {error}</p>
      ) : (
        <LineChart
          lines={lines}
          xAxis={chartAxisOf(state.axis, chart.axis)}
          logY={state.log}
          yLabel={chart.tag.split('/').at(-1) ?? chart.tag}
          height={210}
          testId="scalar-chart"
          pngName={chart.pngName}
          pngTitle={`${title} · ${chart.tag}`}
          hint={false}
        />
      )}
      <ul className="scalar-series small">
        {chart.series.map((s) => (
          <li key={s.dir} data-testid="scalar-series" data-dir={s.dir}>
            <span className="swatch" style={{ background: s.color }} /> {seriesSummaryText(s, fmtScalar, chart.axis)}{' '}
            <a href={s.csvUrl} download data-testid="scalar-csv">
              CSV
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}
