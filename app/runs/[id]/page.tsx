import Link from 'next/link';
import { notFound } from 'next/navigation';
import { Suspense, type ReactNode } from 'react';
import { z } from 'zod';
import { NotFoundError } from '@/lib/api/errors';
import { parseQueryOrDefault } from '@/lib/api/params';
import { X_AXES, flagParam, smoothParam } from '@/lib/api/schemas/common';
import { runIdParam, type RunDetail } from '@/lib/api/schemas/run';
import { readLogTail } from '@/lib/queries/log-tail';
import { getRunDetail } from '@/lib/queries/run';
import { getRunSeriesBundle } from '@/lib/queries/series';
import { singleRunColor } from '@/lib/views/strategy-colors';
import { LayerStrip, StatusDot, StrategyLabel, VerdictBadge } from '../../_components/badges';
import { fmtCount, fmtDateTime, fmtLoss, fmtParams, fmtPct, fmtRatio, retentionText } from '@/lib/views/format';
import { RunAnnotationEditor } from '../../_components/annotations';
import { LiveRefresh } from '../../_components/live';
import { ConfigView } from '../../_components/config-view';
import { LogTail } from '../../_components/log-tail';
import { LineChart } from '../../_components/line-chart';
import { RunCharts } from '../../_components/run-charts';

export const dynamic = 'force-dynamic';

const pageQuery = z.object({
  x: z.enum(X_AXES, { error: 'one of epoch, step, time' }).optional(),
  smooth: smoothParam,
  log: flagParam.default(false),
});

