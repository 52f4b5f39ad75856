// The run page's multi-task validation table: every task's loss per epoch (and the final block), with
// the trainer's retention verdicts.
import type { RunDetail } from '@/lib/api/schemas/run';
import { fmtLoss, retentionText } from '@/lib/views/format';
import { validationRowClass } from '@/lib/views/run-page';
import { ScrollBox } from '../../_components/scroll-box';

export function ValidationTable({ detail }: { detail: RunDetail }) {
  const { taskIds, rows } = detail.validation;
  if (rows.length === 0) return <p className="muted">No validation lines yet.</p>;
  const own = detail.verdict.taskId;
  return (
    <ScrollBox label="validation by epoch and task" limited>
      <table className="compact validation" data-testid="validation-table">
        <thead>
          <tr>
            <th>Epoch</th>
            {taskIds.map((t) => (
              <th key={t} className="num">
                task {t}
                {t === own ? ' (own)' : ''}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={`${row.final}-${row.epoch}`} className={validationRowClass(row, detail.verdict.bestEpoch)}>
              <td>{row.final ? `final (after ${row.epoch})` : row.epoch}</td>
              {taskIds.map((t, i) => (
                <td key={t} className="num">
                  {row.nonFinite[i] ?? fmtLoss(row.losses[i])}
                  {row.retention[i] && (
                    <span className={`retention retention-${row.retention[i]}`}> {retentionText(row.retention[i])}</span>
                  )}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollBox>
  );
}
