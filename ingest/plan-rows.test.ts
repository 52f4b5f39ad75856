// The columnar fold of a batch's epoch and validation rows (plan-rows.ts, used by planBatch): the same
// rows and values as the plain rule it replaced — a Map per table, rows in first-seen order, last write
// wins per column, absent and null values leave what is there — for every order of keys.
import { describe, expect, it } from 'vitest';
import { EPOCH_METRICS, scalarBlockEvents, type EpochMetrics, type ParseEvent, type Retention, type ScalarBlock } from './events';
import { RowIndex, validationKey, type EpochRows, type ValidationRow } from './plan-rows';
import { planBatch } from './store';
import { mulberry32 } from '../testkit/random';

describe('RowIndex: rows in first-seen order, whatever the order of keys', () => {
  const cases: { name: string; keys: (number | string)[]; rows: number[] }[] = [
    { name: 'ascending', keys: [1, 2, 3], rows: [0, 1, 2] },
    { name: 'a key again', keys: [1, 1, 2, 2, 2], rows: [0, 0, 1, 1, 1] },
    { name: 'back to an earlier key', keys: [1, 2, 3, 1, 4, 2], rows: [0, 1, 2, 0, 3, 1] },
    { name: 'descending', keys: [5, 4, 3, 5], rows: [0, 1, 2, 0] },
    { name: 'new keys after the index was built', keys: [2, 1, 3, 0, 3, 1], rows: [0, 1, 2, 3, 2, 1] },
    { name: 'string keys beside numbers', keys: [1, 'a', 2, 'a', 1, 'b'], rows: [0, 1, 2, 1, 0, 3] },
    { name: 'zero and negative', keys: [0, -1, 0, -1, 1], rows: [0, 1, 0, 1, 2] },
  ];
  it.each(cases)('$name', ({ keys, rows }) => {
    const index = new RowIndex();
    expect(keys.map((key) => index.row(key))).toEqual(rows);
    expect(index.size).toBe(new Set(keys).size);
    rows.forEach((row, i) => expect(index.key(row)).toBe(keys[i]));
  });
});

/** The plain rule, as planBatch wrote it with Maps and objects. */
function referenceFold(events: readonly ParseEvent[]) {
  const epochs = new Map<number, Partial<EpochMetrics>>();
  const validations = new Map<number | string, ValidationRow>();
  for (const event of events) {
    if (event.type === 'epoch') {
      const row = epochs.get(event.epoch) ?? {};
      epochs.set(event.epoch, row);
      for (const [name, value] of Object.entries(event.metrics))
        if (value !== undefined && value !== null) row[name as keyof EpochMetrics] = value;
    } else if (event.type === 'validation' || event.type === 'retention') {
      const key = validationKey(event.epoch, event.final, event.taskId);
      const row = validations.get(key) ?? { epoch: event.epoch, final: event.final, taskId: event.taskId, loss: null, retention: null };
      validations.set(key, row);
      if (event.type === 'validation') row.loss = event.loss;
      else {
        row.retention = event.retention;
        row.loss ??= event.loss;
      }
    }
  }
  return { epochs: [...epochs.entries()], validations: [...validations.values()] };
}

const epochEntries = (rows: EpochRows) => Array.from({ length: rows.size }, (_, row) => [rows.epoch(row), rows.metrics(row)]);

const RETENTIONS: Retention[] = ['retained', 'slight_degradation', 'significant_forgetting'];

