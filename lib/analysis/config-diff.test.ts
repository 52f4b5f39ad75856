import { describe, expect, it } from 'vitest';
import { CONFOUNDER_WARNING, configDiff, confounderOf, flattenConfig } from './config-diff';

describe('confounderOf', () => {
  it.each([
    ['policy.optimizer_lr', 'learning rate'],
    ['run.learningRate', 'learning rate'],
    ['training.batch_size', 'batch size'],
    ['run.epochsTotal', 'epochs'],
    ['training.max_epoch', 'epochs'],
    ['training.seed', 'seed'],
    ['sequential.use_replay_buffer', 'replay'],
    ['training.validation_freq_epoch', 'validation settings'],
    ['training.validate_all_previous_tasks', 'validation settings'],
    ['task', 'dataset'],
    ['dataset.repo_id', 'dataset'],
    ['policy.unfreeze_vision_layers', null],
    ['policy.freeze_vision_encoder', null],
    ['training.num_workers', null],
  ])('%s → %s', (key, expected) => {
    expect(confounderOf(key)).toBe(expected);
  });
});

describe('configDiff', () => {
  const tree = (lr: number, unfreeze: number[], seed = 42) =>
    flattenConfig({
      timestamp: '${now:%Y%m%d_%H%M%S}',
      policy: { optimizer_lr: lr, unfreeze_vision_layers: unfreeze },
      training: { seed },
    });

  it('lists only the keys that differ, one value per run', () => {
    const diff = configDiff([
      { runId: 1, strategyKey: 'a', values: tree(1e-4, [-1]) },
      { runId: 2, strategyKey: 'a', values: tree(1e-4, [-1], 7) },
    ]);
    expect(diff.rows).toEqual([{ key: 'training.seed', values: ['42', '7'], confounder: true }]);
    // One strategy: nothing is confounded with it.
    expect(diff.warning).toBeNull();
  });

  it('warns when runs of different strategies also differ in what changes the loss', () => {
    const diff = configDiff([
      { runId: 1, strategyKey: 'a', values: tree(1e-4, [-1]) },
      { runId: 2, strategyKey: 'b', values: { ...tree(5e-5, [-1, -2]), 'run.batchSize': '16' } },
    ]);
    expect(diff.rows.map((row) => row.key)).toEqual(['policy.optimizer_lr', 'policy.unfreeze_vision_layers', 'run.batchSize']);
    expect(diff.confounders).toEqual(['learning rate', 'batch size']);
    expect(diff.warning).toBe(`${CONFOUNDER_WARNING}: they also differ in learning rate, batch size`);
  });

  it('does not warn when strategies differ and nothing else does', () => {
    const diff = configDiff([
      { runId: 1, strategyKey: 'a', values: tree(1e-4, [-1]) },
      { runId: 2, strategyKey: 'b', values: tree(1e-4, [-1, -2]) },
    ]);
    expect(diff.rows.map((row) => row.key)).toEqual(['policy.unfreeze_vision_layers']);
    expect(diff.warning).toBeNull();
  });
});
