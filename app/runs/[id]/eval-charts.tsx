// The run page's evaluation charts: success rate and eval loss by step, where the trainer printed them.
import type { RunDetail } from '@/lib/api/schemas/run';
import { LineChart } from '../../_components/line-chart';

export function EvalCharts({ evals, color }: { evals: RunDetail['evals']; color: string }) {
  const success = evals.filter((e) => e.successRate !== null).map((e): [number, number | null] => [e.step, e.successRate]);
  const loss = evals.filter((e) => e.loss !== null).map((e): [number, number | null] => [e.step, e.loss]);
  if (success.length === 0 && loss.length === 0) return null;
  return (
    <>
      {success.length > 0 && (
        <LineChart
          lines={[{ id: 'eval-success', label: 'eval success rate (%)', color, points: success, dots: true, width: 2 }]}
          xAxis="step"
          yLabel="success %"
          height={200}
          testId="run-eval-chart"
        />
      )}
      {loss.length > 0 && (
        <LineChart
          lines={[{ id: 'eval-loss', label: 'eval loss', color, points: loss, dots: true, dashed: true, width: 2 }]}
          xAxis="step"
          yLabel="eval loss"
          height={200}
          testId="run-eval-loss-chart"
        />
      )}
    </>
  );
}
