// The compare page's config differences: the config keys whose values differ among the runs in view,
// with the ones that change the loss marked (and a warning when they confound a strategy comparison).
import type { CompareResponse } from '@/lib/api/schemas/compare';
import { configDiffView } from '@/lib/views/compare-page';
import { ScrollBox } from '../scroll-box';

export function ConfigDiffTable({ data }: { data: CompareResponse }) {
  if (data.configDiff.runIds.length < 2) return null;
  const diff = { ...data.configDiff, ...configDiffView(data.configDiff) };
  return (
    <section className="config-diff" data-testid="config-diff">
      <h3>Config differences</h3>
      <p className="muted small" data-testid="config-diff-caption">
        {diff.caption} Keys none of them sets are left out.
      </p>
      {diff.warning && (
        <p className="error-note" role="alert" data-testid="confounder-warning">
          ⚠ {diff.warning}.
        </p>
      )}
      {diff.rows.length === 0 ? (
        <p className="muted small">These runs share every config key Thaw knows of.</p>
      ) : (
        <ScrollBox label="config differences" limited>
          <table className="compact">
            <thead>
              <tr>
                <th>Key</th>
                {diff.runIds.map((id) => (
                  <th key={id} className="num">
                    <a href={`/runs/${id}`}>#{id}</a>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {diff.rows.map((row) => (
                <tr key={row.key} className={row.confounder ? 'confounder' : undefined}>
                  <td className="mono small">
                    {row.key}
                    {row.confounder && <span className="error-text small"> · changes the loss</span>}
                  </td>
                  {row.values.map((value, i) => (
                    <td key={diff.runIds[i]} className="mono small num">
                      {value ?? '–'}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
      )}
    </section>
  );
}
