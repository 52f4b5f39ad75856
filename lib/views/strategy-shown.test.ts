import { describe, expect, it } from 'vitest';
import type { StrategyView } from '../api/schemas/common';
import { NO_STRATEGY_LABEL, strategyShown } from './strategy-shown';
import { strategyView } from './strategy-view';

// One table: what the run recorded of its strategy, its format → what the runs table and the run page say.
// "default (unknown)" is a SmolVLA/LeRobot run that did not print its strategy; a run of another kind with
// nothing recorded has no freeze strategy at all, and says so.
describe('strategyShown', () => {
  const applied = {
    kind: 'unfreeze',
    spec: [-1, -2, -3, -4],
    totalLayers: 12,
    frozen: [],
    unfrozen: [],
    applied: true,
    failureReason: null,
  };
  const failed = { ...applied, applied: false, failureReason: 'vision_model not found' };
  const configNone = { kind: 'none', spec: null, totalLayers: null, frozen: [], unfrozen: [], applied: true, failureReason: null };
  it.each([
    ['a printed strategy', applied, 'smolvla_sequential', 'known', 'unfreeze 4/12 · L8–L11'],
    ['a printed strategy, any format', applied, 'tensorboard', 'known', 'unfreeze 4/12 · L8–L11'],
    ['not applied', failed, 'smolvla_sequential', 'not-applied', 'default (unknown)'],
    ['the SmolVLA trainer printed no banner', null, 'smolvla_sequential', 'unknown', 'default (unknown)'],
    ['LeRobot printed no freezing', null, 'lerobot', 'unknown', 'default (unknown)'],
    ['a team run whose Hydra config asks for the default', configNone, 'tensorboard', 'unknown', 'default (unknown)'],
    ['a Keras / PPO / Lightning event file', null, 'tensorboard', 'none', NO_STRATEGY_LABEL],
    ['a generic tqdm log', null, 'generic_tqdm', 'none', NO_STRATEGY_LABEL],
    ['format not known: never "none"', null, undefined, 'unknown', 'default (unknown)'],
  ] as const)('%s', (_name, input, format, state, label) => {
    const view: StrategyView = strategyView(input === null ? null : { ...input, spec: input.spec === null ? null : [...input.spec] });
    expect(strategyShown(view, format)).toEqual({ state, label });
    // the API keeps its key and label: only the pages word it
    if (state === 'none') expect([view.key, view.label, view.recorded]).toEqual(['default', 'default (unknown)', false]);
  });
});
