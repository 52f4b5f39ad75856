/**
 * Recommendation: which vision-layer strategy the evidence favours, next to the user's rule of thumb.
 *
 * Evidence. Runs are bucketed per task and dataset size (`datasetFrames`, exact; unknown sizes form
 * their own bucket) — by the caller's facet rule when it passes one (`facetOf`: the strategies page passes
 * lib/views/facets.ts `facetKey`, under which a run without a task id has its dataset as its task). Inside a bucket, runs are grouped by strategy key (strategy.ts) and each
 * strategy is scored by its runs' best validation loss (validation.ts: min finite own-task
 * validation, per-epoch or final): mean (the ranking key), min, max and n = runs with a finite best
 * (`runs` counts all). Ranking: mean ascending; strategies without any finite best come last; ties by
 * fewer trainable layers (cheaper), then key.
 *
 * Running runs are not ranked (`rankedStatus`): a run whose status is 'running' has a best-so-far, not a
 * best, so it stays out of every statistic of the ranking (n, mean, interval, best epoch, cost) and the
 * bucket lists it in `running` ("still running, not ranked yet: #62"). Every other status is ranked: a
 * completed or stopped run ended; a crashed one's best is what it reached before it died (a real
 * measurement, just of a shorter run); a 'stale' one (no new line for the liveness window,
 * ingest/liveness.ts) was killed without saying so — OOM, a lost node — and its curve is what it is (if
 * it resumes, it is 'running' again and drops out). The forecast's incumbent asks more (a finished run:
 * completed, stopped or crashed, forecast-run.ts `isFinished`) because it needs the level a run ENDED at.
 *
 * Rule of thumb. HEURISTIC_TABLE (below) is copied from the user's notes; a bucket's row is looked up
 * by episodes: the runs' `episodes` if given (their median if they differ; the log prints frames,
 * not episodes), else the task's episode count a person gave (`taskEpisodes`, PUT /api/tasks/[id]),
 * else round(frames / framesPerEpisode) when the caller passes `framesPerEpisode`, else no row. Ranges are half-open [min, max) — the notes' boundaries overlap ("2500-4000" vs
 * "> 4000"), so 4000 goes to the upper row. `agreement` compares the top strategy's trainable layers with the row's range:
 * 'agrees' | 'more_layers' | 'fewer_layers' (null when either side is missing or the top strategy is
 * "default (unknown)").
 */
import { convergence } from './convergence';
import { runCost, type TimingSource } from './cost';
import { fmtLoss, plural } from './format';
import { paretoFront, tradeoffSentences } from './pareto';
import { compareStrategies, strategyIdentity, type StrategyIdentity } from './strategy';
import type { AnalysisRun, RunId } from './types';
import {
  MAX_RUNS_TO_SEPARATE,
  distinguishable,
  runsToSeparate,
  strategyInterval,
  validationNoise,
  type Interval,
  type NoiseEstimate,
  type RunsToSeparate,
} from './uncertainty';

export interface HeuristicRow {
  /** English name (translation of the notes' 策略名称). */
  name: string;
  /** As written in the notes. */
  nameZh: string;
  /** Layers to unfreeze (the last N); a range for "3-4层". */
  minLayers: number;
  maxLayers: number;
  /** The `unfreeze_vision_layers` value the notes give. */
  spec: readonly number[];
  /** Episodes range, half-open [minEpisodes, maxEpisodes). */
  minEpisodes: number;
  maxEpisodes: number;
  /** The notes' own wording of the range. */
  episodesText: string;
  /** The notes' current default (⭐). */
  isDefault: boolean;
}

const lastN = (n: number): number[] => Array.from({ length: n }, (_, i) => -(i + 1));

/**
 * The user's heuristic "episodes → layers to unfreeze" for the 12-layer SmolVLM2 vision encoder.
 * Provenance: the user's notes "SmolVLA 12层视觉编码器配置更新" (smolvla-12-layers-update.md,
 * v1.1, 2025-10-17; the robot_train repo's SMOLVLA_12_LAYERS_UPDATE.md at 630a2e1), section
 * "策略对比表" (strategy comparison table). Copied verbatim into data; do not read the notes at runtime.
 *   极保守 3-4层 [-1..-4] < 500 episodes · 保守 6层 500-1000 · 平衡偏保守 8层 1000-1500 ·
 *   平衡（当前）9层 1500-2500 ⭐ · 激进 10层 2500-4000 · 极激进 11层 "几乎全部解冻" > 4000
 */
