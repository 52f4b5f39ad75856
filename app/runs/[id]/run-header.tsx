// The run page's header: status, name and task, the annotation editor, the strategy (and where it
// came from), config and log disagreements, and the facts about the run (lib/views/run-page.ts).
import Link from 'next/link';
import type { ReactNode } from 'react';
import type { RunDetail } from '@/lib/api/schemas/run';
import {
  configText,
  datasetText,
  loadedFrom,
  paramsText,
  progressText,
  runHeadingParts,
  seenText,
  showsChain,
  SOURCE_LABELS,
  statusText,
} from '@/lib/views/run-page';
import { RunAnnotationEditor } from '../../_components/annotations';
import { CopyPath } from '../../_components/copy-path';
import { LayerStrip, StatusDot, StrategyLabel, VerdictBadge } from '../../_components/badges';

export function RunHeader({ detail }: { detail: RunDetail }) {
  const { run, strategy, verdict } = detail;
  const heading = runHeadingParts(run);
  return (
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
          {heading.head}
          {heading.aside && <span className="heading-aside"> · {heading.aside}</span>}
        </h1>
        <VerdictBadge verdict={verdict} />
        <span className="muted">{statusText(run.status)}</span>
        {run.pushError && (
          <span className="error-note small" data-testid="push-failed">
            model push failed
          </span>
        )}
        <span className="title-actions">
          <a className="button secondary small" href={`/api/runs/${run.id}`} target="_blank" rel="noreferrer">
            JSON
          </a>
          <a className="button secondary small" href={`/api/runs/${run.id}?format=csv`} download>
            Validation CSV
          </a>
          <Link className="button small" href={`/compare?runs=${run.id}&mode=runs`}>
            Compare…
          </Link>
        </span>
      </div>
      <RunAnnotationEditor
        key={run.id}
        runId={run.id}
        initial={{ name: run.name, tags: run.tags, note: run.note, starred: run.starred, hidden: run.hidden }}
      />
      {run.description && <p className="description">{run.description}</p>}
      {run.language && <p className="muted language">“{run.language}”</p>}
      <div className="strategy-row">
        <LayerStrip strategy={strategy} format={run.format} size="large" />
        <StrategyLabel strategy={strategy} format={run.format} />
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
      {/* What the run recorded: a setting it never recorded is left out, not shown as "–" (run-page.ts). */}
      <dl className="facts">
        <Fact label="Output dir" value={run.outputDir && <CopyPath path={run.outputDir} />} mono />
        <Fact label="Loaded from" value={loadedFrom(run)} />
        {showsChain(run) && <Fact label="Chain" value={<ChainLinks run={run} />} />}
        <Fact label="Config" value={configText(run, detail.progress.stepBased)} />
        <Fact label="Dataset" value={datasetText(run)} />
        <Fact label="Parameters" value={paramsText(run)} />
        <Fact label="Progress" value={<span data-testid="progress">{progressText(detail)}</span>} />
        <Fact label="Started / last seen" value={seenText(run)} />
        <Fact
          label="Built from"
          value={
            <ul className="sources" data-testid="sources">
              {detail.sources.map((source) => (
                <li key={source.id}>
                  <span className="muted">{SOURCE_LABELS[source.kind]}</span> <CopyPath path={source.path} />
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
  );
}

/** One fact; none at all (no "–") when the run did not record it. */
function Fact({ label, value, mono }: { label: string; value: ReactNode; mono?: boolean }) {
  if (value === null || value === undefined || value === '') return null;
  return (
    <>
      <dt>{label}</dt>
      <dd className={mono ? 'mono small' : undefined} data-fact={label}>
        {value}
      </dd>
    </>
  );
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
