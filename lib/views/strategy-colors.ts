// The colour of a freeze strategy on every page and chart, and the one colour that means "unknown".
// Pure and free of the analyses, so client components import it without them.
import { DEFAULT_TOTAL_LAYERS } from '../analysis/strategy';

/**
 * One colour per number of trainable layers (0–12), cool → warm as more of the encoder trains, so the
 * same strategy has the same colour on every page and the legend reads in order. Unknown is grey.
 */
const LAYER_PALETTE = [
  '#4c3d8f',
  '#3f4fb5',
  '#3366d6',
  '#2a83e0',
  '#1f9fd1',
  '#12a7a0',
  '#2bb673',
  '#73b52b',
  '#c2a313',
  '#e8890c',
  '#e25822',
  '#c9302c',
  '#8e1b3f',
] as const;
/** The strategy is unknown (the trainer's default, not in the log). */
export const UNKNOWN_STRATEGY_COLOR = '#7a8190';
/** One run's curves on its own page when its strategy has no colour of its own (the page's accent). */
export const SINGLE_RUN_COLOR = '#2f6fed';

export function strategyColor(trainableLayers: number | null, totalLayers: number | null = DEFAULT_TOTAL_LAYERS): string {
  if (trainableLayers === null) return UNKNOWN_STRATEGY_COLOR;
  const total = totalLayers && totalLayers > 0 ? totalLayers : DEFAULT_TOTAL_LAYERS;
  const index = Math.round((Math.min(trainableLayers, total) / total) * (LAYER_PALETTE.length - 1));
  return LAYER_PALETTE[index] ?? UNKNOWN_STRATEGY_COLOR;
}

/** The colour of one run's own curves: its strategy's, or the accent when the strategy is unknown. */
export function singleRunColor(strategy: { known: boolean; color: string }): string {
  return strategy.known ? strategy.color : SINGLE_RUN_COLOR;
}
