// A recommendation's cost vs quality: the chart of best validation against training time, with the
// trade-offs between the strategies on the Pareto front.
import type { RecommendationView } from '@/lib/api/schemas/strategies';
import { noTradeoffText, tradeoffPngName, tradeoffPoints, tradeoffTitle } from '@/lib/views/strategies-page';
import { TradeoffChart } from './tradeoff-chart';

export function TradeoffPanel({ rec }: { rec: RecommendationView }) {
  const points = tradeoffPoints(rec);
  return points.length > 0 ? (
    <div className="tradeoff">
      <TradeoffChart points={points} pngName={tradeoffPngName(rec)} pngTitle={tradeoffTitle(rec)} />
      <div className="tradeoff-notes">
        <h3>Cost vs quality</h3>
        {rec.tradeoffs.length > 0 ? (
          <ul data-testid="tradeoffs">
            {rec.tradeoffs.map((t) => (
              <li key={t}>{t}</li>
            ))}
          </ul>
        ) : (
          <p className="muted small">{noTradeoffText(rec)}</p>
        )}
        <p className="muted small">
          Larger points outlined in dark, joined by the dashed line: the Pareto front (no other strategy is both faster and better).
          Vertical bars: 95% intervals (dashed: a single run&apos;s own validation noise, not run-to-run spread).
        </p>
      </div>
    </div>
  ) : (
    <p className="muted small">No training timing in these logs: no cost chart.</p>
  );
}
