// Vision-encoder freezing (log-formats §2.2 flexible banner of the side lineage, §2.3 partial freeze
// of the main lineage): assembles a StrategyDraft from the banner lines and commits it as the run's
// strategy.
import type { StrategyInfo, StrategyKind } from '../../events';
import { rangeInclusive } from '../common';
import type { RunContext } from '../types';
import type { SmolvlaLine } from './lines';
import type { SmolvlaState, StrategyDraft } from './state';

function newDraft(state: SmolvlaState, kind: StrategyKind): StrategyDraft {
  return {
    pass: state.reapplying ? 2 : 1,
    kind,
    spec: null,
    totalLayers: null,
    frozen: [],
    unfrozen: [],
    applied: false,
    failureReason: null,
    visionTrainableParams: null,
    visionTotalParams: null,
  };
}

function draftFor(state: SmolvlaState, kind: StrategyKind): StrategyDraft {
  if (state.draft === null) state.draft = newDraft(state, kind);
  return state.draft;
}

export function applyStrategyLine(line: SmolvlaLine, state: SmolvlaState, ctx: RunContext): void {
  switch (line.k) {
    case 'requested_strategy':
      state.requested = { kind: line.kind, spec: line.spec };
      return;
    case 'flex_reapply':
      // §2.2: the banner is printed a second time after the weights are loaded.
      state.reapplying = true;
      state.draft = null;
      return;
    case 'flex_banner':
      state.draft = newDraft(state, state.requested?.kind ?? 'none');
      if (state.requested) state.draft.spec = state.requested.spec;
      return;
    case 'total_layers': {
      const draft = draftFor(state, state.requested?.kind ?? 'none');
      draft.totalLayers = line.total;
      resolveLayers(draft);
      return;
    }
    case 'flex_strategy': {
      const draft = draftFor(state, line.kind);
      draft.kind = line.kind;
      draft.spec = line.spec;
      resolveLayers(draft);
      return;
    }
    case 'flex_ratio': {
      const draft = draftFor(state, 'ratio');
      draft.kind = 'ratio';
      draft.spec = line.ratio;
      if (draft.totalLayers !== null) {
        draft.frozen = rangeInclusive(0, line.count - 1);
        draft.unfrozen = rangeInclusive(line.count, draft.totalLayers - 1);
      }
      return;
    }
    case 'index_out_of_range':
      // The trainer skips the index and goes on; the resolved lists below say what happened.
      ctx.warn(`freeze strategy: ${line.message.replace(/^⚠\uFE0F?\s*/, '')}`);
      return;
    case 'bad_ratio': {
      // §2.2: returns right after the warning: no summary, the default freeze behaviour stays.
      const draft = draftFor(state, 'ratio');
      draft.kind = 'ratio';
      draft.spec = line.ratio;
      draft.frozen = [];
      draft.unfrozen = [];
      return fail(draft, line.message.replace(/^⚠\uFE0F?\s*/, ''), state, ctx);
    }
    case 'flex_done': {
      const draft = draftFor(state, state.requested?.kind ?? 'none');
      draft.applied = true;
      return commit(state, ctx);
    }
    case 'layer_count': {
      const draft = state.draft;
      if (draft === null) return;
      draft.totalLayers = line.total;
      if (line.count === 0) {
        if (line.frozen) draft.frozen = [];
        else draft.unfrozen = [];
      }
      return commitIfApplied(state, ctx);
    }
    case 'layer_list': {
      const draft = state.draft;
      if (draft === null) return;
      if (line.frozen) draft.frozen = sortedUnique(line.indices);
      else draft.unfrozen = sortedUnique(line.indices);
      return commitIfApplied(state, ctx);
    }
    case 'flex_failure': {
      // c88ce73/0606561 print the exception's traceback right after this line and carry on (§2.2).
      if (line.message.startsWith('访问 vision_model 时出错')) ctx.expectHandledTraceback();
      const draft = draftFor(state, state.requested?.kind ?? 'none');
      if (draft.spec === null && state.requested) draft.spec = state.requested.spec;
      return fail(draft, line.message, state, ctx);
    }
    case 'partial_too_many': {
      const draft = partialDraft(state);
      draft.spec = line.n;
      draft.totalLayers = line.total;
      return;
    }
    case 'partial_applied':
      partialDraft(state).applied = true;
      return commit(state, ctx);
    case 'partial_total':
      if (state.draft?.kind !== 'last_n') return;
      state.draft.totalLayers = line.total;
      return commitIfApplied(state, ctx);
    case 'partial_range': {
      if (state.draft?.kind !== 'last_n') return;
      const layers = rangeInclusive(line.from, line.to);
      if (line.frozen) state.draft.frozen = layers;
      else {
        state.draft.unfrozen = layers;
        if (state.draft.spec === null) state.draft.spec = line.count;
      }
      return commitIfApplied(state, ctx);
    }
    case 'vision_params':
      if (state.draft?.kind !== 'last_n') return;
      state.draft.visionTrainableParams = line.trainable;
      state.draft.visionTotalParams = line.total;
      return commitIfApplied(state, ctx);
    case 'partial_failure':
      return fail(partialDraft(state), line.message, state, ctx);
    case 'init_unfreeze_last':
      // Printed in the init banner after the partial-freeze lines: fills in N when only a failure was seen.
      if (state.strategy?.kind === 'last_n' && state.strategy.spec === null) {
        state.strategy = { ...state.strategy, spec: line.n };
        ctx.emit({ type: 'strategy', strategy: copyStrategy(state.strategy) });
      }
      return;
    case 'freeze_encoder':
      // Documented choice: `Freeze Vision Encoder: False` with no layer strategy → kind 'none' (nothing
      // frozen). `True` alone is the trainer's default and yields no strategy.
      if (!line.value && state.strategy === null && state.draft === null) {
        state.strategy = noStrategy();
        ctx.emit({ type: 'strategy', strategy: noStrategy() });
      }
      return;
    default:
      return;
  }
}

