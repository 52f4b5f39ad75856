import {
  differenceCiede2000,
  filterDeficiencyDeuter,
  filterDeficiencyProt,
  filterDeficiencyTrit,
  parse,
  wcagContrast,
  type Color,
} from 'culori';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TOTAL_LAYERS } from '../analysis/strategy';
import {
  markerOf,
  SINGLE_RUN_COLOR,
  singleRunColor,
  STRATEGY_MARKERS,
  STRATEGY_PALETTE,
  strategyColor,
  UNKNOWN_STRATEGY_COLOR,
  UNKNOWN_STRATEGY_MARKER,
} from './strategy-colors';
import { strategyView } from './strategy-view';

// How people with each common colour-vision deficiency see a colour (Machado et al. 2009, full severity).
const VISIONS: Record<string, (c: Color) => Color> = {
  normal: (c) => c,
  protanopia: filterDeficiencyProt(1),
  deuteranopia: filterDeficiencyDeuter(1),
  tritanopia: filterDeficiencyTrit(1),
};
const deltaE = differenceCiede2000();
const colors = [...STRATEGY_PALETTE, UNKNOWN_STRATEGY_COLOR];

/** The smallest CIEDE2000 difference between colours i and j over the four visions. */
function distance(a: string, b: string): number {
  return Math.min(...Object.values(VISIONS).map((see) => deltaE(see(parse(a)!), see(parse(b)!))));
}

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

  it('every colour stands out from the white chart by at least 3:1 (WCAG 1.4.11, graphics)', () => {
    for (const color of [...colors, SINGLE_RUN_COLOR])
      expect([color, wcagContrast(color, '#ffffff')]).toEqual([color, expect.toSatisfy((r: number) => r >= 3)]);
  });

  it('any two strategy colours (and the unknown grey) stay apart with normal, protan, deutan and tritan vision', () => {
    // CIEDE2000 ≈ 2 is a just-noticeable difference; the former cool→warm ramp fell to 2.1 (deuteranopia).
    for (let i = 0; i < colors.length; i++)
      for (let j = i + 1; j < colors.length; j++)
        expect([colors[i], colors[j], distance(colors[i]!, colors[j]!) >= 5]).toEqual([colors[i], colors[j], true]);
  });

  it('layer counts close to each other — the strategies people compare — are the most different', () => {
    const n = STRATEGY_PALETTE.length;
    let adjacent = Infinity;
    let near = Infinity;
    for (let i = 0; i < n; i++) {
      if (i + 1 < n) adjacent = Math.min(adjacent, distance(STRATEGY_PALETTE[i]!, STRATEGY_PALETTE[i + 1]!));
      for (let j = i + 1; j <= Math.min(n - 1, i + 3); j++) near = Math.min(near, distance(STRATEGY_PALETTE[i]!, STRATEGY_PALETTE[j]!));
    }
    expect(adjacent).toBeGreaterThanOrEqual(25);
    expect(near).toBeGreaterThanOrEqual(9);
  });

  it('each strategy colour has a marker of its own (shape, fill, turn); neighbours differ in shape', () => {
    const markers = [...STRATEGY_MARKERS, UNKNOWN_STRATEGY_MARKER];
    expect(STRATEGY_MARKERS).toHaveLength(STRATEGY_PALETTE.length);
    expect(new Set(markers.map((m) => `${m.shape}|${m.filled}|${m.rotation}`)).size).toBe(markers.length);
    for (let i = 0; i + 1 < STRATEGY_MARKERS.length; i++) expect(STRATEGY_MARKERS[i]!.shape).not.toBe(STRATEGY_MARKERS[i + 1]!.shape);
  });

  it('the marker is found from the colour alone (any case), and only strategy colours have one', () => {
    for (let n = 0; n <= DEFAULT_TOTAL_LAYERS; n++) expect(markerOf(strategyColor(n))).toBe(STRATEGY_MARKERS[n]);
    expect(markerOf(strategyColor(3).toUpperCase())).toBe(STRATEGY_MARKERS[3]);
    expect(markerOf(UNKNOWN_STRATEGY_COLOR)).toBe(UNKNOWN_STRATEGY_MARKER);
    expect([markerOf(SINGLE_RUN_COLOR), markerOf('#8d96a8')]).toEqual([null, null]);
  });
});
