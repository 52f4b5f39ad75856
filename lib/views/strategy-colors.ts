// The colour and the marker of a freeze strategy on every page and chart, and the one colour that means
// "unknown". Pure and free of the analyses, so client components import it without them.
// Why these colours: docs/architecture.md, "Strategy colours and markers".
import { DEFAULT_TOTAL_LAYERS } from '../analysis/strategy';

/**
 * One colour per number of trainable layers (0–12), so the same strategy has the same colour on every
 * page. Chosen to stay apart for the common colour-vision deficiencies: the Okabe–Ito colours (blue,
 * vermillion, bluish green; orange, sky blue and reddish purple darkened to 3:1 on white) and seven
 * more picked to keep the smallest CIEDE2000 difference between any two as large as possible under
 * normal, protan, deutan and tritan vision (Machado et al. 2009, full severity), every colour at least
 * 3:1 against the white charts (WCAG 1.4.11); then ordered so that layer counts close to each other —
 * the strategies users compare — are the most different (adjacent counts ≥ 25, within 3 ≥ 9).
 * strategy-colors.test.ts measures all of it. Thirteen colours cannot all stay apart for someone who
 * sees no red–green difference, so each also has its own marker (STRATEGY_MARKERS).
 */
const LAYER_PALETTE = [
  '#009e73',
  '#880099',
  '#d55e00',
  '#0072b2',
  '#996644',
  '#3698cb',
  '#c68100',
  '#5566ee',
  '#990033',
  '#889955',
  '#c774a2',
  '#115522',
  '#bb2277',
] as const;
/** The strategy is unknown (the trainer's default, not in the log). */
export const UNKNOWN_STRATEGY_COLOR = '#7a8190';
/** One run's curves on its own page when its strategy has no colour of its own (the page's accent). */
export const SINGLE_RUN_COLOR = '#2563eb';

/** A chart.js point style (the names chart.js uses), kept here as data so lib/ needs no chart.js. */
export type MarkerShape = 'circle' | 'triangle' | 'rect' | 'rectRot' | 'star' | 'crossRot' | 'cross' | 'line';

/** How a strategy's points are drawn: a shape, filled or hollow, turned by `rotation` degrees. */
export interface StrategyMarker {
  shape: MarkerShape;
  filled: boolean;
  rotation: number;
}

const m = (shape: MarkerShape, filled = true, rotation = 0): StrategyMarker => ({ shape, filled, rotation });

/** The marker of each palette colour (same index): neighbours always differ in shape. */
export const STRATEGY_MARKERS: readonly StrategyMarker[] = [
  m('circle'),
  m('triangle'),
  m('rect'),
  m('rectRot'),
  m('star', false),
  m('circle', false),
  m('triangle', false),
  m('rect', false),
  m('rectRot', false),
  m('crossRot', false),
  m('triangle', true, 180),
  m('cross', false),
  m('triangle', false, 180),
];
/** The unknown strategy's marker: a vertical bar. */
export const UNKNOWN_STRATEGY_MARKER: StrategyMarker = m('line', false, 90);

export const STRATEGY_PALETTE: readonly string[] = LAYER_PALETTE;

export function strategyColor(trainableLayers: number | null, totalLayers: number | null = DEFAULT_TOTAL_LAYERS): string {
  if (trainableLayers === null) return UNKNOWN_STRATEGY_COLOR;
  const total = totalLayers && totalLayers > 0 ? totalLayers : DEFAULT_TOTAL_LAYERS;
  const index = Math.round((Math.min(trainableLayers, total) / total) * (LAYER_PALETTE.length - 1));
  return LAYER_PALETTE[index] ?? UNKNOWN_STRATEGY_COLOR;
}

const MARKER_BY_COLOR = new Map<string, StrategyMarker>([
  ...LAYER_PALETTE.map((color, i): [string, StrategyMarker] => [color, STRATEGY_MARKERS[i]!]),
  [UNKNOWN_STRATEGY_COLOR, UNKNOWN_STRATEGY_MARKER],
]);

/**
 * The marker that goes with a strategy colour, or null for any other colour. The API and the view
 * models carry a strategy's colour only; every chart and legend key finds its marker from it, so a
 * new chart drawn in strategy colours gets the markers without asking.
 */
export function markerOf(color: string): StrategyMarker | null {
  return MARKER_BY_COLOR.get(color.toLowerCase()) ?? null;
}

/** The colour of one run's own curves: its strategy's, or the accent when the strategy is unknown. */
export function singleRunColor(strategy: { known: boolean; color: string }): string {
  return strategy.known ? strategy.color : SINGLE_RUN_COLOR;
}
