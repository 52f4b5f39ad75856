// Forecasts (lib/analysis/forecast*.ts) over the database: one run (GET /api/runs/[id]/forecast), many
// runs (the runs table), and the backtest of every finished run (the strategies page).
//
// Reads: a run's own-task validations and epoch losses (run-records.ts), its per-step losses as the step
// summary buckets ingest keeps (steps.ts; merged to at most STEP_POINTS weighted points, sums kept), and
// for the GPU minutes its epoch timing as Strategies reads it (epochs.ts + cost.ts) or its last step
// timing records (LeRobot's updt_s + data_s).
//
// Where the calibration lives (measured in bench/forecast.ts): every finished, not hidden run is a
// FinishedCurve (end level, its noise; peers and incumbents) whose backtest points (one curve fit each)
// are kept per run VERSION in a process cache ('forecast-finished'), so a run is refitted only when
// ingest changed it; the calibration (backtest.ts) is recomputed from the cached points of the latest
// CALIBRATION_RUNS finished runs when the set of finished runs or any of their versions changes (their
// (id, xmin) are read first) and kept under that digest. The first forecast after a start pays ~3 fits
// per calibrated run (forecast_backtest_per_run: 12–28 ms each here, so 4–8 s for 300 runs, ~1–2 s for
// a team's 100); later ones only the runs that finished or changed since, and 2 fits per peer of the
// same strategy at a fraction not seen before.
import {
  PEER_GRID,
  backtestCases,
  calibrationsFromCases,
  epochTrainingSeconds,
  finishedCurve,
  forecastFraction,
  forecastRun,
  gridAround,
  mergePoints,
  minutesPerStep,
  runCost,
  runCurve,
  strategyKeyOf,
  summarizeBacktest,
  BACKTEST_FRACTIONS,
  FINISHED_STATUSES,
  type BacktestCase,
  type BacktestPoint,
  type FinishedCurve,
  type ForecastCalibration,
  type ForecastRun,
  type RunForecast,
  type WeightedPoint,
} from '../analysis';
import { NotFoundError } from '../api/errors';
import type { ForecastBacktestResponse } from '../api/schemas/forecast';
import { db } from '../db/client';
import { facetKey, facetRuns } from '../views/facets';
import { sharedCache } from '../cache';
import { epochSeconds, type RunStepBuckets } from '../views/steps';
import { ANNOTATION_JOIN } from './annotations';
import { loadEpochData } from './epochs';
import { loadRunRecords, type RunRecord, type RunSelection } from './run-records';
import { stepSummaries, stepVersions } from './steps';

/** Weighted step points per run at most (a step summary holds up to 4,096 buckets). */
export const STEP_POINTS = 1024;
/** Step timing records read for minutes per step (the latest ones). */
const TIMING_RECORDS = 50;

interface FinishedEntry {
  curve: Omit<FinishedCurve, 'point'>;
  /** Backtest points by k (undefined: not computed yet). */
  grid: (BacktestPoint | null | undefined)[];
}

/** Finished runs' summaries and backtest points per run version (~1 KB each). */
const finishedCache = sharedCache<FinishedEntry | null>('forecast-finished', 100_000);

/** A finished, not hidden run: its version and what names its facet. */
interface FinishedVersion {
  id: number;
  version: string;
  taskId: number | null;
  taskName: string | null;
  datasetFrames: number | null;
  dataset: string | null;
}

interface CalibrationMemo {
  digest: string;
  calibration: ForecastCalibration;
  cases: BacktestCase[];
  finished: FinishedVersion[];
}
const memoHolder = globalThis as { thawForecastCalibration?: CalibrationMemo; thawForecastQueue?: Promise<unknown> };

/**
 * One calibration pass at a time per process: concurrent first requests (the runs table's column and a
 * run page, right after a start) wait for the first pass and then find its fits cached, instead of
 * fitting every finished run once each.
 */
function oneAtATime<T>(work: () => Promise<T>): Promise<T> {
  const previous = memoHolder.thawForecastQueue ?? Promise.resolve();
  const run = previous.then(work, work);
  memoHolder.thawForecastQueue = run.catch(() => undefined);
  return run;
}

/** Synchronous fitting between two turns of the event loop, at most (ms). */
const SLICE_MS = 10;