export default async function RunPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const parsedId = runIdParam.safeParse((await params).id);
  if (!parsedId.success) notFound();
  const id = parsedId.data;
  const { value: view } = parseQueryOrDefault(pageQuery, await searchParams);
  let detail: RunDetail;
  try {
    detail = await getRunDetail(id);
  } catch (error) {
    if (error instanceof NotFoundError) notFound();
    throw error;
  }
  // Open on the axis that has data: steps for a step-based run (LeRobot), epochs otherwise.
  const x = view.x ?? (detail.progress.stepBased ? 'step' : 'epoch');
  const [[train, val, step, lr], tail] = await Promise.all([
    getRunSeriesBundle(id, ['train', 'val', 'step', 'lr'], { x, smooth: view.smooth, points: 1000 }),
    readLogTail(id, 40),
  ]);
  const { run, strategy, verdict, advice } = detail;
  const markers = [
    ...(verdict.bestEpoch !== null
      ? [
          {
            kind: 'best' as const,
            epoch: verdict.bestEpoch,
            label: `best validation ${fmtLoss(verdict.bestValue)} at epoch ${verdict.bestEpoch}`,
          },
        ]
      : []),
    ...(verdict.overfitStartEpoch !== null
      ? [{ kind: 'overfit' as const, epoch: verdict.overfitStartEpoch, label: `overfitting began at epoch ${verdict.overfitStartEpoch}` }]
      : []),
  ];
  return (
    <>
      <section className="panel run-header" data-testid="run-header">
        <div className="title-row">
          <StatusDot status={run.status} />
          <h1>
            {run.name && (
              <span className="run-name" data-testid="run-title-name">
                {run.name}
                {' · '}
              </span>
            )}
            {run.taskId === null && run.format === 'lerobot' ? (
              <>
                #{run.id} · LeRobot {run.outputDir ? lastPathPart(run.outputDir) : ''}
              </>
            ) : (
              <>
                #{run.id} · task{run.taskId ?? '?'} {run.taskName ?? ''}
              </>
            )}
          </h1>
          <VerdictBadge verdict={verdict} />
          <span className="muted">{statusText(run.status)}</span>
          {run.pushError && (
            <span className="error-note small" data-testid="push-failed">
              model push failed
            </span>
          )}
          <span className="spacer" />
          <a className="button secondary small" href={`/api/runs/${run.id}`} target="_blank" rel="noreferrer">
            JSON
          </a>
          <a className="button secondary small" href={`/api/runs/${run.id}?format=csv`} download>
            Validation CSV
          </a>
          <Link className="button small" href={`/compare?runs=${run.id}&mode=runs`}>
            Compare…
          </Link>
        </div>
        <RunAnnotationEditor
          key={run.id}
          runId={run.id}
          initial={{ name: run.name, tags: run.tags, note: run.note, starred: run.starred, hidden: run.hidden }}
        />
        {run.description && <p className="description">{run.description}</p>}
        {run.language && <p className="muted language">“{run.language}”</p>}
        <div className="strategy-row">
          <LayerStrip strategy={strategy} size="large" />
          <StrategyLabel strategy={strategy} />
          {!strategy.applied && (
            <span className="error-note small">
              Strategy not applied{strategy.failureReason ? `: ${strategy.failureReason}` : ''} — the trainer kept its default.
            </span>
          )}
          {detail.strategySource === 'config' && (
            <span className="muted small" data-testid="strategy-from-config">
              from config, not confirmed by the log
            </span>
          )}
        </div>
        {detail.strategyConflict && detail.config?.strategy && (
          <div className="strategy-row" data-testid="strategy-conflict">
            <LayerStrip strategy={detail.config.strategy} size="large" />
            <StrategyLabel strategy={detail.config.strategy} />
            <span className="error-note small">The config asked for this; the log shows the layers above.</span>
          </div>
        )}
        {detail.configMismatches.length > 0 && (
          <p className="error-note small" data-testid="config-mismatch">
            The config and the log disagree:{' '}
            {detail.configMismatches.map((m, i) => (
              <span key={m.setting}>
                {i > 0 ? '; ' : ''}
                {m.label} {m.config} in the config, {m.run} in the log
              </span>
            ))}
            . Runs compared by their config may not have trained as it says.
          </p>
        )}
        <dl className="facts">
          <Fact label="Output dir" value={run.outputDir} mono />
          <Fact label="Loaded from" value={loadedFrom(run)} />
          <Fact label="Chain" value={<ChainLinks run={run} />} />
          <Fact label="Config" value={configText(run, detail.progress.stepBased)} />
          <Fact
            label="Dataset"
            value={`${fmtCount(run.config.datasetFrames)} frames${run.config.datasetFps ? ` @ ${run.config.datasetFps} fps` : ''}${run.config.episodes !== null ? ` · ${fmtCount(run.config.episodes)} episodes` : ''}`}
          />
          <Fact
            label="Parameters"
            value={`${fmtParams(run.params.total)} total · ${fmtParams(run.params.trainable)} trainable (${run.params.total && run.params.trainable ? fmtPct(run.params.trainable / run.params.total) : '–'})${run.params.visionTotal ? ` · vision ${fmtParams(run.params.visionTrainable)}/${fmtParams(run.params.visionTotal)}` : ''}`}
          />
          <Fact label="Progress" value={<span data-testid="progress">{progressText(detail)}</span>} />
          <Fact label="Started / last seen" value={`${fmtDateTime(run.startedAt)} / ${fmtDateTime(run.lastSeenAt)} (UTC)`} />
          <Fact
            label="Built from"
            value={
              <ul className="sources" data-testid="sources">
                {detail.sources.map((source) => (
                  <li key={source.id}>
                    <span className="muted">{SOURCE_LABELS[source.kind]}</span> {source.path}
                    {source.state !== 'active' ? ` (${source.state})` : ''}
                  </li>
                ))}
              </ul>
            }
            mono
          />
          {run.errorMessage && <Fact label={run.status === 'stopped' ? 'Stopped with' : 'Crashed with'} value={run.errorMessage} mono />}
          {run.pushError && <Fact label="Model push failed" value={run.pushError} mono />}
        </dl>
      </section>

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
          {advice.text}
        </p>
        <CheckpointTable advice={advice} />
        <p className="muted small">
          Rule: stalled for {verdict.thresholds.patience} validations (improvement under {fmtPct(verdict.thresholds.minDelta)}),{' '}
          {fmtPct(verdict.thresholds.riseThreshold)} above the best, while training loss fell. Gap at best {fmtRatio(verdict.gapAtBest)}, at
          the end {fmtRatio(verdict.gapAtEnd)}.
        </p>
      </section>

      <section className="panel">
        <h2>Curves</h2>
        <Suspense>
          <RunCharts
            runId={run.id}
            title={`Run #${run.id} · task ${run.taskId ?? '?'}${run.taskName ? ` ${run.taskName}` : ''} · ${strategy.label}`}
            ownTaskId={verdict.taskId}
            color={singleRunColor(strategy)}
            train={train!}
            val={val!}
            step={step!}
            lr={lr!}
            x={x}
            smooth={view.smooth}
            log={view.log}
            markers={markers}
          />
        </Suspense>
        <EvalCharts evals={detail.evals} color={singleRunColor(strategy)} />
      </section>

      <section className="panel">
        <h2>Multi-task validation</h2>
        <ValidationTable detail={detail} />
      </section>

      {detail.config && (
        <section className="panel">
          <h2>Config</h2>
          <ConfigView tree={detail.config.tree} overrides={detail.config.overrides} />
        </section>
      )}

      <div className="two-columns">
        <section className="panel">
          <h2>Events</h2>
          <ol className="timeline" data-testid="events">
            {detail.events.map((e) => (
              <li key={`${e.kind}-${e.line}`} className={`event-${e.kind}`}>
                <span className="muted mono small">line {e.line}</span> <strong>{eventText(e.kind)}</strong>
                {e.epoch !== null && ` · epoch ${e.epoch}`}
                {e.loss !== null && ` · loss ${fmtLoss(e.loss)}`}
                {e.path && <span className="mono small muted"> · {e.path}</span>}
                {e.message && <div className="mono small error-text">{e.message}</div>}
              </li>
            ))}
            {detail.events.length === 0 && <li className="muted">No checkpoint or status lines yet.</li>}
          </ol>
          <h3>Parse warnings ({detail.warnings.length})</h3>
          <ul className="warnings" data-testid="warnings">
            {detail.warnings.map((w) => (
              <li key={`${w.line}-${w.message}`}>
                <span className="muted mono small">line {w.line}</span> {w.message}
              </li>
            ))}
            {detail.warnings.length === 0 && <li className="muted">None.</li>}
          </ul>
        </section>
        <section className="panel">
          <h2>Raw log (last lines)</h2>
          <LogTail initial={tail} />
        </section>
      </div>
      <LiveRefresh runIds={[run.id]} />
    </>
  );
}

