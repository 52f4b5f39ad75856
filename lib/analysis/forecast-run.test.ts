import { describe, expect, it } from 'vitest';
import {
  PEER_GRID,
  correctingPeers,
  facetPeers,
  finishedCurve,
  forecastFraction,
  gridAround,
  incumbentOf,
  peerShift,
  runCurve,
  type BacktestPoint,
  type FinishedCurve,
} from './forecast-run';
import { lastLayers, makeRun, train, val } from './test-forecast';

describe('runCurve: the deciding curve', () => {
  it.each([
    [
      'own-task per-epoch validation when the run validates',
      makeRun({
        epochsTotal: 30,
        series: { taskId: 2, epochs: [train(1, 0.5)], validations: [val(1, 0.9, 1), val(1, 0.7, 2), val(2, 0.6, 2), val(3, 0.5, 2, true)] },
      }),
      { metric: 'val', axis: 'epoch', xs: [1, 2], plannedEnd: 30 },
    ],
    [
      'epoch training loss when it does not (final-only validation is not a curve)',
      makeRun({
        epochsTotal: 10,
        series: { taskId: 1, epochs: [train(1, 0.5), train(2, null), train(3, 0.3)], validations: [val(3, 0.4, 1, true)] },
      }),
      { metric: 'train', axis: 'epoch', xs: [1, 3], plannedEnd: 10 },
    ],
    [
      'per-step loss without epoch losses (LeRobot): planned end totalSteps',
      makeRun({
        totalSteps: 30_000,
        steps: [
          { x: 200, y: 0.9, n: 1 },
          { x: 400, y: 0, n: 1 },
          { x: 600, y: 0.8, n: 1 },
        ],
      }),
      { metric: 'train', axis: 'step', xs: [200, 600], plannedEnd: 30_000 },
    ],
    [
      'per-step planned end from epochs × steps per epoch',
      makeRun({ epochsTotal: 5, stepsPerEpoch: 100, steps: [{ x: 1, y: 0.9, n: 1 }] }),
      { metric: 'train', axis: 'step', xs: [1], plannedEnd: 500 },
    ],
  ])('%s', (_name, run, expected) => {
    const curve = runCurve(run)!;
    expect({ metric: curve.metric, axis: curve.axis, xs: curve.points.map((p) => p.x), plannedEnd: curve.plannedEnd }).toEqual(expected);
  });

  it('none without any positive loss', () => {
    expect(runCurve(makeRun({ series: { taskId: 1, epochs: [train(1, -0.2)], validations: [val(1, null)] } }))).toBeNull();
  });
});

const point = (logRaw: number, logOutcome: number): BacktestPoint => ({
  logRaw,
  logOutcome,
  logNaive: 0,
  noise: 0.01,
  pace: 0.1,
  logHorizon: 0.5,
});

function finished(id: number, partial: Partial<FinishedCurve> = {}, errors: Record<number, number> = {}): FinishedCurve {
  return {
    id,
    facet: 'task1|frames1000',
    strategyKey: 'a',
    metric: 'val',
    axis: 'epoch',
    level: 0.2,
    levelNoise: 0,
    point: (k) => (k in errors ? point(0, errors[k]!) : null),
    ...partial,
  };
}

describe('peers and the incumbent', () => {
  const run = makeRun({ id: 1 });
  const curve = { metric: 'val' as const, axis: 'epoch' as const };
  const all = [
    finished(1, { level: 0.01 }), // the run itself
    finished(2, { level: 0.3 }),
    finished(3, { level: 0.2 }),
    finished(4, { level: 0.2 }),
    finished(5, { level: 0.1, facet: 'task1|frames2000' }), // another dataset
    finished(6, { level: 0.1, metric: 'train' }), // another curve
  ];

  it('the finished runs of the same facet, metric and axis, without the run itself; the lowest level wins, ties to the lower id', () => {
    const peers = facetPeers(run, curve, all);
    expect(peers.map((p) => p.id)).toEqual([2, 3, 4]);
    expect(incumbentOf(peers)).toEqual({ runId: 3, value: 0.2 });
    expect(incumbentOf([])).toBeNull();
  });

  it('only peers of the same strategy correct a forecast', () => {
    const six = finishedCurve(
      makeRun({ id: 7, status: 'completed', strategy: lastLayers(6), series: { taskId: 1, epochs: [], validations: [val(1, 0.5)] } }),
    )!;
    const ten = finishedCurve(
      makeRun({ id: 8, status: 'completed', strategy: lastLayers(10), series: { taskId: 1, epochs: [], validations: [val(1, 0.5)] } }),
    )!;
    expect(correctingPeers(makeRun({ strategy: lastLayers(6) }), [six, ten]).map((p) => p.id)).toEqual([7]);
  });

  it('a running run is no peer', () => {
    expect(finishedCurve(makeRun({ status: 'running', series: { taskId: 1, epochs: [], validations: [val(1, 0.5)] } }))).toBeNull();
    expect(finishedCurve(makeRun({ status: 'stopped', series: { taskId: 1, epochs: [], validations: [val(1, 0.5)] } }))).not.toBeNull();
  });
});

describe('gridAround, peerShift, forecastFraction', () => {
  it.each([
    [0.5, { k0: 10, k1: 10, w: 0 }],
    [0.525, { k0: 10, k1: 11, w: 0.5 }],
    [0.01, { k0: 1, k1: 1, w: 0 }],
    [0.999, { k0: PEER_GRID - 1, k1: PEER_GRID - 1, w: 0 }],
  ])('gridAround(%f)', (f, expected) => {
    const got = gridAround(f);
    expect(got.k0).toBe(expected.k0);
    expect(got.k1).toBe(expected.k1);
    expect(got.w).toBeCloseTo(expected.w, 9);
  });

  it('the median error of the peers at the fraction (interpolated), and their spread', () => {
    const peers = [finished(2, {}, { 10: 0.1, 11: 0.3 }), finished(3, {}, { 10: 0.2, 11: 0.2 }), finished(4, {}, { 10: 0.6, 11: 0.6 })];
    const on = peerShift(peers, 0.5)!;
    expect(on.shift).toBeCloseTo(0.2, 12);
    expect(on.spread).toBeCloseTo(Math.sqrt((0.01 + 0 + 0.16) / 2), 12);
    expect(on.peers).toBe(3);
    expect(peerShift(peers, 0.525)!.shift).toBeCloseTo(0.2, 12); // 0.2, 0.2, 0.6
    expect(peerShift([finished(5)], 0.5)).toBeNull();
    expect(peerShift([finished(6, {}, { 10: 0.4 })], 0.5)).toEqual({ shift: 0.4, spread: 0, peers: 1 });
  });

  it('forecastFraction: how far along its target the seen part stands', () => {
    const run = makeRun({ epochsTotal: 21, series: { taskId: 1, epochs: [], validations: [1, 2, 3, 4, 5, 6].map((e) => val(e, 1 / e)) } });
    expect(forecastFraction(run)).toBeCloseTo(5 / 20, 12);
    const done = { ...run, status: 'completed' };
    expect(forecastFraction(done)).toBeNull();
    expect(forecastFraction(done, 0.5)).toBeCloseTo(2 / 5, 12); // x ≤ 1 + 0.5·5 = 3.5 → x_s = 3, target 6: (3 − 1)/(6 − 1)
  });
});
