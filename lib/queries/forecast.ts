// Forecasts (lib/analysis/forecast*.ts) over the database: one run (GET /api/runs/[id]/forecast), many
// runs (the runs table), and the backtest of every finished run (the strategies page).
//
// Reads: a run's own-task validations and epoch losses (run-records.ts), its per-step losses as the step
// summary buckets ingest keeps (steps.ts; merged to at most STEP_POINTS weighted points, sums kept), and
// for the GPU minutes its epoch timing as Strategies reads it (epochs.ts + cost.ts) or its last step
// timing records (LeRobot's updt_s + data_s).
//
// Where the calibration lives (measured in bench/forecast.ts and `npm run bench -- runs10k`): a finished,
// not hidden run, once read, is a FinishedCurve summary (end level, its noise, facet, strategy) whose
// backtest points (one curve fit each) are kept per run VERSION in a process cache ('forecast-finished'),
// so a run is refitted only when ingest changed it. The calibration (backtest.ts) comes from the latest
// CALIBRATION_RUNS finished runs (3 fits each) and is kept under the digest of their (id, xmin). A
// forecast then reads, of the finished runs of its facet — a lab has thousands — only what it needs
// (loadFacetNeeds): the incumbent, found exactly by reading runs in the order of an SQL lower bound of
// their end level until the bound passes the best level read, and the CORRECTING_PEERS latest of its
// strategy with their points at its fraction. The first forecast after a start pays the calibration
// (~3 s for 300 runs here) and ~1 s per facet; later ones read only what changed. One pass at a time per
// process, yielding to the event loop every SLICE_MS, so the pages served meanwhile are not held up.
import {
  CORRECTING_PEERS,
  LEVEL_WINDOW,
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
import { Prisma } from '../generated/prisma/client';
import { experimentFolder, facetKey, facetRuns } from '../views/facets';
import { sharedCache } from '../cache';
import { epochSeconds, type RunStepBuckets } from '../views/steps';
import { strategyFromColumns, type StrategyColumns } from '../views/strategy-view';
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
  /** facets.ts `experimentFolder`: the facet of a run with neither task id nor dataset. */
  experiment: string | null;
}

interface CalibrationMemo {
  digest: string;
  calibration: ForecastCalibration;
  cases: BacktestCase[];
  finished: FinishedVersion[];
}
const memoHolder = globalThis as { thawForecastCalibration?: CalibrationMemo; thawForecastQueue?: Promise<unknown> };

