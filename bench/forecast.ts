// The forecast engine, pure, on this process's CPU:
// - forecast_p95: GET /api/runs/:id/forecast's computation for one run with 100,000 per-step losses
//   (raw points, no summary: the worst case; the query layer merges a run's step summary to at most
//   1,024 weighted points first), against five finished runs of its task and strategy whose backtest
//   points are computed (as the query layer keeps them per run version); p95 of 60 after 5 warm-ups;
//   target ≤ 50 ms.
// - forecast_backtest_per_run (informational): the fits a finished run costs once per version (its three
//   backtest points, forecast from 25, 50 and 75%), mean over 60 runs of 30 validation epochs and 60 of
//   1,024 step points: what the first forecast after a start pays per finished run.
import { mulberry32 } from '../testkit/random';
import { BUILT_IN_CALIBRATIONS } from '../lib/analysis/forecast-calibration';
import { forecastRun } from '../lib/analysis/forecast-answer';
import { PEER_GRID, finishedCurve, forecastFraction, gridAround, type ForecastRun } from '../lib/analysis/forecast-run';
import type { WeightedPoint } from '../lib/analysis/forecast';
import { percentile, round, type Figure } from './support';

const POINTS = 100_000;
const TOTAL_STEPS = 150_000;

/** A LeRobot-like per-step loss: a power-law decay with 8% multiplicative noise and rare spikes. */
function stepCurve(seed: number, n: number, every = 1): WeightedPoint[] {
  const random = mulberry32(seed);
  const out: WeightedPoint[] = [];
  for (let i = 1; i <= n; i++) {
    const step = i * every;
    const noise = Math.exp(0.08 * (random() + random() + random() - 1.5) * 2);
    const spike = random() < 0.001 ? 5 : 1;
    out.push({ x: step, y: (0.04 + 3 * Math.pow(step, -0.45)) * noise * spike, n: 1 });
  }
  return out;
}

function run(id: number, partial: Partial<ForecastRun>): ForecastRun {
  return {
    id,
    status: 'completed',
    taskId: 1,
    datasetFrames: 12_005,
    epochsTotal: null,
    totalSteps: TOTAL_STEPS,
    stepsPerEpoch: null,
    series: { epochs: [], validations: [], taskId: 1 },
    steps: [],
    minutesPerEpoch: null,
    minutesPerStep: 0.006,
    ...partial,
  };
}

export function benchForecast(): Promise<Figure[]> {
  const running = run(1, { status: 'running', steps: stepCurve(1, POINTS) });
  // Five finished peers (1,024 points each, as the query layer gives them), their points around the
  // running run's fraction computed beforehand, as the per-version cache holds them.
  const peers = [2, 3, 4, 5, 6].map((id) => finishedCurve(run(id, { steps: stepCurve(id, 1024, TOTAL_STEPS / 1024) }))!);
  const { k0, k1 } = gridAround(forecastFraction(running)!);
  for (const peer of peers) for (const k of [k0, k1, 5, 10, 15]) peer.point(k);
  const times: number[] = [];
  for (let i = 0; i < 65; i++) {
    const started = performance.now();
    const forecast = forecastRun(running, { calibration: BUILT_IN_CALIBRATIONS, finished: peers });
    const elapsed = performance.now() - started;
    if (forecast.mean === null) throw new Error('the bench run got no forecast');
    if (i >= 5) times.push(elapsed);
  }
  const p95 = percentile(times, 95);

  const finished = [
    ...Array.from({ length: 60 }, (_, i) =>
      run(100 + i, {
        epochsTotal: 30,
        series: {
          epochs: [],
          taskId: 1,
          validations: Array.from({ length: 30 }, (_, e) => ({
            epoch: e + 1,
            final: false,
            taskId: 1,
            loss: 0.03 + 0.8 * Math.pow(e + 1, -0.8) * (1 + 0.02 * Math.sin(i + e)),
          })),
        },
      }),
    ),
    ...Array.from({ length: 60 }, (_, i) => run(200 + i, { steps: stepCurve(200 + i, 1024, TOTAL_STEPS / 1024) })),
  ];
  const started = performance.now();
  for (const r of finished) {
    const curve = finishedCurve(r)!;
    for (const at of [0.25, 0.5, 0.75]) curve.point(Math.round(at * PEER_GRID));
  }
  const perRun = (performance.now() - started) / finished.length;
  return Promise.resolve([
    {
      name: 'forecast_p95',
      value: round(p95, 1),
      unit: 'ms',
      limit: 50,
      ratio: round(p95 / 50),
      target: `p95 ≤ 50 ms for one run of ${POINTS.toLocaleString('en-US')} points`,
      met: p95 <= 50,
    },
    {
      name: 'forecast_backtest_per_run',
      value: round(perRun, 1),
      unit: 'ms',
      limit: null,
      ratio: null,
      target: 'informational: fits per finished run, once per run version',
    },
  ]);
}
