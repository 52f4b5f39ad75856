import Link from 'next/link';
import { notFound } from 'next/navigation';
import { Suspense } from 'react';
import { z } from 'zod';
import { isFinished } from '@/lib/analysis';
import { NotFoundError } from '@/lib/api/errors';
import { parseQueryOrDefault } from '@/lib/api/params';
import { X_AXES, flagParam, smoothParam } from '@/lib/api/schemas/common';
import { runIdParam, type RunDetail } from '@/lib/api/schemas/run';
import { scalarsViewQuery } from '@/lib/api/schemas/scalars';
import { getScalarTags } from '@/lib/queries/scalars';
import { readLogTail } from '@/lib/queries/log-tail';
import { getRunDetail } from '@/lib/queries/run';
import { getRunSeriesBundle } from '@/lib/queries/series';
import { singleRunColor } from '@/lib/views/strategy-colors';
import { strategyShown } from '@/lib/views/strategy-shown';
import {
  chartTitle,
  defaultRunAxis,
  noCheckpointAdvice,
  noCurvesNote,
  noMultiTaskValidationText,
  runMarkers,
  runProgressView,
  stepCheckpointAdvice,
} from '@/lib/views/run-page';
import { LiveRefresh } from '../../_components/live';
import { ConfigView } from '../../_components/config-view';
import { LogTail } from '../../_components/log-tail';
import { RunCharts } from '../../_components/run-charts';
import { EvalCharts } from './eval-charts';
import { EventsPanel } from './events-panel';
import { ProgressPanel } from './progress-panel';
import { RunHeader } from './run-header';
import { ScalarsSection } from './scalars-section';
import { ValidationTable } from './validation-table';
import { VerdictPanel } from './verdict-panel';

export const dynamic = 'force-dynamic';

const pageQuery = scalarsViewQuery.extend({
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
  const x = view.x ?? defaultRunAxis(detail.progress);
  const [[train, val, step, lr], tail, scalars] = await Promise.all([
    getRunSeriesBundle(id, ['train', 'val', 'step', 'lr'], { x, smooth: view.smooth, points: 1000 }),
    readLogTail(id, 40),
    getScalarTags(id),
  ]);
  // A run known by its event files alone has no log curves: its Scalars section says everything.
  const hasScalars = scalars.tags.length > 0 || scalars.others.length > 0;
  const scalarsOnly =
    hasScalars && [train, val, step, lr].every((m) => m!.series.every((s) => s.points.length === 0)) && detail.evals.length === 0;
  const { run, strategy, verdict, advice } = detail;
  const markers = runMarkers(verdict);
  const progress = runProgressView(detail);
  // Never an empty chart: without a point on this axis, one line says why (and where the curves are).
  const points = [train!, val!, step!].reduce((n, bundle) => n + bundle.series.reduce((m, s) => m + s.points.length, 0), 0);
  const noCurves = noCurvesNote(detail, x, points);
  const showProgress = !progress.epochCharts || progress.checkpoints.length > 0;
  // A format with no multi-task validation at all: one quiet line why, never "not yet".
  const noValidation = noMultiTaskValidationText(run, detail.validation.rows.length);
  const title = chartTitle(run, strategyShown(strategy, run.format).label);
  return (
    <>
      <RunHeader detail={detail} />

      {/* Steps done and checkpoints: first when there is no curve to show, else after the curves. */}
      {showProgress && noCurves && <ProgressPanel view={progress} consoleLog={tail.consoleLog} />}

      <VerdictPanel verdict={verdict} advice={advice} adviceText={stepCheckpointAdvice(detail) ?? noCheckpointAdvice(detail)} />

      {!scalarsOnly && (
        <section className="panel">
          <h2>Curves</h2>
          {noCurves ? (
            <p className="muted" data-testid="no-curves">
              {noCurves.text}{' '}
              {noCurves.otherAxis && <Link href={`/runs/${run.id}?x=${noCurves.otherAxis}`}>Show it by {noCurves.otherAxis}</Link>}
            </p>
          ) : (
            <Suspense>
              <RunCharts
                runId={run.id}
                title={title}
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
                forecast={isFinished(run.status) ? null : { stepsPerEpoch: run.config.stepsPerEpoch }}
              />
            </Suspense>
          )}
          <EvalCharts evals={detail.evals} color={singleRunColor(strategy)} />
        </section>
      )}

      {hasScalars && (
        <Suspense>
          <ScalarsSection
            runId={run.id}
            data={scalars}
            initial={{ filter: view.sfilter, closed: view.sclosed, axis: view.sx, smooth: view.ssmooth, log: view.slog }}
            title={title}
          />
        </Suspense>
      )}

      {showProgress && !noCurves && <ProgressPanel view={progress} consoleLog={tail.consoleLog} />}

      <section className="panel" data-testid={noValidation ? 'validation-none' : undefined}>
        <h2>Multi-task validation</h2>
        {noValidation ? <p className="muted small">{noValidation}</p> : <ValidationTable detail={detail} />}
      </section>

      {detail.config && (
        <section className="panel">
          <h2>Config</h2>
          <ConfigView tree={detail.config.tree} overrides={detail.config.overrides} />
        </section>
      )}

      <div className="two-columns">
        <EventsPanel
          events={detail.events}
          warnings={detail.warnings}
          consoleLog={tail.consoleLog}
          checkpoints={progress.checkpoints.length}
        />
        <section className="panel">
          <h2>Raw log (last lines)</h2>
          <LogTail initial={tail} />
        </section>
      </div>
      <LiveRefresh runIds={[run.id]} />
    </>
  );
}