export const HEURISTIC_TABLE: readonly HeuristicRow[] = Object.freeze([
  {
    name: 'very conservative',
    nameZh: '极保守',
    minLayers: 3,
    maxLayers: 4,
    spec: lastN(4),
    minEpisodes: 0,
    maxEpisodes: 500,
    episodesText: '< 500 episodes',
    isDefault: false,
  },
  {
    name: 'conservative',
    nameZh: '保守',
    minLayers: 6,
    maxLayers: 6,
    spec: lastN(6),
    minEpisodes: 500,
    maxEpisodes: 1000,
    episodesText: '500-1000 episodes',
    isDefault: false,
  },
  {
    name: 'balanced-conservative',
    nameZh: '平衡偏保守',
    minLayers: 8,
    maxLayers: 8,
    spec: lastN(8),
    minEpisodes: 1000,
    maxEpisodes: 1500,
    episodesText: '1000-1500 episodes',
    isDefault: false,
  },
  {
    name: 'balanced',
    nameZh: '平衡（当前）',
    minLayers: 9,
    maxLayers: 9,
    spec: lastN(9),
    minEpisodes: 1500,
    maxEpisodes: 2500,
    episodesText: '1500-2500 episodes',
    isDefault: true,
  },
  {
    name: 'aggressive',
    nameZh: '激进',
    minLayers: 10,
    maxLayers: 10,
    spec: lastN(10),
    minEpisodes: 2500,
    maxEpisodes: 4000,
    episodesText: '2500-4000 episodes',
    isDefault: false,
  },
  {
    name: 'very aggressive',
    nameZh: '极激进',
    minLayers: 11,
    maxLayers: 11,
    spec: lastN(11),
    minEpisodes: 4000,
    maxEpisodes: Infinity,
    episodesText: '> 4000 episodes',
    isDefault: false,
  },
]);

/** The heuristic row for a number of episodes (half-open ranges), or null. */
export function heuristicFor(episodes: number | null | undefined): HeuristicRow | null {
  if (episodes === null || episodes === undefined || !Number.isFinite(episodes) || episodes < 0) return null;
  return HEURISTIC_TABLE.find((r) => episodes >= r.minEpisodes && episodes < r.maxEpisodes) ?? null;
}

/** One run's numbers behind its strategy's row. */
export interface RankedRun {
  id: RunId;
  bestValidation: number | null;
  /** Its own validation noise in loss units at its best (σ̂ · best, uncertainty.ts); null without an estimate. */
  validationNoise: number | null;
  /** The same on the log scale (0.05 ≈ 5% from epoch to epoch), or why there is none. */
  noise: NoiseEstimate;
  /** Whether bestEpoch and epochsToConverge count epochs or optimiser steps (AnalysisRun.validationAxis). */
  axis: 'epoch' | 'step';
  bestEpoch: number | null;
  epochsToConverge: number | null;
  minutesToConverge: number | null;
  minutesPerEpoch: number | null;
  trainingMinutes: number | null;
  /** False when some trained epochs had no timing (trainingMinutes is then minutesPerEpoch × epochs). */
  timingComplete: boolean;
  timingSource: TimingSource | null;
  trainableParams: number | null;
}

export interface RankedStrategy {
  rank: number;
  key: string;
  label: string;
  identity: StrategyIdentity;
  trainableLayers: number | null;
  /** Runs with a finite best validation. */
  n: number;
  /** All runs of this strategy in the bucket. */
  runs: number;
  bestValidationMean: number | null;
  bestValidationMin: number | null;
  bestValidationMax: number | null;
  runIds: RunId[];
  /** 95% interval of the best validation (uncertainty.ts). */
  bestValidation: Interval;
  /** Intervals of this and the next rank do not overlap; null for the last rank. */
  distinguishableFromNext: boolean | null;
  /** When not distinguishable from the next: runs each that would likely separate them (null: tie or out of reach). */
  runsToSeparateNext: RunsToSeparate | null;
  /** What bestEpoch and epochsToConverge count: steps when every run's validation is by step, else epochs. */
  axis: 'epoch' | 'step';
  /** Means over the strategy's runs that have the number (convergence.ts, cost.ts; epochs or steps: over the runs on `axis`). */
  bestEpoch: number | null;
  epochsToConverge: number | null;
  minutesToConverge: number | null;
  minutesPerEpoch: number | null;
  trainingMinutes: number | null;
  trainableParams: number | null;
  /** On the Pareto front of (trainingMinutes, bestValidation.mean) within the bucket (pareto.ts). */
  pareto: boolean;
  perRun: RankedRun[];
}

