import { listChains } from '@/lib/queries/forgetting';
import { ChainMatrix, heatScale } from '../_components/heatmap';
import { LiveRefresh } from '../_components/live';

export const dynamic = 'force-dynamic';

export default async function TasksPage() {
  const { chains, thresholds } = await listChains();
  const scale = heatScale(chains);
  const sequential = chains.filter((c) => c.kind === 'forgetting');
  const independent = chains.filter((c) => c.kind !== 'forgetting');
  return (
    <>
      <section className="panel">
        <div className="page-head">
          <h1>Multi-task validation</h1>
          <p className="muted">
            Rows: the model after each sequential stage; columns: validation loss per task (final block; † = the stage had none, its last
            per-epoch value). Outlined cells are the task the stage trained. F = loss at the end minus the best before it (positive =
            forgot); BWT = mean change of earlier tasks since they were trained. The trainer&apos;s own status uses loss &lt;{' '}
            {thresholds.retained} retained, &lt; {thresholds.slightDegradation} slight degradation. One colour scale for all matrices (
            {scale.min.toFixed(3)} green → {scale.max.toFixed(3)} red).
          </p>
          <p className="muted small">
            <a href="/api/tasks?format=csv" download>
              Matrix CSV
            </a>{' '}
            ·{' '}
            <a href="/api/tasks" target="_blank" rel="noreferrer">
              JSON
            </a>
          </p>
        </div>
      </section>
      {chains.length === 0 && (
        <section className="panel" data-testid="tasks-empty">
          No multi-task validation yet: the trainer prints it after each validated epoch and at the end of each stage.
        </section>
      )}
      {sequential.length > 0 && (
        <>
          <h2 className="section-title">Sequential chains</h2>
          <div className="chains">
            {sequential.map((chain) => (
              <ChainMatrix key={chain.id} chain={chain} scale={scale} />
            ))}
          </div>
        </>
      )}
      {independent.length > 0 && (
        <>
          <h2 className="section-title">Independent runs (zero-shot transfer, not forgetting)</h2>
          <div className="chains">
            {independent.map((chain) => (
              <ChainMatrix key={chain.id} chain={chain} scale={scale} />
            ))}
          </div>
        </>
      )}
      <LiveRefresh watch="any" />
    </>
  );
}
