import { describe, expect, it } from 'vitest';
import { configMismatches, configSettingsOf, type ConfigSettings, type RunSettings } from './config-check';

const none: RunSettings = { batchSize: null, learningRate: null, epochsTotal: null, totalSteps: null, seed: null, dataset: null };

const CASES: { name: string; config: ConfigSettings | null; run: Partial<RunSettings>; want: string[] }[] = [
  { name: 'no config', config: null, run: { ...none, batchSize: 8 }, want: [] },
  { name: 'the log said nothing', config: { batchSize: 8, learningRate: 1e-4 }, run: none, want: [] },
  {
    name: 'all agree',
    config: { batchSize: 8, learningRate: 1e-4, epochsTotal: 20, seed: 42 },
    run: { ...none, batchSize: 8, learningRate: 1e-4, epochsTotal: 20, seed: 42 },
    want: [],
  },
  { name: 'batch size differs', config: { batchSize: 32 }, run: { ...none, batchSize: 64 }, want: ['batch size: 32 vs 64'] },
  {
    name: 'lr equal at float precision',
    config: { learningRate: 0.0001 },
    run: { ...none, learningRate: 1.0000000000000002e-4 },
    want: [],
  },
  { name: 'lr differs', config: { learningRate: 1e-4 }, run: { ...none, learningRate: 5e-5 }, want: ['learning rate: 0.0001 vs 0.00005'] },
  { name: 'epochs differ', config: { epochsTotal: 20 }, run: { ...none, epochsTotal: 30 }, want: ['epochs: 20 vs 30'] },
  { name: 'steps differ', config: { totalSteps: 20000 }, run: { ...none, totalSteps: 30000 }, want: ['steps: 20000 vs 30000'] },
  { name: 'seed differs', config: { seed: 1000 }, run: { ...none, seed: 7 }, want: ['seed: 1000 vs 7'] },
  { name: 'dataset differs', config: { dataset: 'user/a' }, run: { ...none, dataset: 'user/b' }, want: ['dataset: user/a vs user/b'] },
  { name: 'dataset same but padded', config: { dataset: 'user/a' }, run: { ...none, dataset: ' user/a' }, want: [] },
  {
    name: 'several, in display order',
    config: { seed: 1, batchSize: 8, totalSteps: 10 },
    run: { ...none, seed: 2, batchSize: 16, totalSteps: 10 },
    want: ['batch size: 8 vs 16', 'seed: 1 vs 2'],
  },
];

describe('configMismatches', () => {
  it.each(CASES)('$name', ({ config, run, want }) => {
    expect(configMismatches(config, run).map((m) => `${m.label}: ${m.config} vs ${m.run}`)).toEqual(want);
  });
});

describe('configSettingsOf', () => {
  it('keeps well-typed settings and drops the rest', () => {
    expect(configSettingsOf({ batchSize: 8, learningRate: 'x', seed: Number.NaN, dataset: 'd', other: 1 })).toEqual({
      batchSize: 8,
      dataset: 'd',
    });
    expect(configSettingsOf(null)).toBeNull();
    expect(configSettingsOf([1])).toBeNull();
  });
});
