import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareStrategies, expandSpec, layerRangesLabel, resolveLayers, strategyIdentity } from './strategy';
import { loadSample } from './test-samples';
import type { StrategyInput } from './types';

function spec(kind: string, s: number[] | number | null, extra: Partial<StrategyInput> = {}): StrategyInput {
  return { kind, spec: s, totalLayers: 12, frozen: [], unfrozen: [], applied: true, ...extra };
}

describe('strategy keys', () => {
  it('[-1..-9], freeze [0,1,2], ratio 0.25, last_n 9 and the resolved banner lists are the same strategy', () => {
    const variants: StrategyInput[] = [
      spec('unfreeze', [-1, -2, -3, -4, -5, -6, -7, -8, -9]),
      spec('freeze', [0, 1, 2]),
      spec('ratio', 0.25),
      spec('last_n', 9),
      spec('unfreeze', [3, 4, 5, 6, 7, 8, 9, 10, 11]),
      spec('unfreeze', [-1, -2, -3, -4, -5, -6, -7, -8, -9], { unfrozen: [3, 4, 5, 6, 7, 8, 9, 10, 11], frozen: [0, 1, 2] }),
      spec('none', null, { frozen: [0, 1, 2] }),
      spec('ratio', 0.25, { totalLayers: null }), // total defaults to 12
    ];
    for (const v of variants) {
      const id = strategyIdentity(v);
      expect(id.key).toBe('12:3-11');
      expect(id.label).toBe('unfreeze 9/12 · L3–L11');
      expect(id.trainableLayers).toBe(9);
      expect(id.frozen).toEqual([0, 1, 2]);
      expect(id.known).toBe(true);
      expect(id.notApplied).toBe(false);
    }
  });

  it('property: unfreeze last k, freeze the first total−k and last_n k agree', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.nat(), (total, kSeed) => {
        const k = kSeed % (total + 1);
        const neg = Array.from({ length: k }, (_, i) => -(i + 1));
        const first = Array.from({ length: total - k }, (_, i) => i);
        const keys = new Set([
          strategyIdentity(spec('unfreeze', neg, { totalLayers: total })).key,
          strategyIdentity(spec('freeze', first, { totalLayers: total })).key,
          ...(k > 0 ? [strategyIdentity(spec('last_n', k, { totalLayers: total })).key] : []),
        ]);
        expect(keys.size).toBe(1);
        expect(strategyIdentity(spec('freeze', first, { totalLayers: total })).trainableLayers).toBe(k);
      }),
    );
  });

  it('the three samples', () => {
    expect(strategyIdentity(loadSample('sample_task1_unfreeze8_overfit').strategy)).toMatchObject({
      key: '12:4-11',
      label: 'unfreeze 8/12 · L4–L11',
      trainableLayers: 8,
    });
    expect(strategyIdentity(loadSample('sample_task2_unfreeze4_buffered').strategy)).toMatchObject({
      key: '12:8-11',
      label: 'unfreeze 4/12 · L8–L11',
    });
    expect(strategyIdentity(loadSample('sample_task3_ratio50_final_only').strategy)).toMatchObject({
      key: '12:6-11',
      label: 'unfreeze 6/12 · L6–L11',
    });
  });

  it('non-contiguous sets', () => {
    const id = strategyIdentity(spec('unfreeze', [0, 2, -1, -2, -3, -4, -5, -6, -7]));
    expect(id.key).toBe('12:0,2,5-11');
    expect(id.label).toBe('unfreeze 9/12 · L0,L2,L5–L11');
    expect(layerRangesLabel([10, 11, 4])).toBe('L4,L10–L11');
    expect(layerRangesLabel([])).toBe('');
  });

  it('other totals are different strategies', () => {
    const id = strategyIdentity(spec('unfreeze', [-1, -2, -3, -4, -5, -6, -7, -8, -9], { totalLayers: 27 }));
    expect(id.key).toBe('27:18-26');
    expect(id.label).toBe('unfreeze 9/27 · L18–L26');
  });
});

