// The compare page's legend: one colour per strategy with its number of runs, and the line styles.
import type { CompareResponse } from '@/lib/api/schemas/compare';
import { Swatch } from '../swatch';

export function Legend({ data }: { data: CompareResponse }) {
  return (
    <div className="legend" data-testid="compare-legend">
      {data.strategies.map((s) => (
        <span key={s.key} className="legend-item" data-strategy-key={s.key}>
          <Swatch color={s.color} />
          {s.label}
          <span className="muted small"> n={s.runIds.length}</span>
        </span>
      ))}
      <span className="legend-key muted small">
        <svg width="28" height="8" aria-hidden>
          <line x1="0" y1="4" x2="28" y2="4" stroke="currentColor" strokeWidth="2" />
        </svg>{' '}
        train
        <svg width="28" height="8" aria-hidden style={{ marginLeft: 10 }}>
          <line x1="0" y1="4" x2="28" y2="4" stroke="currentColor" strokeWidth="2" strokeDasharray="6 4" />
        </svg>{' '}
        validation ◆ best validation ▲ overfitting began
      </span>
    </div>
  );
}