/**
 * What the evidence supports:
 * - 'supported': rank 1's interval separates it from rank 2 and both have ≥ 2 runs (t-intervals);
 * - 'tentative': the intervals separate, but rank 1 or rank 2 is a single run, whose interval is only its
 *   own validation noise (nothing about another seed): a hint, not a verdict;
 * - 'not_distinguishable': rank 2 overlaps rank 1, or rank 1 has no interval;
 * - 'single_strategy': nothing to compare with; 'no_evidence': no validation loss yet.
 */
export type Verdict = 'supported' | 'tentative' | 'not_distinguishable' | 'single_strategy' | 'no_evidence';

export type Agreement = 'agrees' | 'more_layers' | 'fewer_layers';

export interface Recommendation {
  taskId: number | null;
  /** The dataset that stands for the task of runs without a task id (LeRobot), else null. */
  dataset: string | null;
  /** The experiment folder that stands for the task of runs with neither task id nor dataset, else null. */
  experiment: string | null;
  datasetFrames: number | null;
  episodes: number | null;
  /** The bucket's runs still running: not ranked (module rule), in input order. */
  running: RunId[];
  /** Their per-run figures so far (best so far, cost per epoch), for the page's per-run table and the forecast's cost. */
  runningRuns: RankedRun[];
  /** given: the runs' logs; task: the task's annotated episode count; estimated: frames ÷ frames per episode. */
  episodesSource: 'given' | 'task' | 'estimated' | null;
  ranking: RankedStrategy[];
  heuristic: HeuristicRow | null;
  agreement: Agreement | null;
  verdict: Verdict;
  /** Keys of the strategies not distinguishable from rank 1 (rank 1 included). */
  leaders: string[];
  /** Trade-off along the Pareto front, cheapest first (pareto.ts). */
  tradeoffs: string[];
  summary: string;
}

export interface RecommendOptions {
  /** Frames per episode, to estimate episodes from `datasetFrames` when runs carry no `episodes`. */
  framesPerEpisode?: number;
  /** Episodes per task id, as people gave them (annotations): used when the runs carry no `episodes`. */
  taskEpisodes?: ReadonlyMap<number, number>;
  /** Which runs are ranked together (the caller's facet rule); default: task × dataset size. */
  facetOf?: (run: AnalysisRun) => string;
}

/** Whether a run with this status takes part in a ranking (module rule: every status but 'running'; unknown = ranked). */
export function rankedStatus(status: string | undefined): boolean {
  return status !== 'running';
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? null) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

function meanOf(xs: readonly (number | null)[]): number | null {
  const finite = xs.filter((x): x is number => x !== null && Number.isFinite(x));
  return finite.length === 0 ? null : finite.reduce((p, q) => p + q, 0) / finite.length;
}

function rankedRun(r: AnalysisRun): RankedRun {
  const seconds = r.epochSeconds ?? [];
  const conv = convergence(r, seconds);
  const epochsDone = r.epochsDone ?? r.epochs.reduce((max, e) => Math.max(max, e.epoch), 0);
  const cost = runCost(seconds, epochsDone);
  const noise = validationNoise(r);
  return {
    id: r.id,
    bestValidation: conv.bestLoss,
    validationNoise: noise.logSigma === null || conv.bestLoss === null ? null : noise.logSigma * conv.bestLoss,
    noise,
    axis: r.validationAxis ?? 'epoch',
    bestEpoch: conv.bestEpoch,
    epochsToConverge: conv.epochsToConverge,
    minutesToConverge: conv.minutesToConverge,
    minutesPerEpoch: cost.minutesPerEpoch,
    trainingMinutes: cost.trainingMinutes,
    timingComplete: cost.complete,
    timingSource: cost.source,
    trainableParams: r.trainableParams ?? null,
  };
}

/** The name of a strategy in sentences: "9 layers", else its label. */
function shortName(r: Pick<RankedStrategy, 'trainableLayers' | 'label'>): string {
  return r.trainableLayers === null ? r.label : plural(r.trainableLayers, 'layer');
}