/**
 * A pause point for long fitting loops: gives the event loop a turn once SLICE_MS of work has passed,
 * so a cold calibration (seconds of curve fits) never holds up the pages the same process serves.
 */
function timeSlicer(): () => Promise<void> {
  let since = performance.now();
  return async () => {
    if (performance.now() - since < SLICE_MS) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    since = performance.now();
  };
}

type LoadedRun = ForecastRun & { version: string };

function stepPoints(summary: RunStepBuckets | undefined): WeightedPoint[] {
  if (!summary) return [];
  const points: WeightedPoint[] = [];
  for (const b of summary.buckets) if (b.count > 0) points.push({ x: b.last, y: b.sum / b.count, n: b.count });
  return mergePoints(points, STEP_POINTS);
}

/** Whether the run's deciding curve comes from its steps (no positive epoch-level loss). */
function needsSteps(record: RunRecord): boolean {
  return runCurve(toForecastRun(record, [], null, null)) === null;
}

function toForecastRun(
  record: RunRecord,
  steps: WeightedPoint[],
  minutesPerEpoch: number | null,
  minutesPerStepValue: number | null,
): LoadedRun {
  return {
    id: record.id,
    version: record.version,
    status: record.status,
    taskId: record.taskId,
    taskName: record.taskName,
    datasetFrames: record.datasetFrames,
    dataset: record.dataset,
    epochsTotal: record.epochsTotal,
    totalSteps: record.totalSteps,
    stepsPerEpoch: record.stepsPerEpoch,
    series: { epochs: record.epochs, validations: record.validations, taskId: record.taskId, format: record.format },
    strategy: record.strategy,
    steps,
    minutesPerEpoch,
    minutesPerStep: minutesPerStepValue,
  };
}

async function stepTimings(ids: readonly number[]): Promise<Map<number, number | null>> {
  if (ids.length === 0) return new Map();
  const rows = await db().$queryRaw<{ runId: number; procMs: number | null; dataS: number | null }[]>`
    SELECT t."runId", t."procMs", t."dataS" FROM unnest(${[...ids]}::int[]) AS r(id)
      CROSS JOIN LATERAL (
        SELECT sp."runId", sp."procMs", (sp.metrics->>'data_s')::float8 AS "dataS" FROM "StepPoint" sp
         WHERE sp."runId" = r.id AND sp."procMs" IS NOT NULL ORDER BY sp.step DESC LIMIT ${TIMING_RECORDS}) t`;
  const byRun = new Map<number, { procMs: number | null; dataS: number | null }[]>();
  for (const row of rows) byRun.set(row.runId, [...(byRun.get(row.runId) ?? []), row]);
  return new Map(ids.map((id) => [id, minutesPerStep(byRun.get(id) ?? [])]));
}

/** The selected runs as the forecast sees them; `cost`: with their minutes per epoch and per step. */
async function loadForecastRuns(selection: RunSelection, cost: boolean): Promise<LoadedRun[]> {
  const records = await loadRunRecords(selection);
  if (records.length === 0) return [];
  const ids = records.map((r) => r.id);
  const stepIds = cost ? ids : records.filter(needsSteps).map((r) => r.id);
  const [summaries, epochData, timings] = await Promise.all([
    stepIds.length > 0 ? stepVersions(stepIds).then(stepSummaries) : Promise.resolve(new Map<number, RunStepBuckets>()),
    cost ? loadEpochData(ids) : Promise.resolve(null),
    cost ? stepTimings(ids) : Promise.resolve(null),
  ]);
  return records.map((record) => {
    const summary = summaries.get(record.id);
    let perEpoch: number | null = null;
    if (epochData) {
      // As Strategies computes cost (lib/queries/strategies.ts): epoch timing lines and tqdm elapsed.
      const epochs = epochData.get(record.id)?.epochs ?? [];
      const seconds = epochTrainingSeconds(epochs, summary ? epochSeconds(summary) : new Map(), record.stepsPerEpoch);
      const epochsDone = Math.max(0, ...epochs.map((e) => e.epoch), ...record.epochs.map((e) => e.epoch));
      perEpoch = runCost(seconds, epochsDone).minutesPerEpoch;
    }
    return toForecastRun(record, needsSteps(record) ? stepPoints(summary) : [], perEpoch, timings?.get(record.id) ?? null);
  });
}

