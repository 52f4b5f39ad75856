// Number and time formatting for tables and tooltips (pure; server and client).

// A loss in tables and in the sentences next to them: one function (lib/analysis/format.ts).
import { fmtCount, fmtLoss } from '../analysis/format';
export { fmtCount, fmtLoss };

/** A loss the API sent as `null` plus what it was ('nan', 'inf', '-inf'): shown as NaN/inf, never as missing. */
export function fmtLossOrNonFinite(value: number | null | undefined, nonFinite: 'nan' | 'inf' | '-inf' | null | undefined): string {
  if (nonFinite === 'nan') return 'NaN';
  if (nonFinite === 'inf' || nonFinite === '-inf') return nonFinite;
  return fmtLoss(value);
}

export function fmtRatio(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '–' : `${value.toFixed(2)}×`;
}

export function fmtPct(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '–' : `${(value * 100).toFixed(1)}%`;
}

/** Parameter counts: 450,046,176 → "450.0M". */
export function fmtParams(value: number | null | undefined): string {
  if (value === null || value === undefined) return '–';
  if (value >= 1e9) return `${(value / 1e9).toFixed(2)}B`;
  if (value >= 1e6) return `${(value / 1e6).toFixed(1)}M`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(1)}k`;
  return String(value);
}

/** "2025-11-06 14:42" in UTC (the trainer's timestamps carry no zone). */
export function fmtDateTime(iso: string): string {
  return iso.slice(0, 16).replace('T', ' ');
}

/** "3 min ago" relative to `now`. */
export function fmtAgo(iso: string, now: number): string {
  const seconds = Math.max(0, (now - Date.parse(iso)) / 1000);
  if (seconds < 60) return `${Math.round(seconds)} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86400) return `${(seconds / 3600).toFixed(1)} h ago`;
  return `${Math.round(seconds / 86400)} d ago`;
}

/** Training seconds → "1:05:30" (h:mm:ss) for the wall-time axis. */
export function fmtDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}` : `${m}:${String(sec).padStart(2, '0')}`;
}

/** The last path segment(s) of a long path. */
export function shortPath(path: string, segments = 2): string {
  const parts = path.split('/').filter(Boolean);
  return parts.length <= segments ? path : `…/${parts.slice(-segments).join('/')}`;
}

/** The trainer's Forgetting Analysis status, as it prints it. */
export function retentionText(status: string): string {
  // Plain symbols: emoji fonts are missing on many Linux machines (and in headless browsers).
  return status === 'retained'
    ? '✓ retained'
    : status === 'slight_degradation'
      ? '! slight degradation'
      : status === 'significant_forgetting'
        ? '✗ forgetting'
        : status;
}

/** Any scalar's value in little room: 4 significant digits, exponent form when very large or small; '–' for none. */
export function fmtScalar(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e5 || magnitude < 1e-3) return value.toExponential(3).replace(/\.?0+e/, 'e');
  return String(Number(value.toPrecision(4)));
}