function rankBucket(runs: readonly AnalysisRun[]): RankedStrategy[] {
  const byKey = new Map<string, { identity: StrategyIdentity; runs: AnalysisRun[] }>();
  for (const r of runs) {
    const own = strategyIdentity(r.strategy);
    const identity = own.known ? own : strategyIdentity(null);
    const entry = byKey.get(identity.key);
    if (entry === undefined) byKey.set(identity.key, { identity, runs: [r] });
    else entry.runs.push(r);
  }
  const rows: RankedStrategy[] = [...byKey.values()].map(({ identity, runs: members }) => {
    const perRun = members.map(rankedRun);
    // What the row counts is what its evidence counts: a run without any validation (a LeRobot log
    // without eval_loss next to one with it) does not turn a by-step ranking into a by-epoch one.
    const evidence = perRun.filter((p) => p.bestValidation !== null);
    const axis = (evidence.length > 0 ? evidence : perRun).every((p) => p.axis === 'step') ? 'step' : 'epoch';
    const onAxis = perRun.filter((p) => p.axis === axis);
    const bests = perRun.map((p) => p.bestValidation).filter((b): b is number => b !== null);
    return {
      rank: 0,
      key: identity.key,
      label: identity.label,
      identity,
      trainableLayers: identity.trainableLayers,
      n: bests.length,
      runs: members.length,
      bestValidationMean: bests.length === 0 ? null : bests.reduce((a, b) => a + b, 0) / bests.length,
      bestValidationMin: bests.length === 0 ? null : Math.min(...bests),
      bestValidationMax: bests.length === 0 ? null : Math.max(...bests),
      runIds: members.map((m) => m.id),
      bestValidation: strategyInterval(perRun.map((p) => ({ best: p.bestValidation, noise: p.noise }))),
      distinguishableFromNext: null,
      runsToSeparateNext: null,
      axis,
      bestEpoch: meanOf(onAxis.map((p) => p.bestEpoch)),
      epochsToConverge: meanOf(onAxis.map((p) => p.epochsToConverge)),
      minutesToConverge: meanOf(perRun.map((p) => p.minutesToConverge)),
      minutesPerEpoch: meanOf(perRun.map((p) => p.minutesPerEpoch)),
      trainingMinutes: meanOf(perRun.map((p) => p.trainingMinutes)),
      trainableParams: meanOf(perRun.map((p) => p.trainableParams)),
      pareto: false,
      perRun,
    };
  });
  rows.sort((a, b) => {
    if (a.bestValidationMean === null || b.bestValidationMean === null) {
      if (a.bestValidationMean !== b.bestValidationMean) return a.bestValidationMean === null ? 1 : -1;
    } else if (a.bestValidationMean !== b.bestValidationMean) {
      return a.bestValidationMean - b.bestValidationMean;
    }
    return compareStrategies(a.identity, b.identity);
  });
  rows.forEach((r, i) => {
    r.rank = i + 1;
    const next = rows[i + 1];
    if (next === undefined) return;
    r.distinguishableFromNext = distinguishable(r.bestValidation, next.bestValidation);
    if (!r.distinguishableFromNext) r.runsToSeparateNext = runsToSeparate(r.bestValidation, next.bestValidation);
  });
  const front = paretoFront(rows.map((r) => ({ key: r.key, cost: r.trainingMinutes, loss: r.bestValidationMean })));
  for (const r of rows) r.pareto = front.has(r.key);
  return rows;
}

/** Verdict and leaders of a ranking (see `Verdict`). */
function verdictOf(ranking: readonly RankedStrategy[]): { verdict: Verdict; leaders: string[] } {
  const withEvidence = ranking.filter((r) => r.bestValidationMean !== null);
  const top = withEvidence[0];
  if (top === undefined) return { verdict: 'no_evidence', leaders: [] };
  if (withEvidence.length === 1) return { verdict: 'single_strategy', leaders: [top.key] };
  const leaders = withEvidence.filter((r) => r === top || !distinguishable(top.bestValidation, r.bestValidation)).map((r) => r.key);
  if (leaders.length > 1) return { verdict: 'not_distinguishable', leaders };
  const second = withEvidence[1];
  const repeated = top.bestValidation.method === 't' && second?.bestValidation.method === 't';
  return { verdict: repeated ? 'supported' : 'tentative', leaders };
}

/**
 * Why a strategy has no interval, in words ("one run, too few epochs for an interval"): the summary
 * sentence and the strategies page's interval cell say it the same way. `axis` is what the run's
 * validation counts (LeRobot's eval_loss: steps, so its points are evaluations).
 */