/** The finished, not hidden runs and their versions (what the calibration depends on). */
async function finishedVersions(): Promise<FinishedVersion[]> {
  return db().$queryRaw`
    SELECT r.id, r.xmin::text AS version, r."taskId", r."taskName", r."datasetFrames", r.dataset
      FROM "Run" r JOIN "LogSource" src ON src.id = r."sourceId" ${ANNOTATION_JOIN}
     WHERE r.status = ANY(${[...FINISHED_STATUSES]}::text[]) AND NOT COALESCE(an.hidden, false)
     ORDER BY r.id`;
}

function asFinishedCurve(entry: FinishedEntry): FinishedCurve {
  return { ...entry.curve, point: (k) => entry.grid[k] ?? null };
}

/**
 * Cache entries of the finished runs with the backtest points `ks` computed (runs whose entry is
 * missing, stale or lacks a point are loaded and fitted; runs without a curve are null entries).
 */
async function finishedEntries(
  runs: readonly { id: number; version: string }[],
  ks: (id: number) => readonly number[],
): Promise<Map<number, FinishedEntry>> {
  const out = new Map<number, FinishedEntry>();
  const toLoad: number[] = [];
  for (const run of runs) {
    const entry = finishedCache.get(run.id, run.version);
    if (entry === null) continue;
    if (entry === undefined || ks(run.id).some((k) => entry.grid[k] === undefined)) toLoad.push(run.id);
    else out.set(run.id, entry);
  }
  const pause = timeSlicer();
  for (let at = 0; at < toLoad.length; at += 200) {
    const loaded = await loadForecastRuns({ ids: toLoad.slice(at, at + 200) }, false);
    for (const run of loaded) {
      await pause();
      const previous = finishedCache.get(run.id, run.version);
      const curve = finishedCurve(run);
      if (!curve) {
        finishedCache.set(run.id, run.version, null);
        continue;
      }
      const grid = previous?.grid ?? new Array<BacktestPoint | null | undefined>(PEER_GRID).fill(undefined);
      for (const k of ks(run.id)) {
        if (grid[k] !== undefined) continue;
        grid[k] = curve.point(k);
        await pause();
      }
      const { point: _point, ...summary } = curve;
      const entry: FinishedEntry = { curve: summary, grid };
      finishedCache.set(run.id, run.version, entry, 1);
      out.set(run.id, entry);
    }
  }
  return out;
}

const CASE_KS = BACKTEST_FRACTIONS.map((f) => Math.round(f * PEER_GRID));
/**
 * Finished runs backtested for the calibration: the latest ones (by id). Bounds the fits a freshly
 * started process pays (~15 ms each) and keeps the calibration close to how the team trains now;
 * every finished run still counts as a peer and an incumbent.
 */
export const CALIBRATION_RUNS = 300;

/** The calibration from the latest finished runs (cached under the digest of their versions), and its cases. */
export function forecastCalibration(): Promise<CalibrationMemo & { entries: Map<number, FinishedEntry> }> {
  return oneAtATime(calibrate);
}

async function calibrate(): Promise<CalibrationMemo & { entries: Map<number, FinishedEntry> }> {
  const finished = await finishedVersions();
  const digest = finished.map((r) => `${r.id}:${r.version}`).join(',');
  const calibrated = new Set(finished.slice(-CALIBRATION_RUNS).map((r) => r.id));
  const entries = await finishedEntries(finished, (id) => (calibrated.has(id) ? CASE_KS : []));
  const memo = memoHolder.thawForecastCalibration;
  if (memo && memo.digest === digest) return { ...memo, entries };
  const cases = backtestCases([...entries.values()].filter((e) => calibrated.has(e.curve.id)).map(asFinishedCurve));
  const fresh: CalibrationMemo = { digest, calibration: calibrationsFromCases(cases), cases, finished };
  memoHolder.thawForecastCalibration = fresh;
  return { ...fresh, entries };
}