const STATUS_TEXT: Record<string, string> = { stopped: 'stopped by the user' };
const statusText = (status: string) => STATUS_TEXT[status] ?? status;

const lastPathPart = (dir: string) => dir.replace(/\/+$/, '').split('/').at(-1) ?? dir;

function configText(run: RunDetail['run'], stepBased: boolean): string {
  const c = run.config;
  if (stepBased)
    return `batch ${fmtCount(c.batchSize)} · ${fmtCount(c.totalSteps)} steps${c.learningRate !== null ? ` · lr ${c.learningRate}` : ''}`;
  return `${fmtCount(c.epochsTotal)} epochs · batch ${fmtCount(c.batchSize)} · lr ${c.learningRate ?? '–'} · ${fmtCount(c.stepsPerEpoch)} steps/epoch · ${fmtCount(c.totalSteps)} steps`;
}

function progressText(detail: RunDetail): string {
  const p = detail.progress;
  if (p.stepBased) {
    const estimated = p.estimatedSteps > 0 ? ` · ${fmtCount(p.estimatedSteps)} steps estimated` : '';
    return `step ${fmtCount(p.lastStep)}/${fmtCount(detail.run.config.totalSteps)} · last loss ${fmtLoss(p.lastStepLoss)} · smoothed ${fmtLoss(p.smoothedStepLoss)}${estimated}`;
  }
  return `epoch ${p.epochsDone}/${p.epochsTotal ?? '?'}${p.lastStep ? ` · step ${fmtCount(p.lastStep)}` : ''} · last train ${fmtLoss(p.lastTrainLoss)}`;
}