function partialDraft(state: SmolvlaState): StrategyDraft {
  if (state.draft === null || state.draft.kind !== 'last_n') state.draft = newDraft(state, 'last_n');
  return state.draft;
}

/** Frozen/unfrozen from the requested spec (the printed index lines, when present, override this). */
function resolveLayers(draft: StrategyDraft): void {
  const total = draft.totalLayers;
  if (total === null || !Array.isArray(draft.spec)) return;
  if (draft.kind === 'unfreeze') {
    const unfrozen = draft.spec.map((index) => (index < 0 ? total + index : index)).filter((i) => i >= 0 && i < total);
    draft.unfrozen = sortedUnique(unfrozen);
    draft.frozen = rangeInclusive(0, total - 1).filter((i) => !draft.unfrozen.includes(i));
  } else if (draft.kind === 'freeze') {
    draft.frozen = sortedUnique(draft.spec.filter((i) => i >= 0 && i < total));
    draft.unfrozen = rangeInclusive(0, total - 1).filter((i) => !draft.frozen.includes(i));
  }
}

function sortedUnique(values: number[]): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}

function fail(draft: StrategyDraft, reason: string, state: SmolvlaState, ctx: RunContext): void {
  draft.applied = false;
  draft.failureReason = reason;
  commit(state, ctx);
}

function commitIfApplied(state: SmolvlaState, ctx: RunContext): void {
  if (state.draft?.applied) commit(state, ctx);
}

/**
 * Emits the draft as the run's strategy. The re-application pass (§2.2) never replaces what the first
 * pass established, unless it upgrades it (first pass failed or was only the 'none' default): the
 * model's final requires_grad state is the union of what the passes did.
 */
function commit(state: SmolvlaState, ctx: RunContext): void {
  const draft = state.draft;
  if (draft === null) return;
  const previous = state.strategy;
  if (draft.pass === 2 && previous !== null && previous.kind !== 'none' && (previous.applied || !draft.applied)) return;
  const { pass: _pass, ...strategy } = draft;
  state.strategy = copyStrategy(strategy);
  ctx.emit({ type: 'strategy', strategy: copyStrategy(strategy) });
}

/** Events never share arrays with the parser state (the caller may keep or mutate them). */
function copyStrategy(strategy: StrategyInfo): StrategyInfo {
  return {
    ...strategy,
    spec: Array.isArray(strategy.spec) ? [...strategy.spec] : strategy.spec,
    frozen: [...strategy.frozen],
    unfrozen: [...strategy.unfrozen],
  };
}

function noStrategy(): StrategyInfo {
  return {
    kind: 'none',
    spec: null,
    totalLayers: null,
    frozen: [],
    unfrozen: [],
    applied: true,
    failureReason: null,
    visionTrainableParams: null,
    visionTotalParams: null,
  };
}