/** Forecasts of runs (module rule: lib/analysis/forecast-answer.ts), sharing one calibration. */
async function forecastLoaded(runs: readonly LoadedRun[], at: number | undefined): Promise<RunForecast[]> {
  const { calibration, entries, finished } = await forecastCalibration();
  // The peers' backtest points around each run's own fraction (peerShift), fitted once per version.
  const needs = new Map<number, Set<number>>();
  for (const run of runs) {
    const f = forecastFraction(run, at);
    const curve = runCurve(run);
    if (f === null || !curve) continue;
    const { k0, k1 } = gridAround(f);
    const facet = facetKey(run, false);
    const strategy = strategyKeyOf(run);
    for (const entry of entries.values()) {
      const c = entry.curve;
      if (c.id === run.id || c.facet !== facet || c.metric !== curve.metric || c.axis !== curve.axis || c.strategyKey !== strategy)
        continue;
      const set = needs.get(c.id) ?? new Set<number>();
      set.add(k0).add(k1);
      needs.set(c.id, set);
    }
  }
  const extra =
    needs.size > 0
      ? await finishedEntries(
          finished.filter((r) => needs.has(r.id)),
          (id) => [...needs.get(id)!],
        )
      : new Map<number, FinishedEntry>();
  const curves = [...entries.entries()].map(([id, entry]) => asFinishedCurve(extra.get(id) ?? entry));
  return runs.map((run) => forecastRun(run, { at, calibration, finished: curves }));
}

/** GET /api/runs/[id]/forecast: the run's forecast (as if only `at` of it had been seen). */
export async function getRunForecast(runId: number, at?: number): Promise<RunForecast> {
  const [run] = await loadForecastRuns({ ids: [runId] }, true);
  if (!run) throw new NotFoundError(`run ${runId} does not exist`);
  const [forecast] = await forecastLoaded([run], at);
  return forecast!;
}

/** Forecasts of many runs (the runs table's column): one read, one calibration; unknown ids are left out. */
export async function getRunForecasts(ids: readonly number[]): Promise<RunForecast[]> {
  const runs = await loadForecastRuns({ ids: [...new Set(ids)] }, true);
  return forecastLoaded(runs, undefined);
}

/** Forecasts of the running runs (ids absent: every running, not hidden run). */
export async function getRunningForecasts(): Promise<RunForecast[]> {
  const runs = await loadForecastRuns({ statuses: ['running'], hidden: 'exclude' }, true);
  return forecastLoaded(runs, undefined);
}

const BACKTEST_NOTE =
  'Each finished run is forecast from the first 25, 50 and 75% of its curve and compared with how it ended; ' +
  'every backtest is judged by a calibration that left its own run out. Coverage is how often the 80% interval ' +
  'held the outcome (80% is honest); skill is the median error divided by that of assuming the loss stays where it is.';

/** GET /api/forecasts/backtest: how good the forecasts have been, overall and per task × dataset. */
export async function getForecastBacktest(): Promise<ForecastBacktestResponse> {
  const { calibration, cases, finished } = await forecastCalibration();
  const summary = summarizeBacktest(cases);
  const ordered = facetRuns(finished, false);
  const facets = new Map(ordered.map((f) => [f.key, f]));
  // In facet order: tasks by id, then datasets by name, unknown last (as Compare and Strategies list them).
  const rank = new Map(ordered.map((f, i) => [f.key, i]));
  const groups = [...summary.groups].sort((a, b) => (rank.get(a.key) ?? rank.size) - (rank.get(b.key) ?? rank.size));
  const info = (c: ForecastCalibration['absolute']) => ({ source: c.source, runs: c.runs, cases: c.cases, tau: c.tau, rho: c.rho });
  return {
    level: 0.8,
    finishedRuns: new Set(cases.map((c) => c.runId)).size,
    calibration: { absolute: info(calibration.absolute), peer: info(calibration.peer) },
    overall: summary.overall,
    byFraction: summary.byFraction,
    tasks: groups.map((g) => {
      const facet = facets.get(g.key);
      return {
        ...g,
        label: facet?.label ?? g.key,
        taskId: facet?.taskId ?? null,
        taskName: facet?.taskName ?? null,
        datasetFrames: facet?.datasetFrames ?? null,
        dataset: facet?.dataset ?? null,
      };
    }),
    note: BACKTEST_NOTE,
  };
}
