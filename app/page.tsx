import { getOverview } from '@/lib/queries/overview';

export const dynamic = 'force-dynamic';

export default async function RunsPage() {
  const overview = await getOverview();
  if (overview.runCount === 0) return <EmptyState watching={overview.watching} sources={overview.sourceCount} />;
  return (
    <section className="panel">
      <h1>Runs</h1>
      <p>{overview.runCount} runs from {overview.sourceCount} log files.</p>
    </section>
  );
}

function EmptyState({ watching, sources }: { watching: string[]; sources: number }) {
  return (
    <section className="panel empty" data-testid="empty-state">
      <h1>No training runs yet</h1>
      <p>
        Thaw is watching <strong>{watching.join(', ')}</strong> for training logs (<code>*.log</code>, <code>*.txt</code>,{' '}
        <code>*.out</code>){sources > 0 ? `; ${sources} file(s) seen so far contain no recognisable run` : ''}.
      </p>
      <p>Point it at the folder your trainer writes to, for example:</p>
      <pre>{`python kuavo_train/train_smolvla_sequential.py ... 2>&1 | tee logs/task1.log
npx thaw start --logs ./logs /data/old-runs`}</pre>
      <p className="muted">Runs appear here within a second of their first line reaching the log.</p>
    </section>
  );
}
