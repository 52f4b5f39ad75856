// Axis tick labels: all the ticks of an axis are written together, with the precision their spacing
// needs, so neighbouring labels are never equal ("20.2k 20.4k", not "20k 20k"; "1.39145 1.39150", not
// "1.3914 1.3915"). chart.js hands every tick to its label callback (`callback(value, index, ticks)`);
// LineChart passes them here. Pure; fmtX/fmtY (chart-text.ts) write single values in full.
import type { ChartXAxis } from './chart-text';
import { fmtDuration } from './format';

const MAX_DECIMALS = 12;

/** The smallest gap between two different ticks (0 when there are fewer than two). */
export function tickSpacing(values: readonly number[]): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  let gap = Infinity;
  for (let i = 1; i < sorted.length; i++) {
    const d = sorted[i]! - sorted[i - 1]!;
    if (d > 0 && d < gap) gap = d;
  }
  return Number.isFinite(gap) ? gap : 0;
}

/**
 * The fewest decimals that write every value within 5% of the spacing: labels then differ wherever the
 * ticks do and each says where its tick is (chart.js's "nice" ticks come out exact; a zoomed axis's
 * odd first and last ticks close enough).
 */
export function tickDecimals(values: readonly number[], spacing: number): number {
  const tolerance = spacing * 0.05;
  for (let d = 0; d < MAX_DECIMALS; d++) {
    const scale = 10 ** d;
    if (values.every((v) => !Number.isFinite(v) || Math.abs(Math.round(v * scale) / scale - v) <= tolerance)) return d;
  }
  return MAX_DECIMALS;
}

const fixed = (value: number, decimals: number): string =>
  value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });

function nonFinite(value: number): string | null {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  return null;
}

/** Values a hair from zero (chart.js's 1e-17 for 0) are zero, so no "-0.00". */
const snap = (values: readonly number[], spacing: number) => values.map((v) => (Math.abs(v) < spacing * 1e-6 ? 0 : v));

/** Exponent form with as many mantissa decimals as the spacing needs ("1.0e-5 1.5e-5"); 0 stays "0". */
function exponential(values: readonly number[], spacing: number): string[] {
  const tolerance = spacing * 0.05;
  let digits = 0;
  while (digits < 16 && !values.every((v) => Math.abs(Number(v.toExponential(digits)) - v) <= tolerance)) digits++;
  return values.map((v) => (v === 0 ? '0' : v.toExponential(digits)));
}

/** Labels of a log axis: each its own significant digits (1, 2, 5, 10 …), more where two would be equal. */
function logLabels(values: readonly number[]): string[] {
  for (let precision = 3; precision <= MAX_DECIMALS; precision++) {
    const labels = values.map((v) => {
      const a = Math.abs(v);
      if (v === 0) return '0';
      if (a < 1e-3 || a >= 1e6)
        return Number(v.toPrecision(precision))
          .toExponential()
          .replace(/\.?0+e/, 'e');
      return Number(v.toPrecision(precision)).toLocaleString('en-US', { maximumFractionDigits: 20 });
    });
    if (new Set(labels).size === new Set(values).size) return labels;
  }
  return values.map(String);
}

/**
 * The y axis's tick labels: one number of decimals for all (as many as the spacing needs), thousands
 * separated; exponent form for very small or very large values (learning rates, FLOPs). A log axis
 * writes each tick with its own significant digits.
 */
export function yTickLabels(values: readonly number[], options: { log?: boolean } = {}): string[] {
  const bad = values.map(nonFinite);
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return bad.map((b) => b ?? '');
  if (options.log) {
    const labels = logLabels(finite);
    let i = 0;
    return bad.map((b) => b ?? labels[i++]!);
  }
  const spacing = tickSpacing(finite) || Math.abs(finite[0]!) || 1;
  const snapped = snap(finite, spacing);
  const largest = Math.max(...snapped.map(Math.abs));
  const decimals = tickDecimals(snapped, spacing);
  const labels =
    largest >= 1e6 || (largest !== 0 && largest < 1e-3) || decimals > 8
      ? exponential(snapped, spacing)
      : snapped.map((v) => fixed(v, decimals));
  let i = 0;
  return bad.map((b) => b ?? labels[i++]!);
}

/** Step units: "20.2k", "1.25M" while that needs at most 2 decimals; full numbers otherwise. */
const STEP_UNITS: readonly { size: number; from: number; suffix: string }[] = [
  { size: 1e6, from: 1e6, suffix: 'M' },
  { size: 1e3, from: 1e4, suffix: 'k' },
];

/**
 * The x axis's tick labels. Steps of 10,000 and more in k (or M) with the decimals the spacing needs,
 * else in full with separators; epochs with the decimals they need; training time as h:mm:ss (tenths
 * of a second when zoomed that far); wall time as "MM-DD HH:MM", with seconds when ticks are closer.
 */
export function xTickLabels(axis: ChartXAxis, values: readonly number[]): string[] {
  const finite = values.filter(Number.isFinite);
  const spacing = tickSpacing(finite) || 1;
  if (axis === 'wall') {
    const end = spacing >= 60 ? 16 : spacing >= 1 ? 19 : 23;
    return values.map((v) => (Number.isFinite(v) ? new Date(v * 1000).toISOString().slice(5, end).replace('T', ' ') : ''));
  }
  if (axis === 'time') {
    if (spacing >= 1) return values.map((v) => (Number.isFinite(v) ? fmtDuration(v) : ''));
    const decimals = tickDecimals(finite, spacing);
    return values.map((v) => {
      if (!Number.isFinite(v)) return '';
      const rounded = Number(v.toFixed(decimals));
      const whole = Math.floor(rounded);
      return `${fmtDuration(whole)}${(rounded - whole).toFixed(decimals).slice(1)}`;
    });
  }
  const snapped = snap(values, spacing);
  const largest = Math.max(0, ...snap(finite, spacing).map(Math.abs));
  if (axis === 'step') {
    for (const unit of STEP_UNITS) {
      if (largest < unit.from) continue;
      const scaled = snapped.map((v) => v / unit.size);
      const decimals = tickDecimals(scaled, spacing / unit.size);
      if (decimals <= 2) return scaled.map((v) => (v === 0 ? '0' : Number.isFinite(v) ? `${fixed(v, decimals)}${unit.suffix}` : ''));
    }
  }
  const decimals = tickDecimals(snapped, spacing);
  return snapped.map((v) => (Number.isFinite(v) ? fixed(v, decimals) : ''));
}
