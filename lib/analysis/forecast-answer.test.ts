import { describe, expect, it } from 'vitest';
import { BUILT_IN_CALIBRATIONS } from './forecast-calibration';
import { UNLIKELY_P, forecastRun, lossText } from './forecast-answer';
import { finishedCurve, type FinishedCurve, type ForecastRun } from './forecast-run';
import { makeRun, train, val } from './test-forecast';
import { loadSample } from './test-samples';

const calibration = BUILT_IN_CALIBRATIONS;
/** A validation curve that decays as c + a·epoch^(−b), optionally shifted. */
const curve = (epochs: number, c: number, a = 0.8, b = 0.7) =>
  Array.from({ length: epochs }, (_, i) => val(i + 1, c + a * Math.pow(i + 1, -b)));

function finishedRun(id: number, c: number, partial: Partial<ForecastRun> = {}): FinishedCurve {
  return finishedCurve(
    makeRun({ id, status: 'completed', epochsTotal: 30, series: { taskId: 1, epochs: [], validations: curve(30, c) }, ...partial }),
  )!;
}

describe('forecastRun', () => {
  const peers = [finishedRun(11, 0.1), finishedRun(12, 0.102), finishedRun(13, 0.104)];

  it('insufficient without any positive loss, with too few points, and without an incumbent', () => {
    expect(forecastRun(makeRun(), { calibration, finished: peers })).toMatchObject({
      verdict: 'insufficient',
      mean: null,
      reason: 'the run has logged no positive loss yet',
    });
    const few = forecastRun(makeRun({ epochsTotal: 30, series: { taskId: 1, epochs: [], validations: curve(3, 0.1) } }), {
      calibration,
      finished: peers,
    });
    expect(few).toMatchObject({ verdict: 'insufficient', mean: null, points: 3, fromX: 3, toX: 30, incumbent: { runId: 11 } });
    expect(few.sentence).toBe('Not enough to forecast yet: 3 of the 5 validation points a forecast needs.');
    const alone = forecastRun(makeRun({ epochsTotal: 30, series: { taskId: 1, epochs: [], validations: curve(10, 0.1) } }), {
      calibration,
      finished: [],
    });
    expect(alone).toMatchObject({ verdict: 'insufficient', incumbent: null, pBeat: null, minutesSaved: null });
    expect(alone.mean).not.toBeNull();
    expect(alone.sentence).toMatch(/no finished run of task 1 on this dataset to compare with yet\.$/);
  });

  it('a run headed far above the incumbent is unlikely to beat it; stopping saves the epochs left × its minutes per epoch', () => {
    const run = makeRun({ epochsTotal: 30, minutesPerEpoch: 12.5, series: { taskId: 1, epochs: [], validations: curve(12, 0.3) } });
    const f = forecastRun(run, { calibration, finished: peers });
    expect(f).toMatchObject({ metric: 'val', axis: 'epoch', fromX: 12, toX: 30, verdict: 'unlikely_to_beat', incumbent: { runId: 11 } });
    expect(f.pBeat!).toBeLessThan(UNLIKELY_P);
    expect(f.minutesSaved).toBeCloseTo(18 * 12.5, 9);
    expect(f.mean!).toBeGreaterThan(0.3);
    expect(f.sentence).toBe(
      `Likely ends at ${lossText(f.mean!)} (${lossText(f.lo!)}–${lossText(f.hi!)}); the best finished run of task 1 ended at ${lossText(f.incumbent!.value)}: ` +
        `${f.pBeat! < 0.01 ? 'under 1%' : `${Math.round(f.pBeat! * 100)}%`} chance to beat it — stopping now saves about 225 GPU-minutes.`,
    );
  });

  it('a run headed below the incumbent is on track, and saves nothing', () => {
    const run = makeRun({ epochsTotal: 30, minutesPerEpoch: 12.5, series: { taskId: 1, epochs: [], validations: curve(12, 0.05) } });
    const f = forecastRun(run, { calibration, finished: peers });
    expect(f.verdict).toBe('on_track');
    expect(f.pBeat!).toBeGreaterThan(0.5);
    expect(f.minutesSaved).toBeNull();
  });

  it('on steps, minutes per step come from the epoch timing, else from the step timing', () => {
    const steps = Array.from({ length: 40 }, (_, i) => ({ x: (i + 1) * 100, y: 0.5 + 2 / (i + 1), n: 1 }));
    const stepPeer = (id: number) =>
      finishedCurve(
        makeRun({ id, status: 'completed', totalSteps: 8000, steps: steps.map((p) => ({ ...p, x: p.x * 2, y: 0.1 + 2 / (p.x / 100) })) }),
      )!;
    const run = (partial: Partial<ForecastRun>) => makeRun({ totalSteps: 8000, steps, ...partial });
    const a = forecastRun(run({ minutesPerEpoch: 10, stepsPerEpoch: 100, minutesPerStep: 0.5 }), {
      calibration,
      finished: [stepPeer(21), stepPeer(22)],
    });
    expect(a).toMatchObject({ axis: 'step', verdict: 'unlikely_to_beat' });
    expect(a.minutesSaved).toBeCloseTo((8000 - 4000) * 0.1, 9);
    const b = forecastRun(run({ minutesPerStep: 0.5 }), { calibration, finished: [stepPeer(21), stepPeer(22)] });
    expect(b.minutesSaved).toBeCloseTo((8000 - 4000) * 0.5, 9);
    expect(forecastRun(run({}), { calibration, finished: [stepPeer(21)] }).minutesSaved).toBeNull();
  });

  it('a finished run without `at` ended where it ended', () => {
    const done = makeRun({
      id: 12,
      status: 'completed',
      epochsTotal: 30,
      series: { taskId: 1, epochs: [], validations: curve(30, 0.102) },
    });
    const f = forecastRun(done, { calibration, finished: peers });
    expect(f).toMatchObject({ at: 1, fromX: 30, toX: 30, lo: f.mean, hi: f.mean });
    expect(f.mean).toBeCloseTo(peers[1]!.level, 12);
    expect(f.sentence).toMatch(/^Ended at /);
    expect(f.path).toEqual([[30, f.mean, f.mean, f.mean]]);
  });

  it('an overfitting validation curve: the forecast says so, names the minimum and follows the rise (sample log, task 1)', () => {
    const sample = loadSample('sample_task1_unfreeze8_overfit');
    const run = makeRun({
      status: 'completed',
      epochsTotal: 50,
      series: { taskId: 1, epochs: sample.epochs, validations: sample.validations },
    });
    const f = forecastRun(run, { at: 0.6, calibration, finished: [] });
    expect(f.overfitting).toMatchObject({ epoch: 20 });
    expect(f.overfitting!.message).toMatch(/minimum of 0\.1\d* at epoch 20/);
    expect(f.method).toMatch(/^the rise since the validation minimum/);
    // How it ended: the mean of its points in the last 5% of its epochs (47.55…50).
    const tail = sample.validations.filter((v) => !v.final && v.taskId === 1 && v.epoch >= 47.55).map((v) => v.loss!);
    const end = tail.reduce((a, b) => a + b, 0) / tail.length;
    expect(f.lo!).toBeLessThanOrEqual(end);
    expect(f.hi!).toBeGreaterThanOrEqual(end);
    // A curve that has not turned yet carries no overfitting note.
    expect(forecastRun(run, { at: 0.3, calibration, finished: [] }).overfitting).toBeNull();
  });

  it('training loss per epoch when the run validates only at the end', () => {
    const run = makeRun({
      epochsTotal: 20,
      series: { taskId: 1, epochs: Array.from({ length: 8 }, (_, i) => train(i + 1, 1 / (i + 1))), validations: [val(8, 0.3, 1, true)] },
    });
    expect(forecastRun(run, { calibration, finished: [] })).toMatchObject({ metric: 'train', axis: 'epoch', toX: 20 });
  });
});

