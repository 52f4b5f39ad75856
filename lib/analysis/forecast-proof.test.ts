// The forecast proven on learning curves: real training logs from public repositories
// (tests/fixtures/curves, sources in its README) and Thaw's own log fixtures. Every score is honest:
// each curve is judged by a calibration built WITHOUT its group (runs of one group are seeds or variants
// of one configuration, so leaving out only the run would let its twins calibrate it).
import { describe, expect, it } from 'vitest';
import { backtestCases, calibrationsFromCases, summarizeBacktest, type BacktestCase } from './backtest';
import { BUILT_IN_CALIBRATIONS } from './forecast-calibration';
import { forecastRun } from './forecast-answer';
import { endLevel, finishedCurve, runCurve } from './forecast-run';
import { loadProofCurves, type ProofCurve } from './test-curves';

const curves = loadProofCurves();
const byId = new Map(curves.map((c) => [c.run.id, c]));
const finished = new Map(curves.map((c) => [c.run.id, finishedCurve(c.run)!]));
const cases = backtestCases([...finished.values()]);
const groupOf = (c: BacktestCase) => byId.get(c.runId)!.group;

describe('the proof corpus', () => {
  it('holds enough real curves, with positive losses only', () => {
    const real = curves.filter((c) => c.real);
    expect(real.length).toBeGreaterThanOrEqual(30);
    expect(new Set(real.map((c) => c.group)).size).toBeGreaterThanOrEqual(6);
    for (const c of curves) {
      const curve = runCurve(c.run);
      expect(curve, c.name).not.toBeNull();
      expect(curve!.points.every((p) => p.y > 0)).toBe(true);
    }
    expect(cases.length).toBeGreaterThanOrEqual(120);
  });
});

describe('calibration and skill (leave one group out)', () => {
  const all = summarizeBacktest(cases, { leaveOut: groupOf, groupOf });
  const realCases = cases.filter((c) => byId.get(c.runId)!.real);
  const real = summarizeBacktest(realCases, { leaveOut: groupOf, groupOf });
  const absolute = summarizeBacktest(cases, { leaveOut: groupOf, groupOf, judge: 'absolute' });
  const peer = summarizeBacktest(cases, { leaveOut: groupOf, groupOf, judge: 'peer' });

  it('80% intervals cover the outcome in 65–95% of backtests', () => {
    for (const s of [all, real, absolute, peer]) {
      expect(s.overall.coverage).toBeGreaterThanOrEqual(0.65);
      expect(s.overall.coverage).toBeLessThanOrEqual(0.95);
    }
  });

  it('the median absolute error of log loss is at most 0.8× that of the naive forecast', () => {
    for (const s of [all, real, absolute, peer]) expect(s.overall.skill).toBeLessThanOrEqual(0.8);
  });

  it('reports (numbers for the record)', () => {
    const line = (name: string, s: typeof all) =>
      `${name}: ${s.overall.cases} backtests of ${s.overall.runs} curves, coverage ${s.overall.coverage!.toFixed(3)}, ` +
      `skill ${s.overall.skill!.toFixed(3)} (median |log error| ${s.overall.medianAbsLogError!.toFixed(4)} vs naive ${s.overall.naiveMedianAbsLogError!.toFixed(4)}); ` +
      s.byFraction.map((f) => `F=${f.at}: ${f.coverage?.toFixed(2)}/${f.skill?.toFixed(2)}`).join(', ');
    console.log(line('all curves, as served', all));
    console.log(line('real curves, as served', real));
    console.log(line('all curves, absolute forecasts', absolute));
    console.log(line('all curves, peer-corrected forecasts', peer));
    expect(all.groups.length).toBeGreaterThan(10);
  });
});

describe('the run that ends best in its group', () => {
  const groups = new Map<string, ProofCurve[]>();
  for (const c of curves) groups.set(c.group, [...(groups.get(c.group) ?? []), c]);
  const fractions = Array.from({ length: 20 }, (_, i) => (i + 1) / 20);

  for (const [group, members] of [...groups].filter(([, m]) => m.length >= 2)) {
    it(`${group}: is never unlikely_to_beat, at any F`, () => {
      const peers = members.map((m) => finished.get(m.run.id)!);
      const best = [...members].sort((a, b) => endLevel(runCurve(a.run)!)! - endLevel(runCurve(b.run)!)!)[0]!;
      const calibration = calibrationsFromCases(cases.filter((c) => groupOf(c) !== group));
      for (const at of fractions) {
        const forecast = forecastRun(best.run, { at, calibration, finished: peers });
        expect(forecast.incumbent, `${best.name} at ${at}`).not.toBeNull();
        expect(forecast.verdict, `${best.name} at F=${at}: ${forecast.sentence}`).not.toBe('unlikely_to_beat');
      }
    });
  }
});

describe('the built-in calibration', () => {
  it('is the calibration of the proof corpus (regenerate: scripts/forecast-calibration.ts)', () => {
    const fresh = calibrationsFromCases(cases);
    for (const kind of ['absolute', 'peer'] as const) {
      const built = BUILT_IN_CALIBRATIONS[kind];
      expect(fresh[kind].source).toBe('finished_runs');
      expect({ runs: built.runs, cases: built.cases, tau: built.tau, rho: built.rho, n: built.z.length }).toEqual({
        runs: fresh[kind].runs,
        cases: fresh[kind].cases,
        tau: fresh[kind].tau,
        rho: fresh[kind].rho,
        n: fresh[kind].z.length,
      });
      fresh[kind].z.forEach((z, i) => expect(built.z[i], `${kind} z[${i}]`).toBeCloseTo(z, 2));
    }
  });
});
