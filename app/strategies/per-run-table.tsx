// A recommendation's runs one by one: best validation, noise, convergence and cost.
import Link from 'next/link';
import type { RecommendationView } from '@/lib/api/schemas/strategies';
import { fmtLoss, fmtParams } from '@/lib/views/format';
import { fmtMin, fmtNum, noiseText } from '@/lib/views/strategies-page';
import { ScrollBox } from '../_components/scroll-box';
import { AxisHeads } from './ranking-table';

export function PerRunTable({ rec }: { rec: RecommendationView }) {
  return (
    <details className="per-run">
      <summary className="small">Per run: best, convergence and cost</summary>
      <ScrollBox label={`${rec.label}: runs one by one`}>
        <table className="compact">
          <thead>
            <tr>
              <th>Run</th>
              <th>Strategy</th>
              <th className="num">Best val</th>
              <th className="num" title="the run's own validation noise around its trend (σ̂ of log loss, ≈ relative), or why there is none">
                Noise
              </th>
              <AxisHeads rec={rec} />
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
                  <td className="num" title={p.validationNoise !== null ? `σ̂ ${fmtLoss(p.validationNoise)} in loss units` : undefined}>
                    {noiseText(p)}
                  </td>
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
      </ScrollBox>
    </details>
  );
}
