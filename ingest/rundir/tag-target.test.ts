// Which scalar tags of an event file fill what (ingest/rundir/readers.ts tagTarget).
import { describe, expect, it } from 'vitest';
import { tagTarget } from './readers';

describe('tagTarget', () => {
  const cases: [string, ReturnType<typeof tagTarget>][] = [
    ['train/loss', 'trainLoss'],
    ['train/lr', 'lr'],
    ['performance/batch_process_time_ms', 'msPerBatch'],
    ['performance/throughput_samples_per_sec', 'samplesPerSec'],
    ['train/epoch_duration_minutes', 'durationMinutes'],
    ['validation/task1_loss', 1],
    ['validation/task12_loss', 12],
    ['validation/task_loss', null],
    ['validation/task1_loss_extra', null],
    ['train/loss ', null],
    ['constructor', null], // not an inherited property of the tag table
    ['toString', null],
    ['', null],
  ];
  for (const [tag, expected] of cases) it(JSON.stringify(tag), () => expect(tagTarget(tag)).toBe(expected));
  it('answers the same from its cache', () => {
    for (const [tag, expected] of cases) expect(tagTarget(tag)).toBe(expected);
  });
});
