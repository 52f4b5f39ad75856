import { describe, expect, it } from 'vitest';
import { DEFAULT_TOTAL_LAYERS } from '../analysis/strategy';
import { SINGLE_RUN_COLOR, singleRunColor, strategyColor, UNKNOWN_STRATEGY_COLOR } from './strategy-colors';
import { strategyView } from './strategy-view';

describe('strategy colours', () => {
  it('only an unknown strategy is grey; every known layer count has a colour of its own', () => {
    expect(strategyColor(null)).toBe(UNKNOWN_STRATEGY_COLOR);
    const known = Array.from({ length: DEFAULT_TOTAL_LAYERS + 1 }, (_, n) => strategyColor(n));
    expect(known).not.toContain(UNKNOWN_STRATEGY_COLOR);
    expect(new Set(known).size).toBe(known.length);
  });

  it("a run's own curves take its strategy's colour, or the accent when the strategy is unknown (by field, not colour)", () => {
    const unknown = strategyView(null);
    const known = strategyView({
      kind: 'unfreeze',
      spec: [-1, -2],
      totalLayers: 12,
      frozen: [],
      unfrozen: [10, 11],
      applied: true,
      failureReason: null,
    });
    expect([unknown.known, singleRunColor(unknown)]).toEqual([false, SINGLE_RUN_COLOR]);
    expect([known.known, singleRunColor(known)]).toEqual([true, known.color]);
    expect(known.color).not.toBe(UNKNOWN_STRATEGY_COLOR);
  });
});
