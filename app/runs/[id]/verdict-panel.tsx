// The run page's overfitting verdict: its reason and caveat, which checkpoint to use, and the rule's
// thresholds.
import type { RunDetail } from '@/lib/api/schemas/run';
import { fmtPct, fmtRatio } from '@/lib/views/format';
import { checkpointRows } from '@/lib/views/run-page';
import { VerdictBadge } from '../../_components/badges';
import { CopyPath } from '../../_components/copy-path';
import { ScrollBox } from '../../_components/scroll-box';

export function VerdictPanel({
  verdict,
  advice,
  adviceText,
}: Pick<RunDetail, 'verdict' | 'advice'> & {
  /** Replaces the analysed advice (run-page.ts: stepCheckpointAdvice for step checkpoints without per-epoch validation, noCheckpointAdvice for a run of another format that saved none). */
  adviceText?: string | null;
}) {
  return (
    <section className="panel verdict-panel">
      <h2>
        Overfitting: <VerdictBadge verdict={verdict} />
      </h2>
      <p className="reason" data-testid="verdict-reason">
        {verdict.reason}
      </p>
      {verdict.caveat && <p className="muted small caveat">{verdict.caveat}</p>}
      <h3>Which checkpoint to use</h3>
      <p className="advice" data-testid="checkpoint-advice">
        {adviceText ?? advice.text}
      </p>
      <CheckpointTable advice={advice} />
      <p className="muted small">
        Rule: stalled for {verdict.thresholds.patience} validations (improvement under {fmtPct(verdict.thresholds.minDelta)}),{' '}
        {fmtPct(verdict.thresholds.riseThreshold)} above the best, while training loss fell. Gap at best {fmtRatio(verdict.gapAtBest)}, at
        the end {fmtRatio(verdict.gapAtEnd)}.
      </p>
    </section>
  );
}

function CheckpointTable({ advice }: { advice: RunDetail['advice'] }) {
  const rows = checkpointRows(advice);
  if (rows.length === 0) return null;
  return (
    <ScrollBox label="checkpoints saved">
      <table className="compact">
        <thead>
          <tr>
            <th>Saved</th>
            <th className="num">Epoch</th>
            <th className="num">Δ to val best</th>
            <th>Path</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ checkpoint: c, nearest, fromBest }) => (
            <tr key={`${c.kind}-${c.label}`} className={nearest ? 'winner' : undefined}>
              <td>{c.label}</td>
              <td className="num">{c.epoch ?? '?'}</td>
              <td className="num">{fromBest ?? '–'}</td>
              <td className="small">{c.path ? <CopyPath path={c.path} /> : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollBox>
  );
}
