// What the pages show of a forecast (lib/analysis/forecast-answer.ts makes it; GET /api/runs/:id/forecast,
// /api/forecasts and /api/forecasts/backtest carry it): the cone, the incumbent's line and the
// overfitting marker on a run's loss chart, the run page's forecast panel, the runs table's forecast
// cell and the strategies page's "How good are forecasts here" rows. Pure. Nothing is re-derived here:
// the sentence, verdict, pBeat, interval and minutes come from the API as they are; only their words
// and places are decided.
import { chanceText, lossText } from '../analysis/format';
import { MIN_CALIBRATION_CASES } from '../analysis/forecast-limits';
import type { ForecastBacktestResponse, ForecastResponse } from '../api/schemas/forecast';
import type { XAxis } from './axes';
import type { ChartCone, ChartMarker, ChartReference } from './chart-lines';

type Forecast = ForecastResponse;
export type Tone = 'ok' | 'warn' | 'muted';

/** The incumbent's line: the muted grey of secondary lines. */
export const INCUMBENT_COLOR = '#5d6677';

/** A forecast's x (epoch or step) on a chart's x axis; null where it has no place there (wall time). */
export function forecastX(x: number, axis: Forecast['axis'], chartX: XAxis, stepsPerEpoch: number | null): number | null {
  if (chartX === axis) return x;
  if (chartX === 'time' || stepsPerEpoch === null || stepsPerEpoch <= 0) return null;
  return chartX === 'step' ? x * stepsPerEpoch : x / stepsPerEpoch;
}

export interface ForecastOverlay {
  cone: ChartCone | null;
  reference: ChartReference | null;
  markers: ChartMarker[];
  /** Why the cone is not on this chart (null when it is, or when there is nothing to draw). */
  note: string | null;
}

/**
 * What a run's loss chart draws of its forecast: the cone from the last point to the planned end (on
 * the epoch or step axis, never on wall time), the incumbent's final level across the chart, and the
 * validation minimum an overfitting forecast follows the rise from (unless a marker is already there).
 */
export function forecastOverlay(
  f: Forecast,
  chart: { x: XAxis; stepsPerEpoch: number | null; color: string; markers?: readonly Pick<ChartMarker, 'x'>[] },
): ForecastOverlay {
  const at = (x: number) => forecastX(x, f.axis, chart.x, chart.stepsPerEpoch);
  let cone: ChartCone | null = null;
  let note: string | null = null;
  if (f.path.length >= 2) {
    const points = f.path.map(([x, central, lo, hi]) => [at(x), central, lo, hi] as const);
    if (points.every((p) => p[0] !== null)) {
      cone = {
        id: 'forecast',
        color: chart.color,
        label: `forecast of the ${f.metric === 'val' ? 'validation' : 'training'} loss (80% interval)`,
        points: points.map(([x, central, lo, hi]) => [x!, central, lo, hi]),
      };
    } else {
      note =
        chart.x === 'time'
          ? 'The forecast cone is drawn on the epoch and step axes, not on wall time.'
          : `The forecast is per ${f.axis} and this run's steps per epoch are unknown: its cone is drawn on the ${f.axis} axis.`;
    }
  }
  const reference: ChartReference | null = f.incumbent
    ? {
        id: 'incumbent',
        y: f.incumbent.value,
        label: `best finished run #${f.incumbent.runId}: ${lossText(f.incumbent.value)}`,
        color: INCUMBENT_COLOR,
        href: `/runs/${f.incumbent.runId}`,
      }
    : null;
  const markers: ChartMarker[] = [];
  if (f.overfitting) {
    const x = at(f.overfitting.epoch);
    if (x !== null && !(chart.markers ?? []).some((m) => Math.abs(m.x - x) < 1e-9))
      markers.push({
        id: 'marker-forecast-overfit',
        kind: 'overfit',
        x,
        y: f.overfitting.value,
        label: f.overfitting.message,
        color: chart.color,
      });
  }
  return { cone, reference, markers, note };
}

const VERDICT_TEXT: Record<Forecast['verdict'], string> = {
  on_track: 'on track',
  unlikely_to_beat: 'unlikely to beat',
  insufficient: 'no verdict yet',
};
const VERDICT_TONE: Record<Forecast['verdict'], Tone> = { on_track: 'ok', unlikely_to_beat: 'warn', insufficient: 'muted' };

/** Said when the interval comes from Thaw's built-in backtests rather than this installation's runs. */
export const BUILT_IN_NOTE = `The 80% interval is calibrated on Thaw's built-in backtests of real learning curves: there are fewer than ${MIN_CALIBRATION_CASES} backtests of this installation's own finished runs yet.`;

export interface ForecastPanelView {
  verdict: { tone: Tone; text: string; title: string };
  sentence: string;
  incumbent: { href: string; text: string } | null;
  /** The minimum an overfitting forecast follows the rise from (the sentence says why; this names where). */
  overfitting: string | null;
  /** BUILT_IN_NOTE when the interval is calibrated on the built-in curves, else null. */
  calibration: string | null;
  /** How the forecast was made (the sentence's tooltip). */
  method: string;
}