/** Random epoch / validation / retention events: mostly ascending epochs, with repeats, jumps back, NaN and ±Infinity. */
function randomEvents(seed: number, count: number): ParseEvent[] {
  const rand = mulberry32(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(rand() * items.length)]!;
  const value = () => pick([rand(), rand(), rand(), Number.NaN, Infinity, -Infinity, 0]);
  const events: ParseEvent[] = [];
  let epoch = 1;
  for (let i = 0; i < count; i++) {
    const r = rand();
    if (r < 0.5) epoch += 1;
    else if (r < 0.6) epoch = Math.max(0, epoch - Math.floor(rand() * 5));
    const line = i + 2;
    const kind = rand();
    if (kind < 0.5) {
      const metrics: Partial<Record<keyof EpochMetrics, number | undefined>> = {};
      for (const name of EPOCH_METRICS) if (rand() < 0.4) metrics[name] = rand() < 0.1 ? undefined : value();
      events.push({ type: 'epoch', runKey: 0, line, epoch, metrics: metrics });
    } else if (kind < 0.9) {
      events.push({ type: 'validation', runKey: 0, line, epoch, final: rand() < 0.1, taskId: 1 + Math.floor(rand() * 3), loss: value() });
    } else {
      events.push({
        type: 'retention',
        runKey: 0,
        line,
        epoch,
        final: rand() < 0.5,
        taskId: 1 + Math.floor(rand() * 3),
        retention: pick(RETENTIONS),
        loss: value(),
      });
    }
  }
  return events;
}

describe('planBatch folds epochs and validations in columns exactly as the plain rule did', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('random events, seed %i', (seed) => {
    const events = randomEvents(seed, 2000);
    const run = planBatch([{ type: 'run_started', runKey: 0, line: 1, format: 'smolvla_sequential' }, ...events]).runs.get(0)!;
    const expected = referenceFold(events);
    expect(epochEntries(run.epochs)).toEqual(expected.epochs);
    expect(run.validations.rows()).toEqual(expected.validations);
  });

  it('a scalars block folds as the epoch and validation events it stands for', () => {
    const rand = mulberry32(42);
    const block: ScalarBlock = { epochs: { epoch: [], metric: [], value: [] }, validations: { epoch: [], taskId: [], loss: [] } };
    let epoch = 1;
    for (let i = 0; i < 3000; i++) {
      if (rand() < 0.3) epoch += 1;
      else if (rand() < 0.05) epoch = Math.max(1, epoch - 3);
      if (rand() < 0.6) {
        block.epochs.epoch.push(epoch);
        block.epochs.metric.push(Math.floor(rand() * EPOCH_METRICS.length));
        block.epochs.value.push(rand() < 0.05 ? Number.NaN : rand());
      } else {
        block.validations.epoch.push(epoch);
        block.validations.taskId.push(1 + Math.floor(rand() * 4));
        block.validations.loss.push(rand());
      }
    }
    const scalars: ParseEvent = { type: 'scalars', runKey: 0, line: 7, block };
    const asBlock = planBatch([scalars]).runs.get(0)!;
    const asEvents = planBatch(scalarBlockEvents(scalars)).runs.get(0)!;
    expect(epochEntries(asBlock.epochs)).toEqual(epochEntries(asEvents.epochs));
    expect(asBlock.validations.rows()).toEqual(asEvents.validations.rows());
  });

  it('an out-of-range epoch or task in a block is a warning, and the other rows are kept', () => {
    const block: ScalarBlock = {
      epochs: { epoch: [1, 2_147_483_648, 2], metric: [0, 0, 0], value: [0.5, 0.4, 0.3] },
      validations: { epoch: [1, 1], taskId: [2, 2_147_483_648], loss: [0.7, 0.6] },
    };
    const plan = planBatch([{ type: 'scalars', runKey: 0, line: 9, block }]);
    const run = plan.runs.get(0)!;
    expect(epochEntries(run.epochs)).toEqual([
      [1, { trainLoss: 0.5 }],
      [2, { trainLoss: 0.3 }],
    ]);
    expect(run.validations.rows()).toEqual([{ epoch: 1, final: false, taskId: 2, loss: 0.7, retention: null }]);
    expect(plan.warnings.map((w) => w.message)).toEqual([
      'epoch 2147483648 is out of range; line ignored',
      'task id 2147483648 is out of range; line ignored',
    ]);
  });
});
