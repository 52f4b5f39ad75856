// Pure rules of the store's bulk writes: which rows go in by COPY and how validation rows are keyed.
import { describe, expect, it } from 'vitest';
import { partitionFresh, planBatch } from './store';
import { validationKey, type EpochRows } from './plan-rows';
import type { ParseEvent } from './events';

const epochTable = (rows: EpochRows) =>
  Object.fromEntries(Array.from({ length: rows.size }, (_, row) => [rows.epoch(row), rows.metrics(row)]));

describe('partitionFresh: rows past their run’s last stored key are COPYed, the rest upserted', () => {
  const cases: {
    name: string;
    runs: number[];
    keys: number[];
    last: [number, number | null][];
    eligible?: (i: number) => boolean;
    fresh: number[];
  }[] = [
    { name: 'a run with no rows yet: all fresh', runs: [1, 1, 1], keys: [1, 2, 3], last: [[1, null]], fresh: [0, 1, 2] },
    { name: 'keys at or below the last stored one upsert', runs: [1, 1, 1], keys: [4, 5, 6], last: [[1, 5]], fresh: [2] },
    { name: 'equal to the last stored key is not fresh', runs: [1], keys: [5], last: [[1, 5]], fresh: [] },
    { name: 'a run `last` does not cover always upserts', runs: [1, 2], keys: [1, 1], last: [[1, null]], fresh: [0] },
    {
      name: 'runs are judged each against its own last key',
      runs: [1, 2, 1, 2],
      keys: [3, 3, 9, 9],
      last: [
        [1, 8],
        [2, 2],
      ],
      fresh: [1, 2, 3],
    },
    {
      name: 'ineligible rows (e.g. final validations) upsert',
      runs: [1, 1],
      keys: [7, 8],
      last: [[1, null]],
      eligible: (i) => i !== 1,
      fresh: [0],
    },
    { name: 'no rows', runs: [], keys: [], last: [], fresh: [] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { fresh, upsert } = partitionFresh(c.runs, c.keys, new Map(c.last), c.eligible);
      expect(fresh).toEqual(c.fresh);
      // Every row lands in exactly one of the two, in order.
      expect([...fresh, ...upsert].sort((a, b) => a - b)).toEqual(c.runs.map((_, i) => i));
    });
  }
});

describe('validationKey: one key per (epoch, final, task), never shared by two rows', () => {
  const rows: [number, boolean, number][] = [
    [0, false, 0],
    [0, true, 0],
    [1, false, 0],
    [0, false, 1],
    [1, true, 1],
    [2_147_483_647, true, 0xfffff],
    [2_147_483_647, false, 0xfffff],
    [5, false, 0x100000], // task id too big for the numeric key: the string space
    [5, false, -1],
    [-3, false, 1],
    [1.5, false, 1],
    [2_147_483_648, false, 1],
  ];
  it('is distinct for distinct rows and stable for the same row', () => {
    const keys = rows.map(([epoch, final, task]) => validationKey(epoch, final, task));
    expect(new Set(keys).size).toBe(rows.length);
    rows.forEach(([epoch, final, task], i) => expect(validationKey(epoch, final, task)).toBe(keys[i]));
  });
  it('uses numbers in the common range and strings outside it', () => {
    expect(typeof validationKey(200, false, 4)).toBe('number');
    expect(typeof validationKey(5, false, 0x100000)).toBe('string');
    expect(typeof validationKey(-3, false, 1)).toBe('string');
    expect(Number.isSafeInteger(validationKey(2_147_483_647, true, 0xfffff))).toBe(true);
  });
});

describe('planBatch folds epoch metrics last-write-wins per metric', () => {
  it('keeps earlier metrics, lets later ones win, ignores null and absent values', () => {
    const events: ParseEvent[] = [
      { type: 'run_started', runKey: 0, line: 1, format: 'smolvla_sequential' },
      { type: 'epoch', runKey: 0, line: 2, epoch: 1, metrics: { trainLoss: 0.5 } },
      { type: 'epoch', runKey: 0, line: 3, epoch: 1, metrics: { lr: 1e-4, trainLoss: undefined } },
      { type: 'epoch', runKey: 0, line: 4, epoch: 1, metrics: { trainLoss: 0.25 } },
      { type: 'epoch', runKey: 0, line: 5, epoch: 2, metrics: { msPerBatch: 12 } },
      { type: 'validation', runKey: 0, line: 6, epoch: 1, final: false, taskId: 2, loss: 0.7 },
      { type: 'validation', runKey: 0, line: 7, epoch: 1, final: false, taskId: 2, loss: 0.6 },
      { type: 'validation', runKey: 0, line: 8, epoch: 1, final: true, taskId: 2, loss: 0.65 },
    ];
    const run = planBatch(events).runs.get(0)!;
    expect(epochTable(run.epochs)).toEqual({ 1: { trainLoss: 0.25, lr: 1e-4 }, 2: { msPerBatch: 12 } });
    expect(run.validations.rows()).toEqual([
      { epoch: 1, final: false, taskId: 2, loss: 0.6, retention: null },
      { epoch: 1, final: true, taskId: 2, loss: 0.65, retention: null },
    ]);
  });
});
