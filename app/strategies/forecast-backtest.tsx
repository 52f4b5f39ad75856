// "How good are forecasts here": Thaw replays its own finished runs — forecast from the
// first 25, 50 and 75% of each, compared with how they ended — and shows per task and dataset how
// often the 80% interval held the outcome, how far off the forecast typically was and how that
// compares with assuming the loss stays put, so users can see why to trust (or not) the forecasts on
// the runs table and run pages. Data: getForecastBacktest() (what GET /api/forecasts/backtest
// answers); words: lib/views/forecast.ts. Streamed in its own Suspense boundary: the first backtest
// after a start fits every finished run (seconds), and the rest of the page does not wait for it.
import { getForecastBacktest } from '@/lib/queries/forecast';
import { backtestPanel, type BacktestRowView } from '@/lib/views/forecast';
import { errorMessage } from '@/lib/errors';

const TITLE = 'How good are forecasts here';

function Row({ row, overall = false }: { row: BacktestRowView; overall?: boolean }) {
  return (
    <tr className={overall ? 'overall' : undefined} data-testid="backtest-row" data-key={row.key}>
      <td>{row.label}</td>
      <td className="num">{row.runs}</td>
      <td className="num">{row.cases}</td>
      <td className="num">
        <span className={`badge forecast-${row.coverage.tone}`} title={row.coverage.title} data-testid="backtest-coverage">
          {row.coverage.text}
        </span>
      </td>
      <td className="num" title={row.error.title}>
        {row.error.text}
      </td>
      <td className="num">
        <span className={`badge forecast-${row.skill.tone}`} title={row.skill.title}>
          {row.skill.text}
        </span>
      </td>
    </tr>
  );
}

export async function ForecastBacktestPanel() {
  let view: ReturnType<typeof backtestPanel>;
  try {
    view = backtestPanel(await getForecastBacktest());
  } catch (error) {
    return (
      <section className="panel" data-testid="forecast-backtest" data-state="failed">
        <h2>{TITLE}</h2>
        <p className="error-note">Could not replay the finished runs: {errorMessage(error)}</p>
      </section>
    );
  }
  return (
    <section className="panel forecast-backtest" data-testid="forecast-backtest" data-state="ready">
      <h2>{TITLE}</h2>
      {view.rows.length === 0 ? (
        <p className="muted">
          No finished runs to replay yet: once runs finish, each is forecast from the first 25, 50 and 75% of its curve and compared with
          how it ended.
        </p>
      ) : (
        <>
          <table className="backtest-table">
            <thead>
              <tr>
                <th>Task</th>
                <th className="num" title="finished runs forecast from 25, 50 and 75% of their curve">
                  Runs replayed
                </th>
                <th className="num" title="forecasts compared with how the run ended">
                  Backtests
                </th>
                <th className="num" title="how often the 80% interval held the outcome: about 80% is honest (green: 65–95%)">
                  80% interval held
                </th>
                <th className="num" title="median distance between forecast and outcome, as a percentage of the loss">
                  Typical error
                </th>
                <th className="num" title="the forecast's median error ÷ that of assuming the loss stays where it is (lower is better)">
                  Error vs. “stays put”
                </th>
              </tr>
            </thead>
            <tbody>
              {view.rows.map((row) => (
                <Row key={row.key} row={row} />
              ))}
              {view.overall && <Row row={view.overall} overall />}
            </tbody>
          </table>
          {view.fractions && <p className="small">{view.fractions}</p>}
        </>
      )}
      <p className="muted small" data-testid="backtest-calibration">
        {view.calibration}
      </p>
      <p className="muted small" data-testid="backtest-note">
        {view.note}
      </p>
    </section>
  );
}

export function ForecastBacktestFallback() {
  return (
    <section className="panel" data-testid="forecast-backtest" data-state="loading">
      <h2>{TITLE}</h2>
      <p className="muted">Replaying the finished runs…</p>
    </section>
  );
}
