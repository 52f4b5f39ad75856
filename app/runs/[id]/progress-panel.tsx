// A step-based run's progress (LeRobot, and runs known only from their checkpoint folders): steps done
// of the configured steps, why its status is what it is, and its checkpoints (step, where, on disk or
// only named by the log). lib/views/run-page.ts runProgressView shapes it.
import { noCheckpointsText, type RunProgressView } from '@/lib/views/run-page';
import { CopyPath } from '../../_components/copy-path';
import { ScrollBox } from '../../_components/scroll-box';

export function ProgressPanel({
  view,
  consoleLog,
}: {
  view: RunProgressView;
  /** Read from a console log (which could still name a checkpoint); else from event files, checkpoint folders… */
  consoleLog: boolean;
}) {
  return (
    <section className="panel" data-testid="run-progress">
      <h2>Progress</h2>
      <p className="progress-line">
        <span data-testid="progress-steps">{view.text}</span>
        {view.fraction !== null && (
          <progress max={1} value={view.fraction} aria-label={`training progress: ${view.text}`}>
            {Math.round(view.fraction * 100)}%
          </progress>
        )}
        {view.fraction !== null && <span className="muted small">{Math.round(view.fraction * 100)}%</span>}
      </p>
      {view.statusNote && (
        <p className="muted" data-testid="status-note">
          {view.statusNote}
        </p>
      )}
      <h3>Checkpoints ({view.checkpoints.length})</h3>
      {view.checkpoints.length === 0 ? (
        <p className="muted" data-testid="checkpoints-none">
          {noCheckpointsText(consoleLog)}
        </p>
      ) : (
        <ScrollBox label="checkpoints">
          <table className="compact checkpoints" data-testid="checkpoints">
            <thead>
              <tr>
                <th className="num">Step</th>
                <th>Path</th>
                <th>Known from</th>
              </tr>
            </thead>
            <tbody>
              {view.checkpoints.map((c) => (
                <tr key={c.step} data-testid="checkpoint-row" className={c.final ? 'winner' : undefined}>
                  <td className="num">
                    {c.label.replace(/^step /, '')}
                    {c.newest && <span className="muted small"> newest</span>}
                  </td>
                  <td>{c.path ? <CopyPath path={c.path} /> : <span className="muted">–</span>}</td>
                  <td className="small">{c.onDisk ? 'on disk' : 'from the log'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
      )}
    </section>
  );
}
