// The heatmap's colour scale (shared by the table and its PNG).
import type { ChainView } from '@/lib/api/schemas/tasks';

export interface HeatScale {
  min: number;
  max: number;
}

/** Green (low loss) → yellow → red (high loss). */
export function heatColor(value: number, scale: HeatScale): string {
  const t = scale.max > scale.min ? Math.min(1, Math.max(0, (value - scale.min) / (scale.max - scale.min))) : 0;
  const hue = 130 - 130 * t;
  return `hsl(${hue.toFixed(0)}, 62%, ${(88 - 18 * t).toFixed(0)}%)`;
}

export function heatScale(chains: readonly ChainView[]): HeatScale {
  const values = chains.flatMap((c) => c.cells.flatMap((row) => row.map((cell) => cell.value))).filter((v): v is number => v !== null);
  return values.length === 0 ? { min: 0, max: 1 } : { min: Math.min(...values), max: Math.max(...values) };
}