describe('same task and dataset: runs without a task id have their dataset as their task (lib/views/facets.ts)', () => {
  /** A LeRobot-like run: no task id, its dataset's repo_id, per-step loss decaying to `floor`. */
  const lerobot = (id: number, dataset: string, floor: number, partial: Partial<ForecastRun> = {}): ForecastRun =>
    makeRun({
      id,
      status: 'completed',
      taskId: null,
      dataset,
      datasetFrames: 12_005,
      totalSteps: 3000,
      series: { taskId: null, epochs: [], validations: [] },
      steps: Array.from({ length: 30 }, (_, i) => ({ x: (i + 1) * 100, y: floor + 0.8 * Math.pow(i + 1, -0.7), n: 1 })),
      ...partial,
    });
  // Same dataset size; only the dataset tells the pick runs from the place run (the best of all).
  const finished = [
    finishedCurve(lerobot(21, 'user/pick', 0.3))!,
    finishedCurve(lerobot(22, 'user/pick', 0.2))!,
    finishedCurve(lerobot(23, 'user/place', 0.05))!,
  ];
  const running = (id: number, dataset: string) =>
    lerobot(id, dataset, 0.25, { status: 'running', steps: lerobot(0, dataset, 0.25).steps.slice(0, 12) });

  it('a running run on one dataset finds the best finished run of that dataset as its incumbent', () => {
    const f = forecastRun(running(30, 'user/pick'), { calibration, finished });
    expect(f).toMatchObject({ metric: 'train', axis: 'step', toX: 3000, incumbent: { runId: 22 } });
    expect(f.incumbent!.value).toBeCloseTo(finished[1]!.level, 12);
    expect(f.pBeat).not.toBeNull();
    expect(f.sentence).toMatch(/; the best finished run on user\/pick ended at /);
  });

  it('a run on a dataset no finished run used has no incumbent, and says which dataset', () => {
    const f = forecastRun(running(31, 'user/fold'), { calibration, finished });
    expect(f).toMatchObject({ verdict: 'insufficient', incumbent: null, pBeat: null });
    expect(f.reason).toBe('no finished run on user/fold with a training curve per step');
    expect(f.sentence).toMatch(/; no finished run on user\/fold to compare with yet\.$/);
  });
});
