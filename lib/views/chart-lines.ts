// What a line chart draws, as data: lines, min–max bands and markers. The view models (lib/views)
// build these; app/_components/line-chart.tsx draws them.
import type { BandPoint, ChartPoint } from '../api/schemas/common';

export interface ChartLine {
  id: string;
  label: string;
  color: string;
  points: ChartPoint[];
  dashed?: boolean;
  /** The raw series under a smoothed one: thin and translucent, not in tooltips. */
  faint?: boolean;
  width?: number;
  /** Draw the points (sparse series such as epoch validations). */
  dots?: boolean;
  /**
   * The basis of an aggregate line at its xs. The tooltip gives n, mean, min and max at the hovered x,
   * and the line fades where fewer runs than its most are behind it.
   */
  stats?: AggregateStat[];
}

/** [x, min, max, n, mean] of an aggregate point. */
export type AggregateStat = [number, number, number, number, number | null];

export interface ChartBand {
  id: string;
  color: string;
  /** [x, min, max, n?]; drawn fainter where fewer runs are behind it, not at all where n < 2. */
  band: BandPoint[];
}

export interface ChartMarker {
  id: string;
  kind: 'best' | 'overfit';
  x: number;
  y: number;
  color: string;
  label: string;
}

/**
 * A forecast cone: a dashed central line and a translucent band between lo and hi, from the run's last
 * point to its planned end, in the run's colour.
 */
export interface ChartCone {
  id: string;
  color: string;
  label: string;
  /** [x, central, lo, hi], x ascending. */
  points: [number, number, number, number][];
}

/** A horizontal level across the chart (the incumbent's final loss), labelled, with a link. */
export interface ChartReference {
  id: string;
  y: number;
  label: string;
  color: string;
  href?: string;
}
