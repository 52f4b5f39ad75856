// The strategies page's view model: the texts of a recommendation's heading, interval and "vs next"
// cells, where the rule of thumb places a strategy, the points of the cost-vs-quality chart and the
// names of its downloads. Pure; app/strategies/ renders it.
import type { RecommendationView, StrategiesResponse } from '../api/schemas/strategies';
import { noIntervalText } from '../analysis/recommend';
import { fmtCount } from './format';
import { fileName } from './report';

export type Ranked = RecommendationView['ranking'][number];

export const AGREEMENT_TEXT = {
  agrees: 'evidence agrees with the rule of thumb',
  more_layers: 'evidence favours MORE layers than the rule of thumb',
  fewer_layers: 'evidence favours FEWER layers than the rule of thumb',
} as const;

export const METHOD_TEXT = { t: 't over runs', single_run_noise: 'one run: its own validation noise', none: '' } as const;

/** Minutes: whole past 100, two decimals under 1, else one. */
export const fmtMin = (v: number | null) => (v === null ? '–' : v >= 100 ? v.toFixed(0) : v < 1 ? v.toFixed(2) : v.toFixed(1));
/** An epoch count that may be a mean: whole numbers as they are, else one decimal. */
export const fmtNum = (v: number | null) => (v === null ? '–' : Number.isInteger(v) ? String(v) : v.toFixed(1));

/**
 * An epoch or step count that is a mean over runs (the ranking's "Best epoch", "Epochs to 5%"): a whole
 * number as it is, else "≈30" — the nearest whole epoch, marked as approximate (a mean of 29.8 is no
 * epoch any run had); `title` keeps the exact mean for the tooltip.
 */
export function fmtMeanCount(v: number | null): { text: string; title: string | undefined } {
  if (v === null) return { text: '–', title: undefined };
  if (Number.isInteger(v)) return { text: v.toLocaleString('en-US'), title: undefined };
  return { text: `≈${Math.round(v).toLocaleString('en-US')}`, title: `mean over runs: ${v.toFixed(1)}` };
}

/** What a recommendation's ranking counts: optimiser steps when every strategy is ranked by a held-out loss logged by step (LeRobot's eval_loss), else epochs. */
export function rankingAxis(rec: Pick<RecommendationView, 'ranking'>): 'epoch' | 'step' {
  return rec.ranking.length > 0 && rec.ranking.every((r) => r.axis === 'step') ? 'step' : 'epoch';
}

/** The column titles that name the axis: "Best epoch" / "Epochs to 5%", or "Best step" / "Steps to 5%". */
export function axisColumns(axis: 'epoch' | 'step'): { best: string; toConverge: string; bestTitle: string; toConvergeTitle: string } {
  const unit = axis === 'step' ? 'step' : 'epoch';
  return {
    best: `Best ${unit}`,
    toConverge: `${axis === 'step' ? 'Steps' : 'Epochs'} to 5%`,
    bestTitle: `${unit} of the best validation (mean over runs; ≈ marks a mean rounded to a whole ${unit})`,
    toConvergeTitle: `first ${unit} within 5% of the run's best validation (mean over runs; ≈ marks a mean rounded to a whole ${unit}), and the training minutes to it`,
  };
}

/** The interval cell: the interval with its method, or why there is none (never a blank). */
export function intervalCell(
  r: Pick<Ranked, 'bestValidation' | 'axis'>,
): { kind: 'interval'; lo: number; hi: number; title: string; singleRun: boolean } | { kind: 'none'; text: string } {
  const i = r.bestValidation;
  if (i.lo === null || i.hi === null) return { kind: 'none', text: noIntervalText(i, r.axis) };
  return { kind: 'interval', lo: i.lo, hi: i.hi, title: METHOD_TEXT[i.method], singleRun: i.method === 'single_run_noise' };
}

const NOISE_REASON_TEXT = { too_few_points: 'too few points', too_noisy: 'too noisy', non_positive: 'loss ≤ 0' } as const;

/** A run's own validation noise as ±x% (its log-scale σ̂ around the trend, ≈ relative), or why there is none. */
export function noiseText(p: Pick<Ranked['perRun'][number], 'validationLogNoise' | 'noiseReason'>): string {
  if (p.validationLogNoise !== null) return `±${(p.validationLogNoise * 100).toFixed(p.validationLogNoise < 0.1 ? 1 : 0)}%`;
  return p.noiseReason === null ? '–' : NOISE_REASON_TEXT[p.noiseReason];
}