/** The run page's forecast panel. */
export function forecastPanel(f: Forecast): ForecastPanelView {
  return {
    verdict: {
      tone: VERDICT_TONE[f.verdict],
      text: VERDICT_TEXT[f.verdict],
      title: f.verdict === 'insufficient' ? (f.reason ?? f.sentence) : `${chanceText(f.pBeat ?? 0)} chance to beat the best finished run`,
    },
    sentence: f.sentence,
    incumbent: f.incumbent
      ? { href: `/runs/${f.incumbent.runId}`, text: `run #${f.incumbent.runId}, which ended at ${lossText(f.incumbent.value)}` }
      : null,
    overfitting: f.overfitting
      ? `validation bottomed at ${lossText(f.overfitting.value)} at epoch ${f.overfitting.epoch}; the forecast follows the rise since`
      : null,
    calibration: f.mean !== null && f.calibration.source === 'built_in' ? BUILT_IN_NOTE : null,
    method: f.method,
  };
}

export interface ForecastCellView {
  /** The central value at the planned end, and its interval (hover). */
  value: string | null;
  valueTitle: string | null;
  badge: { tone: Tone; text: string; title: string };
}

/** The runs table's forecast cell of a running run. */
export function forecastCell(f: Forecast): ForecastCellView {
  const value = f.mean === null ? null : lossText(f.mean);
  const valueTitle =
    f.mean === null || f.lo === null || f.hi === null || f.toX === null
      ? null
      : `80% interval ${lossText(f.lo)}–${lossText(f.hi)} at ${f.axis} ${f.toX.toLocaleString('en-US')} (${f.metric === 'val' ? 'validation' : 'training'} loss)`;
  let badge: ForecastCellView['badge'];
  if (f.verdict === 'unlikely_to_beat')
    badge = {
      tone: 'warn',
      text:
        f.minutesSaved !== null
          ? `stop: saves ~${Math.round(f.minutesSaved).toLocaleString('en-US')} min`
          : `unlikely · ${chanceText(f.pBeat ?? 0)}`,
      title: f.sentence,
    };
  else if (f.verdict === 'on_track') badge = { tone: 'ok', text: `on track · ${chanceText(f.pBeat ?? 0)}`, title: f.sentence };
  else badge = { tone: 'muted', text: '—', title: f.reason ?? f.sentence };
  return { value, valueTitle, badge };
}

/** Coverage of the 80% interval that reads as honest (the issue's calibration bounds). */
export const HONEST_COVERAGE: readonly [number, number] = [0.65, 0.95];

export interface BacktestRowView {
  key: string;
  label: string;
  runs: number;
  cases: number;
  coverage: { text: string; tone: Tone; title: string };
  /** The median error as a typical percentage off ("±12%"). */
  error: { text: string; title: string };
  skill: { text: string; tone: Tone; title: string };
}

type Score = ForecastBacktestResponse['overall'];

const pct = (v: number) => `${Math.round(v * 100)}%`;

function scoreRow(key: string, label: string, s: Score): BacktestRowView {
  const coverage =
    s.coverage === null
      ? { text: '–', tone: 'muted' as const, title: 'no backtest yet' }
      : {
          text: pct(s.coverage),
          tone: s.coverage >= HONEST_COVERAGE[0] && s.coverage <= HONEST_COVERAGE[1] ? ('ok' as const) : ('warn' as const),
          title: `the 80% interval held the outcome in ${Math.round(s.coverage * s.cases)} of ${s.cases} backtests (honest: about 80%)`,
        };
  const error =
    s.medianAbsLogError === null
      ? { text: '–', title: '' }
      : {
          text: `±${pct(Math.exp(s.medianAbsLogError) - 1)}`,
          title: `median |log outcome − log forecast| ${s.medianAbsLogError.toFixed(3)}${s.naiveMedianAbsLogError === null ? '' : ` (assuming the loss stays put: ${s.naiveMedianAbsLogError.toFixed(3)})`}`,
        };
  const skill =
    s.skill === null
      ? { text: '–', tone: 'muted' as const, title: 'no naive error to compare with' }
      : {
          text: `${s.skill.toFixed(2)}×`,
          tone: s.skill < 1 ? ('ok' as const) : ('warn' as const),
          title: `errors ${s.skill.toFixed(2)}× those of assuming the loss stays where it is (lower is better)`,
        };
  return { key, label, runs: s.runs, cases: s.cases, coverage, error, skill };
}

export interface BacktestPanelView {
  rows: BacktestRowView[];
  overall: BacktestRowView | null;
  /** "From 25% of a run: 72% held · from 50%: …". */
  fractions: string | null;
  calibration: string;
  note: string;
}

/** The strategies page's "How good are forecasts here" panel. */
export function backtestPanel(b: ForecastBacktestResponse): BacktestPanelView {
  const rows = b.tasks.map((t) => scoreRow(t.key, t.label, t));
  const fractions = b.byFraction
    .filter((f) => f.coverage !== null)
    .map(
      (f, i) =>
        `${i === 0 ? 'From' : 'from'} ${pct(f.at)} of a run: ${pct(f.coverage!)} held (${f.cases} backtest${f.cases === 1 ? '' : 's'})`,
    )
    .join(' · ');
  const a = b.calibration.absolute;
  return {
    rows,
    overall: rows.length > 1 ? scoreRow('overall', 'all tasks', b.overall) : null,
    fractions: fractions === '' ? null : fractions,
    calibration:
      a.source === 'built_in'
        ? BUILT_IN_NOTE.replace('The 80% interval is', 'Intervals are')
        : `Intervals are calibrated on ${a.cases} backtests of ${a.runs} finished runs here.`,
    note: b.note,
  };
}