export function noIntervalText(i: Pick<Interval, 'n' | 'reason'>, axis: 'epoch' | 'step' = 'epoch'): string {
  const text: Record<NonNullable<Interval['reason']>, string> = {
    no_runs: 'no interval',
    too_few_points: i.n === 1 ? `too few ${axis === 'step' ? 'evaluations' : 'epochs'} for an interval` : 'too few runs for an interval',
    too_noisy: i.n === 1 ? 'its validation curve is too noisy for an interval' : `${i.n} runs disagree too much for an interval`,
    non_positive: 'no interval (a loss of zero or below)',
  };
  return `${i.n === 1 ? 'one run, ' : ''}${text[i.reason ?? 'no_runs']}`;
}

function intervalText(i: Interval, axis: 'epoch' | 'step'): string {
  if (i.lo === null || i.hi === null) return noIntervalText(i, axis);
  const range = `95% interval ${fmtLoss(i.lo)}–${fmtLoss(i.hi)}`;
  return i.method === 'single_run_noise' ? `${range} from that one run's own validation noise` : `${range}, n=${i.n}`;
}

function evidenceText(rec: Omit<Recommendation, 'summary'>): string {
  const top = rec.ranking[0];
  if (top === undefined && rec.running.length > 0) return 'no finished run to rank yet';
  if (top === undefined || rec.verdict === 'no_evidence') return 'no run has a validation loss yet';
  const mean = `mean best validation ${fmtLoss(top.bestValidationMean)}, ${intervalText(top.bestValidation, top.axis)}`;
  if (rec.verdict === 'single_strategy') return `only ${top.label} has a validation loss (${mean}): nothing to compare it with yet`;
  const second = rec.ranking[1];
  if (rec.verdict === 'supported') {
    return `${top.label} ranks first (${mean}) and its interval separates it from ${second?.label ?? 'the rest'}`;
  }
  if (rec.verdict === 'tentative') {
    const singles = [top, second].filter((r) => r !== undefined && r.bestValidation.method !== 't').map((r) => r?.label);
    return `tentatively ${top.label} (${mean}): its interval clears ${second?.label ?? 'the next'}'s, but ${singles.join(' and ')} ${
      singles.length === 1 ? 'is a single run' : 'are single runs'
    } whose interval is only within-run noise; repeat with other seeds before trusting it`;
  }
  const names = rec.ranking.filter((r) => rec.leaders.includes(r.key)).map((r) => r.label);
  const allSingle = rec.ranking.filter((r) => rec.leaders.includes(r.key)).every((r) => r.n <= 1);
  const sep = top.runsToSeparateNext;
  const more =
    sep === null
      ? rec.ranking[1]?.bestValidationMean === top.bestValidationMean
        ? 'the first two have equal means'
        : top.bestValidation.lo === null
          ? 'too few epochs to estimate how many runs would separate them'
          : `the first two differ by less than the noise: more than ${MAX_RUNS_TO_SEPARATE} runs each would be needed to separate them`
      : `about ${sep.runsEach} runs each (${plural(sep.more, 'more run')}) would likely separate the first two${
          sep.spreadSource === 'single_run_noise' ? ' if run-to-run spread were as small as within-run noise' : ''
        }`;
  return `no winner yet: ${names.join(', ')} are not distinguishable (95% intervals overlap${
    allSingle ? '; single runs only' : ''
  }); ${more}`;
}

export const RUNNING_NOT_RANKED = 'still running, not ranked yet';

/** "still running, not ranked yet: #62, #63": the sentence and the page say it the same way. */
export function runningText(ids: readonly RunId[]): string {
  return `${RUNNING_NOT_RANKED}: ${ids.map((id) => `#${id}`).join(', ')}`;
}

function summarise(rec: Omit<Recommendation, 'summary'>): string {
  const task =
    rec.taskId !== null
      ? `task ${rec.taskId}`
      : rec.dataset !== null
        ? `dataset ${rec.dataset}`
        : rec.experiment !== null
          ? `the runs in ${rec.experiment}`
          : 'unknown task';
  const size = rec.datasetFrames === null ? 'unknown dataset size' : `${rec.datasetFrames} frames`;
  const evidence = evidenceText(rec);
  let rule: string;
  if (rec.heuristic === null) {
    rule =
      rec.episodes === null
        ? "the notes' rule of thumb needs the episode count"
        : `the notes' rule of thumb has no row for ${plural(rec.episodes, 'episode')}`;
  } else {
    const layers =
      rec.heuristic.minLayers === rec.heuristic.maxLayers
        ? `${rec.heuristic.maxLayers}`
        : `${rec.heuristic.minLayers}-${rec.heuristic.maxLayers}`;
    const est = rec.episodesSource === 'estimated' ? '~' : '';
    const star = rec.heuristic.isDefault ? ", the notes' current default" : '';
    rule = `the notes' rule of thumb for ${est}${rec.episodes} episodes is ${layers} layers (${rec.heuristic.name}${star})`;
  }
  const running = rec.running.length === 0 ? '' : `; ${runningText(rec.running)}`;
  return `For ${task} (${size}): ${evidence}${running}; ${rule}.`;
}

