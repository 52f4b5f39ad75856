/**
 * Number formatting for the plain-English reason sentences.
 *
 * Rule: losses and ratios are rounded to 4 decimals with trailing zeros dropped (0.1000 → "0.1");
 * percentages have one decimal ("18.2%"); non-finite values print as "NaN", "inf" or "-inf", and a
 * missing value (null/undefined) as "n/a".
 */

/** A loss or ratio rounded to 4 decimals, trailing zeros dropped. */
export function fmt(x: number | null | undefined): string {
  if (x === null || x === undefined) return 'n/a';
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  const r = Number(x.toFixed(4));
  return Object.is(r, -0) ? '0' : String(r);
}

/**
 * A loss as tables show it AND as the sentences beside them say it (the strategies summary and its
 * ranking table read the same digits): 4 decimals kept ("0.0360", never "0.036"), under 0.001 in
 * exponent form ("5.83e-6"), "–" when missing, NaN / inf / -inf as they are.
 */
export function fmtLoss(value: number | null | undefined): string {
  if (value === null || value === undefined) return '–';
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? 'inf' : '-inf';
  if (value !== 0 && Math.abs(value) < 0.001) return value.toExponential(2);
  return value.toFixed(4);
}

/** A relative change (0.182 → "18.2%"), one decimal. */
/** A count or step with thousands separators ("20,000"); "–" when unknown. Pages and verdict texts alike. */
export function fmtCount(value: number | null | undefined): string {
  return value === null || value === undefined ? '–' : value.toLocaleString('en-US');
}

export function pct(r: number): string {
  if (!Number.isFinite(r)) return r > 0 ? 'inf%' : r < 0 ? '-inf%' : 'NaN%';
  const s = (r * 100).toFixed(1);
  return `${s === '-0.0' ? '0.0' : s}%`;
}

/** "1 epoch" / "3 epochs". */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** A loss in a forecast's words: 3 significant digits ("0.0412", "1.23"); the UI shows forecasts with it too. */
export function lossText(v: number): string {
  return String(Number(v.toPrecision(3)));
}

/** A probability in words: "6%", "under 1%", "over 99%". */
export function chanceText(p: number): string {
  if (p < 0.01) return 'under 1%';
  if (p > 0.99) return 'over 99%';
  return `${Math.round(p * 100)}%`;
}
