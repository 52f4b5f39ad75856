import { describe, expect, it } from 'vitest';
import {
  BACKTEST_FRACTIONS,
  MAX_QUANTILES,
  MIN_CALIBRATION_CASES,
  RHO_GRID,
  TAU_GRID,
  backtestCases,
  calibrationFromCases,
  calibrationsFromCases,
  caseZ,
  servedCases,
  summarizeBacktest,
  type BacktestCase,
} from './backtest';
import { BUILT_IN_CALIBRATIONS } from './forecast-calibration';
import { finishedCurve } from './forecast-run';
import { lastLayers, makeRun, val } from './test-forecast';

function finished(id: number, c: number, layers = 6, epochs = 24) {
  const validations = Array.from({ length: epochs }, (_, i) => val(i + 1, c + 0.8 * Math.pow(i + 1, -0.6) + 0.002 * Math.sin(id + i)));
  return finishedCurve(makeRun({ id, status: 'completed', strategy: lastLayers(layers), series: { taskId: 1, epochs: [], validations } }))!;
}

function syntheticCase(runId: number, z: number, partial: Partial<BacktestCase> = {}): BacktestCase {
  return {
    kind: 'absolute',
    runId,
    facet: 'task1|frames1',
    metric: 'val',
    axis: 'epoch',
    at: 0.5,
    logRaw: 0,
    noise: 0.1,
    pace: 0,
    logHorizon: 0,
    logOutcome: 0.1 * z,
    logNaive: 0.5,
    shift: 0,
    spread: 0,
    peers: 0,
    ...partial,
  };
}

describe('backtestCases', () => {
  it('three absolute cases per finished run, and a peer case where runs of its strategy finished too', () => {
    const runs = [finished(1, 0.1), finished(2, 0.11), finished(3, 0.3, 10)];
    const cases = backtestCases(runs);
    expect(cases.filter((c) => c.kind === 'absolute')).toHaveLength(3 * BACKTEST_FRACTIONS.length);
    const peer = cases.filter((c) => c.kind === 'peer');
    expect(peer.map((c) => c.runId).sort()).toEqual([1, 1, 1, 2, 2, 2]);
    for (const c of peer) expect(c.peers).toBe(1);
    expect(servedCases(cases)).toHaveLength(9);
    expect(servedCases(cases).filter((c) => c.kind === 'peer')).toHaveLength(6);
  });

  it('a run too short to forecast from 25% gives no case there', () => {
    expect(backtestCases([finished(1, 0.1, 6, 12)]).map((c) => c.at)).toEqual([0.5, 0.75]);
  });
});

describe('calibrationFromCases', () => {
  it(`falls back below ${MIN_CALIBRATION_CASES} cases`, () => {
    const few = Array.from({ length: MIN_CALIBRATION_CASES - 1 }, (_, i) => syntheticCase(i, i));
    expect(calibrationFromCases(few, BUILT_IN_CALIBRATIONS.absolute)).toBe(BUILT_IN_CALIBRATIONS.absolute);
    expect(calibrationsFromCases(few)).toEqual(BUILT_IN_CALIBRATIONS);
  });

  it('keeps sorted z (at most MAX_QUANTILES), weights from the grids, and covers 80% of its own cases', () => {
    const cases = Array.from({ length: 1000 }, (_, i) => syntheticCase(i, Math.sin(i * 12.9898) * 3));
    const calibration = calibrationFromCases(cases, BUILT_IN_CALIBRATIONS.absolute);
    expect(calibration).toMatchObject({ source: 'finished_runs', runs: 1000, cases: 1000 });
    expect(calibration.z.length).toBe(MAX_QUANTILES);
    expect([...calibration.z].sort((a, b) => a - b)).toEqual(calibration.z);
    expect(TAU_GRID).toContain(calibration.tau);
    expect(RHO_GRID).toContain(calibration.rho);
    const z = cases.map((c) => caseZ(c, calibration));
    const lo = calibration.z[Math.round(0.1 * (MAX_QUANTILES - 1))]!;
    const hi = calibration.z[Math.round(0.9 * (MAX_QUANTILES - 1))]!;
    const inside = z.filter((v) => v >= lo && v <= hi).length / z.length;
    expect(inside).toBeGreaterThan(0.77);
    expect(inside).toBeLessThan(0.83);
  });
});

describe('summarizeBacktest', () => {
  it("judges each case by a calibration that left its run out: a run's own outlier is not inside its own interval", () => {
    const cases = [...Array.from({ length: 60 }, (_, i) => syntheticCase(i, (i % 10) - 4.5)), syntheticCase(99, 50)];
    const summary = summarizeBacktest(cases, { groupOf: (c) => (c.runId === 99 ? 'outlier' : 'rest') });
    const outlier = summary.groups.find((g) => g.key === 'outlier')!;
    expect(outlier.coverage).toBe(0);
    expect(summary.overall.cases).toBe(61);
    expect(summary.overall.coverage!).toBeGreaterThan(0.6);
    expect(summary.byFraction.map((f) => f.at)).toEqual([...BACKTEST_FRACTIONS]);
  });

  it('skill is the median error over that of the naive forecast', () => {
    const cases = Array.from({ length: 40 }, (_, i) => syntheticCase(i, 0, { logNaive: 1, logOutcome: 0 }));
    const summary = summarizeBacktest(cases, { judge: 'absolute' });
    expect(summary.overall.naiveMedianAbsLogError).toBe(1);
    expect(summary.overall.skill!).toBeLessThan(0.05);
  });
});
