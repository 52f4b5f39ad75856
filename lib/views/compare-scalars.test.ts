// Any TensorBoard scalar on the compare page (./compare-scalars.ts): a run's curve only on the axis its
// tag counts, the notes naming the runs left out, and a group's mean over the runs that have the tag.
import { describe, expect, it } from 'vitest';
import type { TagPoints } from '../scalars/chunks';
import { bucketMeans } from './scalar-points';
import { scalarCurve, scalarGroupSeries, scalarRunSeries, scalarSkipNotes } from './compare-scalars';

function tagPoints(rows: [step: number, value: number, wall: number][]): TagPoints {
  return {
    length: rows.length,
    step: Float64Array.from(rows, (r) => r[0]),
    value: Float64Array.from(rows, (r) => r[1]),
    wallTime: Float64Array.from(rows, (r) => r[2]),
  };
}

const TEAM = { format: 'tensorboard' };
const SMOLVLA = { format: 'smolvla_sequential' };
const LOSS = { dir: '', tag: 'train/loss' };
const points = tagPoints([
  [0, 1, 100],
  [1, 0.5, 160],
  [2, 0.25, 130],
]);

describe('scalarCurve', () => {
  it("puts a tag on the axis it counts: the team's steps on the step axis, the SmolVLA trainer's epochs on the epoch axis (1-based)", () => {
    expect(scalarCurve(TEAM, LOSS, points, 'step', 100)).toMatchObject({ raw: [{ x: 0 }, { x: 1 }, { x: 2 }] });
    expect(scalarCurve(TEAM, LOSS, points, 'epoch', 100)).toEqual({ skip: 'step' });
    expect(scalarCurve(SMOLVLA, LOSS, points, 'epoch', 100)).toMatchObject({ raw: [{ x: 1 }, { x: 2 }, { x: 3 }] });
    expect(scalarCurve(SMOLVLA, LOSS, points, 'step', 100)).toEqual({ skip: 'epoch' });
    expect(scalarCurve({ format: 'tensorboard' }, { dir: 'validation', tag: 'epoch_loss' }, points, 'epoch', 100)).not.toHaveProperty(
      'skip',
    );
    expect(scalarCurve(TEAM, LOSS, undefined, 'step', 100)).toEqual({ skip: 'missing' });
  });

  it('the time axis: every run, seconds since its first point, in time order', () => {
    const curve = scalarCurve(SMOLVLA, LOSS, points, 'time', 100);
    expect('raw' in curve && curve.raw).toEqual([
      { x: 0, y: 1 },
      { x: 30, y: 0.25 },
      { x: 60, y: 0.5 },
    ]);
  });

  it('names the runs left out, by reason', () => {
    expect(
      scalarSkipNotes(
        'train/loss',
        [
          { runId: 3, skip: 'missing' },
          { runId: 4, skip: 'epoch' },
          { runId: 5, skip: 'epoch' },
        ],
        'step',
      ),
    ).toEqual(['#3: no scalar train/loss', '#4, #5: train/loss is logged per epoch there, not on the step axis (choose Epoch)']);
  });
});

describe('bucketMeans', () => {
  it('equal-count buckets averaged; a bucket with a non-finite value is a gap', () => {
    const xs = Float64Array.from([0, 1, 2, 3, 4, 5]);
    expect(bucketMeans(xs, Float64Array.from([1, 3, 5, 7, Number.NaN, 1]), 3)).toEqual([
      { x: 0.5, y: 2 },
      { x: 2.5, y: 6 },
      { x: 4.5, y: null },
    ]);
    expect(bucketMeans(Float64Array.from([0, 1]), Float64Array.from([Infinity, 2]), 5)).toEqual([
      { x: 0, y: null },
      { x: 1, y: 2 },
    ]);
  });
});

describe('series', () => {
  const base = { strategyKey: 'default', runId: null, facet: 'task1', groupKey: 'default@task1', taskId: 1, runIds: [1, 2], color: '#000' };
  const curve = (ys: number[]) => ({ raw: ys.map((y, x) => ({ x, y })), means: ys.map((y, x) => ({ x, y })) });

  it("a group's mean over its members that have the tag, with the band and n (aligned, never extrapolated)", () => {
    const s = scalarGroupSeries(base, 'scalar-default', 'default train/loss', [curve([1, 2, 3]), curve([3, 4])], {
      points: 100,
      smooth: 0,
    })!;
    expect(s.kind).toBe('scalar');
    expect(s.label).toBe('default train/loss (mean, n=1–2)');
    expect(s.points).toEqual([
      [0, 2],
      [1, 3],
      [2, 3],
    ]);
    expect(s.band).toEqual([
      [0, 1, 3, 2],
      [1, 2, 4, 2],
      [2, 3, 3, 1],
    ]);
    expect(scalarGroupSeries(base, 'x', 'x', [], { points: 100, smooth: 0 })).toBeNull();
  });

  it("a run's own line, raw with its smoothed line", () => {
    const s = scalarRunSeries({ ...base, runId: 1, groupKey: null, runIds: [1] }, 'scalar-run1', '#1 train/loss', curve([1, 0.5, 0.25]), {
      points: 100,
      smooth: 0.5,
    });
    expect(s).toMatchObject({
      kind: 'scalar',
      band: null,
      points: [
        [0, 1],
        [1, 0.5],
        [2, 0.25],
      ],
    });
    expect(s.smoothed).toHaveLength(3);
  });
});
