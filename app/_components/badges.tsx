// Small presentational pieces shared by server and client components (no hooks, no state).
import type { StrategyView, VerdictView } from '@/lib/api/schemas/common';
import { strategyShown } from '@/lib/views/strategy-shown';
import { Swatch } from './swatch';

const VERDICT_TEXT: Record<VerdictView['status'], string> = {
  overfitting: 'overfitting',
  watch: 'watch',
  diverged: 'diverged',
  ok: 'ok',
  insufficient: 'too few points',
};

/** The verdict badge; the reason sentence is its tooltip. */
export function VerdictBadge({ verdict }: { verdict: Pick<VerdictView, 'status' | 'reason'> }) {
  return (
    <span className={`badge verdict-${verdict.status}`} title={verdict.reason} data-verdict={verdict.status}>
      {VERDICT_TEXT[verdict.status]}
    </span>
  );
}

export function StatusDot({ status }: { status: string }) {
  return (
    <span className={`status-dot status-${status}`} title={status} aria-label={status} data-status={status}>
      <span className="sr-only">{status}</span>
    </span>
  );
}

/**
 * The 12 vision-encoder layers, L0 (left) to L11: filled = trained, grey = frozen. When the trainer did
 * not apply the strategy, the requested layers are shown hatched and the strip is marked. A run of a kind
 * that has no vision-freeze strategy (`format`: lib/views/strategy-view.ts strategyShown) has no strip.
 */
export function LayerStrip({
  strategy,
  format,
  size = 'small',
}: {
  strategy: StrategyView;
  /** The run's format, where the strip shows one run (else the strip never reads "no strategy"). */
  format?: string;
  size?: 'small' | 'large';
}) {
  const unfrozen = new Set(strategy.unfrozen);
  const { state } = strategyShown(strategy, format);
  if (state === 'none') return null;
  const title =
    state === 'known'
      ? `${strategy.label}: layers ${strategy.unfrozen.length === 0 ? 'none' : strategy.unfrozen.join(', ')} trained, the rest frozen`
      : state === 'unknown'
        ? 'the log does not say which vision layers trained (no freezing banner): the trainer default'
        : `not applied${strategy.failureReason ? ` (${strategy.failureReason})` : ''}: the trainer kept its default${strategy.requestedLabel ? `; requested ${strategy.requestedLabel}` : ''}`;
  return (
    <span
      className={`layer-strip ${size} ${state}`}
      title={title}
      role="img"
      aria-label={title}
      data-testid="layer-strip"
      data-state={state}
    >
      {Array.from({ length: strategy.totalLayers }, (_, layer) => (
        <span
          key={layer}
          className={`layer ${unfrozen.has(layer) ? 'on' : 'off'}`}
          style={unfrozen.has(layer) && strategy.applied ? { background: strategy.color } : undefined}
        />
      ))}
      {state === 'not-applied' && <span className="strip-mark bad">not applied</span>}
      {state === 'unknown' && <span className="strip-mark">?</span>}
    </span>
  );
}

export function StrategyLabel({ strategy, format }: { strategy: StrategyView; format?: string }) {
  const shown = strategyShown(strategy, format);
  if (shown.state === 'none')
    return (
      <span
        className="strategy-label muted"
        data-strategy-key={strategy.key}
        data-strategy-state="none"
        title="this kind of run (not the SmolVLA or LeRobot trainer's) has no vision-encoder freezing, and its log and config recorded none"
      >
        {shown.label}
      </span>
    );
  return (
    <span className="strategy-label" data-strategy-key={strategy.key} data-strategy-state={shown.state}>
      <Swatch color={strategy.color} />
      {shown.label}
      {!strategy.applied && strategy.requestedLabel && <span className="muted small"> (asked: {strategy.requestedLabel})</span>}
    </span>
  );
}