/**
 * One pass (calibration, or calibration and forecasts) at a time per process: concurrent first requests
 * (the runs table's column and a run page, right after a start) wait for the first pass and then find
 * its fits cached, instead of fitting the same finished runs once each. Not reentrant: work run here
 * calls calibrate(), never forecastCalibration().
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
    experiment: record.experiment,
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
  const rows = await db().$queryRaw<
    (Omit<FinishedVersion, 'experiment'> & { identity: string | null; outputDir: string | null; sourcePath: string })[]
  >`
    SELECT r.id, r.xmin::text AS version, r."taskId", r."taskName", r."datasetFrames", r.dataset,
           r.identity, r."outputDir", src.path AS "sourcePath"
      FROM "Run" r JOIN "LogSource" src ON src.id = r."sourceId" ${ANNOTATION_JOIN}
     WHERE r.status = ANY(${[...FINISHED_STATUSES]}::text[]) AND NOT COALESCE(an.hidden, false)
     ORDER BY r.id`;
  return rows.map(({ identity, outputDir, sourcePath, ...row }) => ({
    ...row,
    experiment: experimentFolder({ identity, outputDir, sourcePath }),
  }));
}

/** Finished runs read per query (their series are held until summarised: a bound on the memory they take). */
const LOAD_CHUNK = 50;

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
  for (let at = 0; at < toLoad.length; at += LOAD_CHUNK) {
    const loaded = await loadForecastRuns({ ids: toLoad.slice(at, at + LOAD_CHUNK) }, false);
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
 * every finished run still counts as a peer and an incumbent (forecastLoaded).
 */
export const CALIBRATION_RUNS = 300;

/** The calibration from the latest finished runs (cached under the digest of their versions), and its cases. */
export function forecastCalibration(): Promise<CalibrationMemo & { entries: Map<number, FinishedEntry> }> {
  return oneAtATime(calibrate);
}

async function calibrate(): Promise<CalibrationMemo & { entries: Map<number, FinishedEntry> }> {
  const finished = await finishedVersions();
  const latest = finished.slice(-CALIBRATION_RUNS);
  const digest = latest.map((r) => `${r.id}:${r.version}`).join(',');
  const entries = await finishedEntries(latest, () => CASE_KS);
  const memo = memoHolder.thawForecastCalibration;
  if (memo && memo.digest === digest) return { ...memo, finished, entries };
  const cases = backtestCases([...entries.values()].map(asFinishedCurve));
  const fresh: CalibrationMemo = { digest, calibration: calibrationsFromCases(cases), cases, finished };
  memoHolder.thawForecastCalibration = fresh;
  return { ...fresh, entries };
}

/** A lower bound of each finished run's end level per run version (null: none known, load the run). */
const boundCache = sharedCache<number | null>('forecast-level-bound', 200_000);

/**
 * Lower bounds of the end levels of finished runs, from SQL alone. The end level (forecast-run.ts
 * endLevel) is the mean of the deciding curve's points in the last LEVEL_WINDOW of its x-range
 * (forecast.ts levelAt). For a run with a task id the deciding curve is known here as runCurve picks it
 * — its own task's per-epoch validations (one per epoch: the table's key), else its epoch training
 * losses (one per epoch), positive and finite — and so is its window (the same float operations on the
 * same epochs): the bound is that mean, less 1e-9 of it for the order of summation. Otherwise (and for
 * step curves) it is the smallest loss of any kind, which no mean of losses goes below. Null: nothing
 * to bound with; the run is read.
 */
async function lowerBounds(runs: readonly FinishedVersion[]): Promise<Map<number, number | null>> {
  const out = new Map<number, number | null>();
  const missing: FinishedVersion[] = [];
  for (const run of runs) {
    const bound = boundCache.get(run.id, run.version);
    if (bound === undefined) missing.push(run);
    else out.set(run.id, bound);
  }
  const positive = (column: string) => Prisma.raw(`${column} > 0 AND ${column} < 'Infinity'::float8`);
  for (let at = 0; at < missing.length; at += 2000) {
    const chunk = missing.slice(at, at + 2000);
    // Per run, three probes of the tables' (runId, epoch, …) keys: first and last epoch, then the window.
    const rows = await db().$queryRaw<{ id: number; bound: number | null }[]>`
      WITH runs AS (SELECT r.id, r."taskId" FROM "Run" r WHERE r.id = ANY(${chunk.map((r) => r.id)}::int[])),
      val AS (
        SELECT runs.id, (SELECT avg(v.loss) FROM "Validation" v
                          WHERE v."runId" = runs.id AND NOT v.final AND v."taskId" = runs."taskId" AND ${positive('v.loss')}
                            AND v.epoch >= e.e1 - ${LEVEL_WINDOW}::float8 * (e.e1 - e.e0)) AS bound
          FROM runs CROSS JOIN LATERAL (
            SELECT (SELECT x.epoch FROM "Validation" x WHERE x."runId" = runs.id AND NOT x.final AND x."taskId" = runs."taskId"
                       AND ${positive('x.loss')} ORDER BY x.epoch LIMIT 1) AS e0,
                   (SELECT x.epoch FROM "Validation" x WHERE x."runId" = runs.id AND NOT x.final AND x."taskId" = runs."taskId"
                       AND ${positive('x.loss')} ORDER BY x.epoch DESC LIMIT 1) AS e1) e
         WHERE runs."taskId" IS NOT NULL),
      train AS (
        SELECT runs.id, (SELECT avg(m."trainLoss") FROM "EpochMetric" m
                          WHERE m."runId" = runs.id AND ${positive('m."trainLoss"')}
                            AND m.epoch >= e.e1 - ${LEVEL_WINDOW}::float8 * (e.e1 - e.e0)) AS bound
          FROM runs JOIN val ON val.id = runs.id AND val.bound IS NULL CROSS JOIN LATERAL (
            SELECT (SELECT x.epoch FROM "EpochMetric" x WHERE x."runId" = runs.id AND ${positive('x."trainLoss"')} ORDER BY x.epoch LIMIT 1) AS e0,
                   (SELECT x.epoch FROM "EpochMetric" x WHERE x."runId" = runs.id AND ${positive('x."trainLoss"')} ORDER BY x.epoch DESC LIMIT 1) AS e1) e)
      SELECT runs.id,
             CASE WHEN val.bound IS NOT NULL OR train.bound IS NOT NULL THEN COALESCE(val.bound, train.bound) * (1 - 1e-9)
                  ELSE LEAST((SELECT min(v.loss) FROM "Validation" v WHERE v."runId" = runs.id AND ${positive('v.loss')}),
                             (SELECT min(m."trainLoss") FROM "EpochMetric" m WHERE m."runId" = runs.id AND ${positive('m."trainLoss"')}),
                             (SELECT min(b.min) FROM "StepBucket" b WHERE b."runId" = runs.id)) END AS bound
        FROM runs LEFT JOIN val ON val.id = runs.id LEFT JOIN train ON train.id = runs.id`;
    const bounds = new Map(rows.map((row) => [row.id, row.bound]));
    for (const run of chunk) {
      const bound = bounds.get(run.id) ?? null;
      boundCache.set(run.id, run.version, bound);
      out.set(run.id, bound);
    }
  }
  return out;
}

/** Each finished run's strategy identity key (strategy.ts) per run version. */
const strategyKeyCache = sharedCache<string>('forecast-strategy-key', 200_000);

/** The strategy keys of finished runs, from their VisionStrategy rows alone (as loadRunRecords reads them). */
async function strategyKeys(runs: readonly FinishedVersion[]): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  const missing: FinishedVersion[] = [];
  for (const run of runs) {
    const key = strategyKeyCache.get(run.id, run.version);
    if (key === undefined) missing.push(run);
    else out.set(run.id, key);
  }
  if (missing.length === 0) return out;
  const rows = await db().$queryRaw<(StrategyColumns & { id: number })[]>`
    SELECT r.id, s.kind, s.spec, s."totalLayers", s."frozenLayers", s."unfrozenLayers", s.applied, s."failureReason"
      FROM unnest(${missing.map((r) => r.id)}::int[]) AS r(id) LEFT JOIN "VisionStrategy" s ON s."runId" = r.id`;
  const byId = new Map(rows.map((row) => [row.id, row]));
  for (const run of missing) {
    const row = byId.get(run.id);
    const key = strategyKeyOf({ strategy: row ? strategyFromColumns(row) : null });
    strategyKeyCache.set(run.id, run.version, key);
    out.set(run.id, key);
  }
  return out;
}

