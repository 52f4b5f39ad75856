import { describe, expect, it } from 'vitest';
import { epochTrainingSeconds, minutesPerStep, runCost } from './cost';

describe('epochTrainingSeconds', () => {
  it('tqdm elapsed first, then the printed ⏱️ minutes, then ms/batch × steps', () => {
    const seconds = epochTrainingSeconds(
      [
        { epoch: 1, durationMinutes: 2, msPerBatch: 400 },
        { epoch: 2, durationMinutes: 2.5, msPerBatch: 400 },
        { epoch: 3, durationMinutes: null, msPerBatch: 400 },
        { epoch: 4, durationMinutes: null, msPerBatch: null },
      ],
      new Map([[1, 100]]),
      300,
    );
    expect(seconds).toEqual([
      { epoch: 1, seconds: 100, source: 'tqdm' },
      { epoch: 2, seconds: 150, source: 'printed' },
      { epoch: 3, seconds: 120, source: 'ms_per_batch' },
    ]);
  });

  it('ms/batch needs steps per epoch; negative or non-finite numbers are ignored', () => {
    expect(epochTrainingSeconds([{ epoch: 1, msPerBatch: 400 }], new Map(), null)).toEqual([]);
    expect(epochTrainingSeconds([{ epoch: 1, durationMinutes: -1 }], new Map([[2, Number.NaN]]), null)).toEqual([]);
  });
});

describe('runCost', () => {
  it('every trained epoch timed: the sum, and the mean per epoch', () => {
    const cost = runCost(
      [
        { epoch: 1, seconds: 60, source: 'tqdm' },
        { epoch: 2, seconds: 120, source: 'tqdm' },
      ],
      2,
    );
    expect(cost).toEqual({ minutesPerEpoch: 1.5, trainingMinutes: 3, timedEpochs: 2, complete: true, source: 'tqdm' });
  });

  it('holes: minutes per epoch × epochs trained, marked incomplete; the source of most epochs', () => {
    const cost = runCost(
      [
        { epoch: 1, seconds: 60, source: 'printed' },
        { epoch: 3, seconds: 60, source: 'printed' },
        { epoch: 4, seconds: 60, source: 'tqdm' },
      ],
      4,
    );
    expect(cost).toMatchObject({ minutesPerEpoch: 1, trainingMinutes: 4, complete: false, source: 'printed' });
  });

  it('no timing → nulls', () => {
    expect(runCost([], 10)).toEqual({ minutesPerEpoch: null, trainingMinutes: null, timedEpochs: 0, complete: false, source: null });
  });
});

describe('minutesPerStep', () => {
  it.each([
    ['no records', [], null],
    [
      'update and data time, averaged',
      [
        { procMs: 300, dataS: 0.06 },
        { procMs: 360, dataS: 0.0 },
      ],
      (0.36 + 0.36) / 2 / 60,
    ],
    ['data_s missing counts as 0', [{ procMs: 600, dataS: null }], 0.01],
    [
      'records without updt_s are skipped',
      [
        { procMs: null, dataS: 5 },
        { procMs: 1200, dataS: 0 },
      ],
      0.02,
    ],
    [
      'negative or non-finite values are skipped',
      [
        { procMs: Number.NaN, dataS: 1 },
        { procMs: -5, dataS: 1 },
      ],
      null,
    ],
  ])('%s', (_name, records, expected) => {
    const got = minutesPerStep(records);
    if (expected === null) expect(got).toBeNull();
    else expect(got).toBeCloseTo(expected, 10);
  });
});
