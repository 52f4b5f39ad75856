// The stage × task loss matrix of one chain as a heatmap (plain table: crisp, printable, testable).
// Colours share one scale across every matrix on the page, so chains side by side compare directly.
import Link from 'next/link';
import type { ChainView } from '@/lib/api/schemas/tasks';
import { fmtLoss, retentionText } from '@/lib/views/format';
import { heatColor, type HeatScale } from './heat-color';
import { HeatmapPngButton } from './heatmap-png';
import { ScrollBox } from './scroll-box';
import { Swatch } from './swatch';

export { heatColor, heatScale, type HeatScale } from './heat-color';

export function ChainMatrix({ chain, scale }: { chain: ChainView; scale: HeatScale }) {
  const last = chain.stages.length - 1;
  const sequential = chain.kind === 'forgetting';
  return (
    <article className="chain panel" data-testid="chain" data-chain-kind={chain.kind} data-strategy-key={chain.strategy.key}>
      <header>
        <Swatch color={chain.strategy.color} /> <strong>{chain.strategy.label}</strong>
        {chain.strategy.mixed && <span className="muted small"> (stages differ in strategy)</span>}
        <span className={`badge kind-${chain.kind}`}>{chain.kind === 'forgetting' ? 'sequential' : 'zero-shot (independent runs)'}</span>
      </header>
      <ScrollBox label={`${chain.strategy.label}: loss after each stage`}>
        <table className="heatmap" data-testid="matrix">
          <thead>
            <tr>
              <th>after stage</th>
              {chain.taskIds.map((t) => (
                <th key={t}>task {t}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {chain.stages.map((stage, k) => (
              <tr key={stage.runId}>
                <th>
                  {k + 1}. task{stage.taskId ?? '?'} <Link href={`/runs/${stage.runId}`}>#{stage.runId}</Link>
                  {stage.status !== 'completed' && <span className="muted small"> {stage.status}</span>}
                </th>
                {chain.cells[k]!.map((cell, c) => {
                  const title = [
                    `task ${chain.taskIds[c]} after stage ${k + 1}: ${cell.nonFinite ?? fmtLoss(cell.value)}`,
                    cell.fallback ? 'no final validation block: last per-epoch value' : '',
                    cell.trainerStatus ? `trainer said: ${retentionText(cell.trainerStatus)}` : '',
                  ]
                    .filter(Boolean)
                    .join('\n');
                  return (
                    <td
                      key={c}
                      className={`cell ${cell.trained ? 'trained' : ''} ${cell.nonFinite ? 'non-finite' : ''}`}
                      style={cell.value !== null ? { background: heatColor(cell.value, scale) } : undefined}
                      title={title}
                      data-value={cell.value ?? ''}
                    >
                      {cell.nonFinite ?? fmtLoss(cell.value)}
                      {cell.fallback && <sup>†</sup>}
                      {k === last && cell.trainerStatus && <div className="small">{retentionText(cell.trainerStatus)}</div>}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollBox>
      {chain.perTask.length > 0 ? (
        <ScrollBox label={`${chain.strategy.label}: forgetting per task`}>
          <table className="compact forgetting" data-testid="forgetting">
            <thead>
              <tr>
                <th>task</th>
                <th className="num" title={sequential ? 'loss right after the stage that trained it' : 'loss of the run trained on it'}>
                  {sequential ? 'after training' : 'own run'}
                </th>
                <th className="num" title={sequential ? 'loss after the last stage' : 'loss of the last run (which never trained on it)'}>
                  {sequential ? 'at end' : 'last run'}
                </th>
                <th
                  className="num"
                  title={
                    sequential ? 'F = at end − best before the last stage (positive = forgot)' : 'difference (transfer, not forgetting)'
                  }
                >
                  {sequential ? 'F' : 'Δ'}
                </th>
                <th>trainer&apos;s status</th>
              </tr>
            </thead>
            <tbody>
              {chain.perTask.map((t) => (
                <tr key={t.taskId}>
                  <td>task {t.taskId}</td>
                  <td className="num">{fmtLoss(t.afterTraining)}</td>
                  <td className="num">{fmtLoss(t.atEnd)}</td>
                  <td className={`num ${t.forgetting !== null && t.forgetting > 0 ? 'worse' : 'better'}`}>
                    {t.forgetting === null ? '–' : `${t.forgetting > 0 ? '+' : ''}${fmtLoss(t.forgetting)}`}
                  </td>
                  <td>{t.trainerStatus ? retentionText(t.trainerStatus) : '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
      ) : null}
      <p className="small">
        {chain.kind === 'forgetting' ? 'BWT' : 'mean transfer change'}:{' '}
        <strong data-testid="bwt">{chain.bwt === null ? '–' : `${chain.bwt > 0 ? '+' : ''}${fmtLoss(chain.bwt)}`}</strong> · mean F:{' '}
        <strong>{fmtLoss(chain.meanForgetting)}</strong>
      </p>
      <p className="muted small">{chain.note}</p>
      <div className="chart-hint small">
        <HeatmapPngButton chain={chain} scale={scale} />
      </div>
    </article>
  );
}
