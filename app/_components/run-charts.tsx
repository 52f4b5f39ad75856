'use client';
// The run page's curves: epoch-average training loss (solid), per-step loss (faint), validation per
// task (dashed; the run's own task in its strategy colour, earlier tasks in grey), markers at the
// best validation and where overfitting began, and the learning rate. Axis, smoothing and log-y
// live in the URL like on the compare page. A run still training gets its forecast (./run-forecast.tsx):
// a cone from its last point to its planned end, the incumbent's level, and the forecast panel.
import { useMemo } from 'react';
import { LogYToggle, SmoothingSlider, useChartUrlState, XAxisButtons } from './chart-controls';
import type { SeriesResponse } from '@/lib/api/schemas/series';
import { fileName } from '@/lib/views/report';
import type { ChartLine, ChartMarker } from '@/lib/views/chart-lines';
import { forecastOverlay } from '@/lib/views/forecast';
import { LineChart } from './line-chart';
import { ForecastPanel, shownForecast, useRunForecast } from './run-forecast';

const TASK_GREYS = ['#8d96a8', '#a7aebb', '#b9c0cc', '#cfd4dc'];

export interface RunChartsProps {
  runId: number;
  /** Written above the chart in its PNG download. */
  title?: string;
  ownTaskId: number | null;
  color: string;
  train: SeriesResponse;
  val: SeriesResponse;
  step: SeriesResponse;
  lr: SeriesResponse;
  x: 'epoch' | 'step' | 'time';
  smooth: number;
  log: boolean;
  markers: { kind: 'best' | 'overfit'; epoch: number; label: string }[];
  /** A run still training: its forecast is fetched and drawn (steps per epoch place an epoch forecast on the step axis). */
  forecast?: { stepsPerEpoch: number | null } | null;
}

export function RunCharts(props: RunChartsProps) {
  const { navigate, smooth, onSmooth, logY, onLogY } = useChartUrlState(props);

  const { lines, markers } = useMemo(() => lossLines(props), [props]);
  const forecastState = useRunForecast(props.runId, Boolean(props.forecast));
  const forecast = shownForecast(forecastState);
  const stepsPerEpoch = props.forecast?.stepsPerEpoch ?? null;
  const overlay = useMemo(
    () => (forecast ? forecastOverlay(forecast, { x: props.x, stepsPerEpoch, color: props.color, markers }) : null),
    [forecast, props.x, stepsPerEpoch, props.color, markers],
  );
  const cones = useMemo(() => (overlay?.cone ? [overlay.cone] : []), [overlay]);
  const references = useMemo(() => (overlay?.reference ? [overlay.reference] : []), [overlay]);
  const allMarkers = useMemo(
    () => (overlay && overlay.markers.length > 0 ? [...markers, ...overlay.markers] : markers),
    [overlay, markers],
  );
  const lrLines: ChartLine[] = props.lr.series.map((s) => ({ id: s.key, label: s.label, color: '#5d6677', points: s.points }));

  return (
    <div className="run-charts">
      <div className="controls">
        <XAxisButtons value={props.x} onChange={(x) => navigate({ x })} />
        <SmoothingSlider value={smooth} onChange={onSmooth} />
        <LogYToggle value={logY} onChange={onLogY} />
        <span className="spacer" />
        {(['train', 'val', 'step', 'lr'] as const).map((metric) => (
          <a
            key={metric}
            className="button secondary small"
            href={`/api/runs/${props.runId}/series?metric=${metric}&x=${props.x}&format=csv`}
            download
          >
            {metric} CSV
          </a>
        ))}
      </div>
      <LineChart
        lines={lines}
        markers={allMarkers}
        cones={cones}
        references={references}
        xAxis={props.x}
        logY={props.log}
        yLabel="loss"
        height={380}
        testId="run-loss-chart"
        pngName={fileName([`thaw-run-${props.runId}`, 'loss', props.x, props.log ? 'log' : null], 'png')}
        pngTitle={props.title ? `${props.title} · loss` : undefined}
      />
      <ForecastPanel state={forecastState} note={overlay?.note ?? null} />
      {[...props.train.notes, ...props.step.notes, ...props.val.notes].map((note) => (
        <p key={note} className="muted small">
          {note}
        </p>
      ))}
      {lrLines.length > 0 && (
        <LineChart
          lines={lrLines}
          xAxis={props.x}
          yLabel="learning rate"
          height={150}
          testId="run-lr-chart"
          pngName={fileName([`thaw-run-${props.runId}`, 'learning-rate', props.x], 'png')}
          pngTitle={props.title ? `${props.title} · learning rate` : undefined}
        />
      )}
    </div>
  );
}

function lossLines(props: RunChartsProps): { lines: ChartLine[]; markers: ChartMarker[] } {
  const lines: ChartLine[] = [];
  // Without epoch averages (step-based trainers such as LeRobot) the smoothed step loss is the main curve.
  const stepBased = props.train.series.every((s) => s.points.length === 0);
  for (const s of props.step.series) {
    lines.push({ id: 'step:raw', label: 'train loss per step (raw)', color: props.color, points: s.points, faint: true, width: 1 });
    if (s.smoothed)
      lines.push({
        id: 'step',
        label: 'train loss per step (smoothed)',
        color: props.color,
        points: s.smoothed,
        faint: !stepBased,
        width: stepBased ? 2.5 : 1.5,
      });
  }
  for (const s of props.train.series) {
    lines.push({
      id: 'train',
      label: 'train loss (epoch average)',
      color: props.color,
      points: s.points,
      width: 2.5,
      dots: s.points.length <= 80,
    });
  }
  let grey = 0;
  for (const s of props.val.series) {
    const own = s.taskId === props.ownTaskId;
    const color = own ? props.color : TASK_GREYS[grey++ % TASK_GREYS.length]!;
    lines.push({ id: s.key, label: s.label, color, points: s.points, dashed: true, dots: true, width: own ? 2.5 : 1.5 });
  }
  // Markers sit on the own-task validation curve.
  const ownVal = props.val.series.find((s) => s.taskId === props.ownTaskId && s.key.startsWith('val-'));
  const markers: ChartMarker[] = [];
  for (const m of props.markers) {
    const index = ownVal?.epochs?.indexOf(m.epoch) ?? -1;
    const point = index >= 0 ? ownVal?.points[index] : undefined;
    if (point && point[1] !== null)
      markers.push({ id: `marker-${m.kind}`, kind: m.kind, x: point[0], y: point[1], label: m.label, color: props.color });
  }
  return { lines, markers };
}
