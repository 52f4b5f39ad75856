// A recommendation's runs one by one: best validation, noise, convergence and cost.
import Link from 'next/link';
import type { RecommendationView } from '@/lib/api/schemas/strategies';
import { fmtLoss, fmtParams } from '@/lib/views/format';
import { fmtMin, fmtNum } from '@/lib/views/strategies-page';

export function PerRunTable({ rec }: { rec: RecommendationView }) {
  return (
    <details className="per-run">
      <summary className="small">Per run: best, convergence and cost</summary>
      <table className="compact">
        <thead>
          <tr>
            <th>Run</th>
            <th>Strategy</th>
            <th className="num">Best val</th>
            <th className="num">Noise σ̂</th>
            <th className="num">Best epoch</th>
            <th className="num">Epochs to 5%</th>
            <th className="num">Min to 5%</th>
            <th className="num">min/epoch</th>
            <th className="num">Train min</th>
            <th>Timing from</th>
            <th className="num">Trainable</th>
          </tr>
        </thead>
        <tbody>
          {rec.ranking.flatMap((r) =>
            r.perRun.map((p) => (
              <tr key={p.id}>
                <td>
                  <Link href={`/runs/${p.id}`}>#{p.id}</Link>
                </td>
                <td className="small">{r.label}</td>
                <td className="num">{fmtLoss(p.bestValidation)}</td>
                <td className="num">{fmtLoss(p.validationNoise)}</td>
                <td className="num">{fmtNum(p.bestEpoch)}</td>
                <td className="num">{fmtNum(p.epochsToConverge)}</td>
                <td className="num">{fmtMin(p.minutesToConverge)}</td>
                <td className="num">{fmtMin(p.minutesPerEpoch)}</td>
                <td className="num">
                  {fmtMin(p.trainingMinutes)}
                  {p.trainingMinutes !== null && !p.timingComplete ? ' (est.)' : ''}
                </td>
                <td className="small">{p.timingSource ?? '–'}</td>
                <td className="num">{fmtParams(p.trainableParams)}</td>
              </tr>
            )),
          )}
        </tbody>
      </table>
    </details>
  );
}