/** "12,000 frames · ~40 episodes (given for the task)": what the heading says about the data. */
export function datasetText(rec: Pick<RecommendationView, 'datasetFrames' | 'episodes' | 'episodesSource'>): string {
  const frames = rec.datasetFrames === null ? 'dataset size unknown' : `${fmtCount(rec.datasetFrames)} frames`;
  if (rec.episodes === null) return frames;
  const source = rec.episodesSource === 'task' ? ' (given for the task)' : rec.episodesSource === 'given' ? ' (from the log)' : '';
  return `${frames} · ${rec.episodesSource === 'estimated' ? '~' : ''}${fmtCount(Math.round(rec.episodes))} episodes${source}`;
}

/** The data size the user's rule of thumb recommends this many trainable layers for. */
export function ruleOfThumbFor(table: StrategiesResponse['heuristicTable'], layers: number | null): string {
  if (layers === null) return '–';
  return table.find((row) => layers >= row.minLayers && layers <= row.maxLayers)?.episodesText ?? 'not in the table';
}

/** Whether the rule of thumb for this task's data size names the strategy's layer count. */
export function inRuleOfThumb(rec: Pick<RecommendationView, 'heuristic'>, r: Pick<Ranked, 'trainableLayers'>): boolean {
  return (
    rec.heuristic !== null &&
    r.trainableLayers !== null &&
    r.trainableLayers >= rec.heuristic.minLayers &&
    r.trainableLayers <= rec.heuristic.maxLayers
  );
}

/** The "vs next" cell: separated from the next strategy, not yet (with the runs each it would take), or nothing. */
export type NextCell =
  { kind: 'separated'; singleRunNoiseOnly: boolean } | { kind: 'overlap'; runsEach: number | null; title: string } | null;

export function nextCell(r: Ranked, next: Ranked | undefined): NextCell {
  if (r.distinguishableFromNext === null) return null;
  if (r.distinguishableFromNext)
    return {
      kind: 'separated',
      singleRunNoiseOnly: r.bestValidation.method === 'single_run_noise' || next?.bestValidation.method === 'single_run_noise',
    };
  const sep = r.runsToSeparateNext;
  return {
    kind: 'overlap',
    runsEach: sep?.runsEach ?? null,
    title:
      sep === null
        ? ''
        : `runs each at which the observed difference would clear both 95% intervals, from the ${
            sep.spreadSource === 'runs' ? 'run-to-run spread' : 'within-run noise (optimistic)'
          }`,
  };
}

export interface TradeoffPoint {
  key: string;
  label: string;
  color: string;
  minutes: number;
  mean: number;
  lo: number | null;
  hi: number | null;
  method: Ranked['bestValidation']['method'];
  pareto: boolean;
}

/** The strategies with both training time and a best validation: the cost-vs-quality chart's points. */
export function tradeoffPoints(rec: Pick<RecommendationView, 'ranking'>): TradeoffPoint[] {
  return rec.ranking.flatMap((r) =>
    r.trainingMinutes === null || r.bestValidation.mean === null
      ? []
      : [
          {
            key: r.key,
            label: r.label,
            color: r.color,
            minutes: r.trainingMinutes,
            mean: r.bestValidation.mean,
            lo: r.bestValidation.lo,
            hi: r.bestValidation.hi,
            method: r.bestValidation.method,
            pareto: r.pareto,
          },
        ],
  );
}

export function tradeoffPngName(rec: Pick<RecommendationView, 'taskId' | 'taskName' | 'dataset' | 'datasetFrames'>): string {
  return fileName(
    [
      'thaw-strategies-tradeoff',
      rec.taskId !== null ? `task${rec.taskId}` : (rec.dataset ?? 'task-unknown'),
      rec.taskName,
      rec.datasetFrames === null ? null : `${rec.datasetFrames}frames`,
    ],
    'png',
  );
}

export function tradeoffTitle(rec: Pick<RecommendationView, 'label'>): string {
  return `${rec.label}: best validation vs training time per strategy`;
}

/** Why there is no trade-off list: one strategy dominates, or too few have timing and validation. */
export function noTradeoffText(rec: Pick<RecommendationView, 'ranking'>): string {
  return rec.ranking.filter((r) => r.pareto).length === 1
    ? 'One strategy is both cheaper and better than the rest (the only point on the front).'
    : 'Fewer than two strategies have both timing and validation.';
}

/** The ranking's CSV and JSON with the page's frames-per-episode. */
export function strategiesApiLinks(fpe: number | undefined): { csv: string; json: string } {
  return { csv: `/api/strategies?format=csv${fpe ? `&fpe=${fpe}` : ''}`, json: `/api/strategies${fpe ? `?fpe=${fpe}` : ''}` };
}
