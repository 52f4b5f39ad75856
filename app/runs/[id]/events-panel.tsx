// The run page's events (checkpoints, status lines) and parse warnings.
import type { RunDetail } from '@/lib/api/schemas/run';
import { fmtLoss } from '@/lib/views/format';
import { eventText, noEventsText } from '@/lib/views/run-page';

export function EventsPanel({
  events,
  warnings,
  consoleLog,
  checkpoints,
}: Pick<RunDetail, 'events' | 'warnings'> & {
  /** Read from a console log (its line numbers mean something); else from event files, checkpoint folders… */
  consoleLog: boolean;
  /** Checkpoints the Progress panel lists. */
  checkpoints: number;
}) {
  return (
    <section className="panel">
      <h2>Events</h2>
      <ol className="timeline" data-testid="events" tabIndex={0} aria-label="events">
        {events.map((e) => (
          <li key={`${e.kind}-${e.line}`} className={`event-${e.kind}`}>
            {consoleLog && <span className="muted mono small">line {e.line} </span>}
            <strong>{eventText(e.kind)}</strong>
            {e.epoch !== null && ` · epoch ${e.epoch}`}
            {e.loss !== null && ` · loss ${fmtLoss(e.loss)}`}
            {e.path && <span className="mono small muted"> · {e.path}</span>}
            {e.message && <div className="mono small error-text">{e.message}</div>}
          </li>
        ))}
        {events.length === 0 && (
          <li className="muted" data-testid="events-none">
            {noEventsText(consoleLog, checkpoints)}
          </li>
        )}
      </ol>
      <h3>Parse warnings ({warnings.length})</h3>
      <ul className="warnings" data-testid="warnings" tabIndex={0} aria-label="parse warnings">
        {warnings.map((w) => (
          <li key={`${w.line}-${w.message}`}>
            <span className="muted mono small">line {w.line}</span> {w.message}
          </li>
        ))}
        {warnings.length === 0 && <li className="muted">None.</li>}
      </ul>
    </section>
  );
}