describe('expandSpec', () => {
  it('unfreeze: negative indices from the end, out-of-range ones ignored (the trainer warns)', () => {
    expect(expandSpec('unfreeze', [-13, 12, -1, -1])?.unfrozen).toEqual([11]);
  });
  it('freeze: no negative indices', () => {
    expect(expandSpec('freeze', [-1, 12, 0])).toEqual({
      totalLayers: 12,
      frozen: [0],
      unfrozen: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
    });
  });
  it('ratio: int(total·ratio) first layers frozen, Python truncation', () => {
    expect(expandSpec('ratio', 0.5)?.frozen).toEqual([0, 1, 2, 3, 4, 5]);
    expect(expandSpec('ratio', 0.7)?.frozen).toEqual([0, 1, 2, 3, 4, 5, 6, 7]); // int(8.4) = 8
    expect(expandSpec('ratio', 0.99)?.unfrozen).toEqual([11]); // int(11.88) = 11
    // floating point exactly as Python: 22 * (15/22) = 14.999999999999998 → int() = 14
    expect(expandSpec('ratio', 15 / 22, 22)?.frozen).toHaveLength(14);
    expect(expandSpec('ratio', 0)?.unfrozen).toHaveLength(12);
    expect(expandSpec('ratio', 1)?.unfrozen).toEqual([]);
    expect(expandSpec('ratio', 1.5)).toBeNull();
    expect(expandSpec('ratio', -0.1)).toBeNull();
  });
  it('last_n: last N unfrozen, capped at total; N ≤ 0 is the default', () => {
    expect(expandSpec('last_n', 4)?.unfrozen).toEqual([8, 9, 10, 11]);
    expect(expandSpec('last_n', 20)?.unfrozen).toHaveLength(12);
    expect(expandSpec('last_n', 0)).toBeNull();
  });
  it('unknown kinds and mismatched specs', () => {
    expect(expandSpec('none', null)).toBeNull();
    expect(expandSpec('unfreeze', 3)).toBeNull();
    expect(expandSpec('ratio', [1])).toBeNull();
    expect(expandSpec('unfreeze', [1], 0)).toBeNull();
  });
  it('resolveLayers prefers the resolved lists and widens the total to fit them', () => {
    expect(resolveLayers(spec('unfreeze', [-1], { unfrozen: [11], frozen: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10] }))?.unfrozen).toEqual([11]);
    expect(
      resolveLayers(spec('freeze', null, { totalLayers: null, frozen: [0, 1, 2], unfrozen: [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13] }))
        ?.totalLayers,
    ).toBe(14);
    expect(resolveLayers(spec('none', null))).toBeNull();
  });
});

describe('unknown and not applied', () => {
  it('no banner → default (unknown)', () => {
    for (const s of [null, undefined, spec('none', null)]) {
      expect(strategyIdentity(s)).toEqual({
        key: 'default',
        label: 'default (unknown)',
        known: false,
        totalLayers: null,
        trainableLayers: null,
        unfrozen: [],
        frozen: [],
        notApplied: false,
        requested: null,
        failureReason: null,
      });
    }
  });

  it('requested but not applied → default, flagged, with the requested identity kept', () => {
    const reason = "'VLAFlowMatching' object has no attribute 'get_vlm_model'";
    const id = strategyIdentity(spec('last_n', 2, { applied: false, failureReason: reason }));
    expect(id.key).toBe('default');
    expect(id.label).toBe('default (unknown)');
    expect(id.notApplied).toBe(true);
    expect(id.requested).toEqual({ key: '12:10-11', label: 'unfreeze 2/12 · L10–L11' });
    expect(id.failureReason).toBe(reason);
    // a bad ratio: the trainer warns and keeps its default; nothing resolvable
    const bad = strategyIdentity(spec('ratio', 1.5, { applied: false }));
    expect(bad.notApplied).toBe(true);
    expect(bad.requested).toEqual({ key: 'requested:ratio', label: 'ratio 1.5' });
  });
});

describe('compareStrategies', () => {
  it('orders by trainable layers, unknown last', () => {
    const ids = [
      strategyIdentity(null),
      strategyIdentity(spec('last_n', 9)),
      strategyIdentity(spec('last_n', 4)),
      strategyIdentity(spec('unfreeze', [0, 2, -1, -2, -3, -4, -5, -6, -7])),
      strategyIdentity(spec('ratio', 1)),
    ];
    expect(ids.sort(compareStrategies).map((i) => i.key)).toEqual(['12:none', '12:8-11', '12:0,2,5-11', '12:3-11', 'default']);
  });
});
