import Link from 'next/link';
import { z } from 'zod';
import { ALERT_RULES } from '@/lib/analysis/alerts';
import { parseQueryOrDefault } from '@/lib/api/params';
import { alertsQuery } from '@/lib/api/schemas/alerts';
import { pageAlerts } from '@/lib/queries/alerts';
import { AlertsTable, NotificationToggle } from '../_components/alerts';
import { LiveRefresh } from '../_components/live';

export const dynamic = 'force-dynamic';

const PAGE_SIZE = 50;

const pageQuery = alertsQuery.omit({ limit: true, offset: true }).extend({
  page: z.coerce.number({ error: 'a page number' }).int('a page number').min(1, 'a page number').max(20_000).default(1),
});

export default async function AlertsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const raw = await searchParams;
  const { value: query, error } = parseQueryOrDefault(pageQuery, raw);
  const { page, ...filters } = query;
  const data = await pageAlerts({ ...filters, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
  const pages = Math.max(1, Math.ceil(data.total / PAGE_SIZE));
  const keep = (changes: Record<string, string | null>) => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(raw)) if (typeof value === 'string' && value !== '') params.set(key, value);
    for (const [key, value] of Object.entries(changes)) {
      if (value === null) params.delete(key);
      else params.set(key, value);
    }
    const text = params.toString();
    return text ? `/alerts?${text}` : '/alerts';
  };
  const filtered = Boolean(filters.rule?.length || filters.run?.length || filters.task?.length || filters.since || filters.backfill);
  const first = data.total === 0 ? 0 : (page - 1) * PAGE_SIZE + 1;
  return (
    <section className="panel" data-testid="alerts-page">
      <div className="page-head title-row">
        <div>
          <h1>Alerts</h1>
          <p className="muted">
            What happened to runs while they trained: overfitting (with the epoch it began, the best epoch and the checkpoint to use),
            divergence, crashes, stalls, and completions. Each fires once per run, as the log is read; channels (webhook, Slack,
            Feishu/Lark, DingTalk, WeCom) are set in <code>thaw-alerts.yaml</code>. Opening this page marks every alert read in this
            browser.
          </p>
        </div>
        <span className="spacer" />
        <NotificationToggle />
      </div>
      {error && <p className="error-note">Ignored a bad parameter: {error}</p>}
      <form className="filters" method="get" action="/alerts" data-testid="alerts-filters">
        <label>
          Rule
          <select name="rule" defaultValue={filters.rule?.length === 1 ? filters.rule[0] : ''}>
            <option value="">all rules</option>
            {ALERT_RULES.map((rule) => (
              <option key={rule} value={rule}>
                {rule}
              </option>
            ))}
          </select>
        </label>
        <label>
          Run
          <input name="run" placeholder="e.g. 12 or 12,14" defaultValue={filters.run?.join(',') ?? ''} size={12} />
        </label>
        <label>
          Task
          <input name="task" placeholder="e.g. 1 or 1,2" defaultValue={filters.task?.join(',') ?? ''} size={10} />
        </label>
        <label className="checkbox">
          <span>
            <input type="checkbox" name="backfill" value="true" defaultChecked={filters.backfill} /> include backfill
          </span>
        </label>
        <button type="submit" className="button small">
          Filter
        </button>
        {filtered && (
          <Link href="/alerts" className="small">
            clear filters
          </Link>
        )}
      </form>
      {data.total === 0 ? (
        <p data-testid="alerts-empty" className="muted">
          {filtered
            ? 'No alert matches these filters.'
            : 'No alerts yet. They fire while Thaw follows a log that is being written (a backfill of finished logs fires none).'}
        </p>
      ) : (
        <>
          <p className="muted small" data-testid="alerts-count">
            {first}–{first + data.alerts.length - 1} of {data.total} alert{data.total === 1 ? '' : 's'}, newest first
          </p>
          <AlertsTable alerts={data.alerts} newest={data.newest} />
          {pages > 1 && (
            <nav className="pager" data-testid="alerts-pager">
              {page > 1 ? (
                <Link href={keep({ page: page === 2 ? null : String(page - 1) })}>← newer</Link>
              ) : (
                <span className="muted">← newer</span>
              )}
              <span className="muted small">
                page {page} of {pages}
              </span>
              {page < pages ? <Link href={keep({ page: String(page + 1) })}>older →</Link> : <span className="muted">older →</span>}
            </nav>
          )}
        </>
      )}
      <LiveRefresh watch="any" />
    </section>
  );
}