/** Evaluation success rate (and reward) by step, where the trainer printed them. */
function EvalCharts({ evals, color }: { evals: RunDetail['evals']; color: string }) {
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

const SOURCE_LABELS: Record<RunDetail['sources'][number]['kind'], string> = {
  log: 'console log',
  tfevents: 'event file',
  results_json: 'results JSON',
  hydra_config: 'Hydra config',
  train_config: 'LeRobot train_config.json',
};

function Fact({ label, value, mono }: { label: string; value: ReactNode; mono?: boolean }) {
  return (
    <>
      <dt>{label}</dt>
      <dd className={mono ? 'mono small' : undefined}>{value ?? '–'}</dd>
    </>
  );
}

function loadedFrom(run: RunDetail['run']): string {
  if (run.loadedFrom === 'task') return `task ${run.resumeTaskId ?? '?'} checkpoint ${run.resumePath ?? ''}`;
  if (run.loadedFrom === 'pretrained') return `pretrained ${run.pretrainedPath ?? ''}`;
  if (run.loadedFrom === 'scratch') return 'from scratch';
  return '–';
}

function ChainLinks({ run }: { run: RunDetail['run'] }) {
  if (run.parentRunId === null && run.childRunIds.length === 0) return <>independent run</>;
  return (
    <>
      {run.parentRunId !== null && (
        <>
          continues <Link href={`/runs/${run.parentRunId}`}>#{run.parentRunId}</Link>
        </>
      )}
      {run.parentRunId !== null && run.childRunIds.length > 0 && ' · '}
      {run.childRunIds.length > 0 && (
        <>
          continued by{' '}
          {run.childRunIds.map((c, i) => (
            <span key={c}>
              {i > 0 ? ', ' : ''}
              <Link href={`/runs/${c}`}>#{c}</Link>
            </span>
          ))}
        </>
      )}{' '}
      · <Link href="/tasks">matrix</Link>
    </>
  );
}

const EVENT_TEXT: Record<string, string> = {
  best_saved: 'best/ saved (lowest training loss so far)',
  checkpoint_saved: 'checkpoint saved',
  final_saved: 'final model saved',
  completed: 'completed',
  crashed: 'crashed',
  stopped: 'stopped by the user',
  loaded: 'loaded',
};
const eventText = (kind: string) => EVENT_TEXT[kind] ?? kind;

function CheckpointTable({ advice }: { advice: RunDetail['advice'] }) {
  const rows = [...advice.periodic, ...(advice.bestDir ? [advice.bestDir] : []), ...(advice.final ? [advice.final] : [])];
  if (rows.length === 0) return null;
  return (
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
        {rows.map((c) => (
          <tr key={`${c.kind}-${c.label}`} className={advice.nearest && advice.nearest.label === c.label ? 'winner' : undefined}>
            <td>{c.label}</td>
            <td className="num">{c.epoch ?? '?'}</td>
            <td className="num">{c.epoch !== null && advice.bestValidationEpoch !== null ? c.epoch - advice.bestValidationEpoch : '–'}</td>
            <td className="mono small">{c.path ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ValidationTable({ detail }: { detail: RunDetail }) {
  const { taskIds, rows } = detail.validation;
  if (rows.length === 0) return <p className="muted">No validation lines yet.</p>;
  const own = detail.verdict.taskId;
  return (
    <div className="table-scroll limited">
      <table className="compact validation" data-testid="validation-table">
        <thead>
          <tr>
            <th>Epoch</th>
            {taskIds.map((t) => (
              <th key={t} className="num">
                task {t}
                {t === own ? ' (own)' : ''}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr
              key={`${row.final}-${row.epoch}`}
              className={row.final ? 'final' : row.epoch === detail.verdict.bestEpoch ? 'winner' : undefined}
            >
              <td>{row.final ? `final (after ${row.epoch})` : row.epoch}</td>
              {taskIds.map((t, i) => (
                <td key={t} className="num">
                  {row.nonFinite[i] ?? fmtLoss(row.losses[i])}
                  {row.retention[i] && (
                    <span className={`retention retention-${row.retention[i]}`}> {retentionText(row.retention[i])}</span>
                  )}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
