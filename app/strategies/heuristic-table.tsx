// The user's rule of thumb (12-layer SmolVLM2 encoder): layers to unfreeze for each data size, and
// the ranking's downloads.
import type { StrategiesResponse } from '@/lib/api/schemas/strategies';
import { strategiesApiLinks } from '@/lib/views/strategies-page';

export function HeuristicTable({ heuristicTable, fpe }: { heuristicTable: StrategiesResponse['heuristicTable']; fpe: number | undefined }) {
  const links = strategiesApiLinks(fpe);
  return (
    <section className="panel">
      <h2>Rule of thumb (your notes, 12-layer SmolVLM2 encoder)</h2>
      <table className="compact" data-testid="heuristic-table">
        <thead>
          <tr>
            <th>Strategy</th>
            <th className="num">Layers to unfreeze</th>
            <th>Config</th>
            <th>Data</th>
          </tr>
        </thead>
        <tbody>
          {heuristicTable.map((row) => (
            <tr key={row.name} className={row.isDefault ? 'winner' : undefined}>
              <td>
                {row.nameZh} · {row.name}
                {row.isDefault ? ' ★ current default' : ''}
              </td>
              <td className="num">{row.minLayers === row.maxLayers ? row.maxLayers : `${row.minLayers}–${row.maxLayers}`}</td>
              <td className="mono small">[{row.spec.join(', ')}]</td>
              <td>{row.episodesText}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small">
        <a href={links.csv} download>
          Ranking CSV
        </a>{' '}
        ·{' '}
        <a href={links.json} target="_blank" rel="noreferrer">
          JSON
        </a>
      </p>
    </section>
  );
}