/** Finished runs read per step of the incumbent's search (the bounds are tight: one step, as a rule). */
const SEARCH_CHUNK = 10;

/**
 * Loads into `known` what the forecast of `run` needs of the finished runs of its facet (`members`),
 * without loading them all (a lab has thousands):
 * - the incumbent: members in the order of their lower bounds (lowerBounds) until the next bound is
 *   above the best end level found — every member left out ends above it, so the incumbent is the
 *   one a scan of all of them would find (ties included: a bound equal to the best is loaded);
 * - the correcting peers (forecast-run.ts correctingPeers: the latest CORRECTING_PEERS of its strategy),
 *   members of its strategy (strategyKeys) newest first until that many of its metric and axis are
 *   found, with their backtest points around the run's fraction (peerShift).
 */
async function loadFacetNeeds(
  run: LoadedRun,
  curve: NonNullable<ReturnType<typeof runCurve>>,
  members: readonly FinishedVersion[],
  known: Map<number, FinishedEntry>,
  at: number | undefined,
): Promise<void> {
  const matches = (e: FinishedEntry) => e.curve.metric === curve.metric && e.curve.axis === curve.axis;
  const take = (loaded: Map<number, FinishedEntry>) => {
    for (const [id, entry] of loaded) known.set(id, entry);
  };
  // Members already summarised (cached at their version) cost nothing.
  take(
    await finishedEntries(
      members.filter((m) => known.has(m.id) || finishedCache.get(m.id, m.version) !== undefined),
      () => [],
    ),
  );
  let best = Infinity;
  for (const m of members) {
    const e = known.get(m.id);
    if (e && matches(e)) best = Math.min(best, e.curve.level);
  }
  const unseen = members.filter((m) => !known.has(m.id) && finishedCache.get(m.id, m.version) !== null);
  const bounds = await lowerBounds(unseen);
  const byBound = [...unseen].sort((a, b) => (bounds.get(a.id) ?? -Infinity) - (bounds.get(b.id) ?? -Infinity));
  for (let i = 0; i < byBound.length;) {
    const chunk: FinishedVersion[] = [];
    while (i < byBound.length && chunk.length < SEARCH_CHUNK && (bounds.get(byBound[i]!.id) ?? -Infinity) <= best)
      chunk.push(byBound[i++]!);
    if (chunk.length === 0) break;
    const loaded = await finishedEntries(chunk, () => []);
    take(loaded);
    for (const e of loaded.values()) if (matches(e)) best = Math.min(best, e.curve.level);
  }
  const f = forecastFraction(run, at);
  if (f === null) return;
  const strategy = strategyKeyOf(run);
  const keys = await strategyKeys(members);
  const isPeer = (e: FinishedEntry | undefined) => e !== undefined && matches(e) && e.curve.strategyKey === strategy;
  const newestFirst = members.filter((m) => keys.get(m.id) === strategy).sort((a, b) => b.id - a.id);
  const peers: FinishedVersion[] = [];
  for (let i = 0; i < newestFirst.length && peers.length < CORRECTING_PEERS;) {
    const chunk = newestFirst.slice(i, i + CORRECTING_PEERS - peers.length);
    i += chunk.length;
    take(await finishedEntries(chunk, () => []));
    for (const m of chunk) if (isPeer(known.get(m.id))) peers.push(m);
  }
  const { k0, k1 } = gridAround(f);
  take(await finishedEntries(peers, () => [k0, k1]));
}

/** Forecasts of runs (module rule: lib/analysis/forecast-answer.ts), sharing one calibration; one pass at a time. */
function forecastLoaded(runs: readonly LoadedRun[], at: number | undefined): Promise<RunForecast[]> {
  return oneAtATime(() => forecastNow(runs, at));
}

async function forecastNow(runs: readonly LoadedRun[], at: number | undefined): Promise<RunForecast[]> {
  const { calibration, entries, finished } = await calibrate();
  const known = new Map(entries);
  const byFacet = new Map<string, FinishedVersion[]>();
  for (const f of finished) {
    const key = facetKey(f, false);
    byFacet.set(key, [...(byFacet.get(key) ?? []), f]);
  }
  for (const run of runs) {
    const curve = runCurve(run);
    if (!curve) continue;
    const members = (byFacet.get(facetKey(run, false)) ?? []).filter((m) => m.id !== run.id);
    await loadFacetNeeds(run, curve, members, known, at);
  }
  const curves = [...known.values()].map(asFinishedCurve);
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
        experiment: facet?.experiment ?? null,
      };
    }),
    note: BACKTEST_NOTE,
  };
}