/** Per task and dataset size: strategies ranked by best validation, next to the heuristic row. */
export function recommend(runs: readonly AnalysisRun[], options: RecommendOptions = {}): Recommendation[] {
  const buckets = new Map<string, { taskId: number | null; frames: number | null; runs: AnalysisRun[] }>();
  for (const r of runs) {
    const frames = r.datasetFrames ?? null;
    const key = options.facetOf?.(r) ?? `${r.taskId ?? '?'}|${frames ?? '?'}`;
    const b = buckets.get(key);
    if (b === undefined) buckets.set(key, { taskId: r.taskId, frames, runs: [r] });
    else b.runs.push(r);
  }
  const out: Recommendation[] = [];
  for (const { taskId, frames, runs: members } of buckets.values()) {
    const datasets = new Set(members.map((m) => m.dataset ?? null));
    const dataset = taskId === null && datasets.size === 1 ? ([...datasets][0] ?? null) : null;
    const experiments = new Set(members.map((m) => m.experiment ?? null));
    const experiment = taskId === null && dataset === null && experiments.size === 1 ? ([...experiments][0] ?? null) : null;
    const given = members.map((m) => m.episodes).filter((e): e is number => typeof e === 'number' && Number.isFinite(e));
    let episodes: number | null = null;
    let episodesSource: Recommendation['episodesSource'] = null;
    if (given.length > 0) {
      episodes = median(given);
      episodesSource = 'given';
    } else if (taskId !== null && options.taskEpisodes?.has(taskId)) {
      episodes = options.taskEpisodes.get(taskId)!;
      episodesSource = 'task';
    } else if (frames !== null && options.framesPerEpisode !== undefined && options.framesPerEpisode > 0) {
      episodes = Math.round(frames / options.framesPerEpisode);
      episodesSource = 'estimated';
    }
    const ranking = rankBucket(members.filter((m) => rankedStatus(m.status)));
    const running = members.filter((m) => !rankedStatus(m.status)).map((m) => m.id);
    const heuristic = heuristicFor(episodes);
    const top = ranking[0];
    let agreement: Agreement | null = null;
    if (heuristic !== null && top !== undefined && top.trainableLayers !== null && top.bestValidationMean !== null) {
      agreement =
        top.trainableLayers < heuristic.minLayers ? 'fewer_layers' : top.trainableLayers > heuristic.maxLayers ? 'more_layers' : 'agrees';
    }
    const { verdict, leaders } = verdictOf(ranking);
    const byKey = new Map(ranking.map((r) => [r.key, r]));
    const tradeoffs = tradeoffSentences(
      ranking.filter((r) => r.pareto).map((r) => ({ key: r.key, name: shortName(r), cost: r.trainingMinutes, loss: r.bestValidationMean })),
      (a, b) => {
        const x = byKey.get(a);
        const y = byKey.get(b);
        // established apart only by t-intervals over repeats, never by single-run noise
        return (
          x !== undefined &&
          y !== undefined &&
          x.bestValidation.method === 't' &&
          y.bestValidation.method === 't' &&
          distinguishable(x.bestValidation, y.bestValidation)
        );
      },
    );
    const rec = {
      taskId,
      dataset,
      experiment,
      datasetFrames: frames,
      episodes,
      episodesSource,
      running,
      runningRuns: members.filter((m) => !rankedStatus(m.status)).map(rankedRun),
      ranking,
      heuristic,
      agreement,
      verdict,
      leaders,
      tradeoffs,
    };
    out.push({ ...rec, summary: summarise(rec) });
  }
  // Tasks in order, then datasets standing for a task (by name), then unknown; smaller datasets first.
  const byName = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1);
  return out.sort(
    (a, b) =>
      (a.taskId ?? Infinity) - (b.taskId ?? Infinity) ||
      byName(a.dataset, b.dataset) ||
      byName(a.experiment, b.experiment) ||
      (a.datasetFrames ?? Infinity) - (b.datasetFrames ?? Infinity),
  );
}
