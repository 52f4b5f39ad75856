// The runs table: every run with its strategy, progress, best validation and overfitting verdict.
// One SQL statement aggregates each run's training-loss and own-task validation series into arrays
// (a few hundred numbers per run), so 1,000 runs cost one round trip; the verdicts are computed here
// by lib/analysis on those small series. Step points are never read for this table.
import {
  bestValidation,
  lastTrainLoss,
  overfittingVerdict,
  type EpochPoint,
  type RunSeries,
  type StrategyInput,
  type ValidationPoint,
} from '../analysis';
import { db } from '../db/client';
import { Prisma } from '../generated/prisma/client';
import type { RunRow, RunsQuery } from '../api/schemas/runs';
import { sortRuns } from '../api/sort-runs';
import { sharedCache } from '../views/cache';
import { finiteOrNull, strategyFromColumns, strategyView, verdictView, type StrategyColumns } from '../views/views';

/** What SQL returns per run (arrays are epoch-ascending). */
/** Columns a run record carries as they are (shared by the SQL row and the record). */
interface RunColumns {
  id: number;
  /** The run row's version (see cache.ts): changes whenever ingest touched the run. */
  version: string;
  sourceId: number;
  taskName: string | null;
  status: string;
  format: string;
  epochsTotal: number | null;
  startedAt: Date;
  lastSeenAt: Date;
  outputDir: string | null;
  parentRunId: number | null;
  loadedFrom: string | null;
  resumePath: string | null;
  resumeTaskId: number | null;
  datasetFrames: number | null;
  stepsPerEpoch: number | null;
  totalSteps: number | null;
  episodes: number | null;
  lastStep: number | null;
  /** The latest finite per-step loss (runs without epoch averages, e.g. LeRobot). */
  lastStepLoss: number | null;
  description: string | null;
  sourcePath: string;
  sourceHost: string;
}

interface RunRecordRow extends RunColumns, StrategyColumns {
  taskId: number | null;
  trainEpochs: number[] | null;
  trainLosses: number[] | null;
  valEpochs: number[] | null;
  valFinals: boolean[] | null;
  valTasks: number[] | null;
  valLosses: (number | null)[] | null;
}

/** A run with the series the verdict needs: training loss per epoch and OWN-task validations. */
export interface RunRecord extends RunSeries, Omit<RunColumns, 'format'> {
  format: string;
  strategy: StrategyInput | null;
}

export interface RunSelection {
  ids?: readonly number[];
  taskIds?: readonly number[];
  statuses?: readonly string[];
}

function whereClause(selection: RunSelection): Prisma.Sql {
  const conditions: Prisma.Sql[] = [];
  if (selection.ids) conditions.push(Prisma.sql`r.id = ANY(${[...selection.ids]}::int[])`);
  if (selection.taskIds) conditions.push(Prisma.sql`r."taskId" = ANY(${[...selection.taskIds]}::int[])`);
  if (selection.statuses) conditions.push(Prisma.sql`r.status = ANY(${[...selection.statuses]}::text[])`);
  return conditions.length === 0 ? Prisma.empty : Prisma.sql`WHERE ${Prisma.join(conditions, ' AND ')}`;
}

/** Runs with their small series (training loss per epoch, own-task validations). */
export async function loadRunRecords(selection: RunSelection = {}): Promise<RunRecord[]> {
  const rows = await db().$queryRaw<RunRecordRow[]>`
    SELECT r.id, r.xmin::text AS version, r."sourceId", r."taskId", r."taskName", r.status, r.format, r."epochsTotal", r."startedAt", r."lastSeenAt",
           r."outputDir", r."parentRunId", r."loadedFrom", r."resumePath", r."resumeTaskId", r."datasetFrames", r."stepsPerEpoch", r.description,
           r."totalSteps", r.episodes, ls.step AS "lastStep", ll.loss AS "lastStepLoss",
           src.path AS "sourcePath", src.host AS "sourceHost",
           s.kind, s.spec, s."totalLayers", s."frozenLayers", s."unfrozenLayers", s.applied, s."failureReason",
           e.epochs AS "trainEpochs", e.losses AS "trainLosses",
           v.epochs AS "valEpochs", v.finals AS "valFinals", v.tasks AS "valTasks", v.losses AS "valLosses"
      FROM "Run" r
      JOIN "LogSource" src ON src.id = r."sourceId"
      LEFT JOIN "VisionStrategy" s ON s."runId" = r.id
      LEFT JOIN LATERAL (SELECT sp.step FROM "StepPoint" sp WHERE sp."runId" = r.id ORDER BY sp.step DESC LIMIT 1) ls ON true
      LEFT JOIN LATERAL (
        SELECT sp.loss FROM "StepPoint" sp WHERE sp."runId" = r.id AND sp.loss - sp.loss = 0 ORDER BY sp.step DESC LIMIT 1) ll ON true
      LEFT JOIN LATERAL (
        SELECT array_agg(m.epoch ORDER BY m.epoch) AS epochs, array_agg(m."trainLoss" ORDER BY m.epoch) AS losses
          FROM "EpochMetric" m WHERE m."runId" = r.id AND m."trainLoss" IS NOT NULL) e ON true
      LEFT JOIN LATERAL (
        SELECT array_agg(x.epoch ORDER BY x.epoch, x.final) AS epochs, array_agg(x.final ORDER BY x.epoch, x.final) AS finals,
               array_agg(x."taskId" ORDER BY x.epoch, x.final) AS tasks, array_agg(x.loss ORDER BY x.epoch, x.final) AS losses
          FROM "Validation" x WHERE x."runId" = r.id AND (r."taskId" IS NULL OR x."taskId" = r."taskId")) v ON true
      ${whereClause(selection)}
     ORDER BY r.id`;
  return rows.map(toRecord);
}

function toRecord(row: RunRecordRow): RunRecord {
  const epochs: EpochPoint[] = (row.trainEpochs ?? []).map((epoch, i) => ({ epoch, trainLoss: row.trainLosses?.[i] ?? null }));
  const validations: ValidationPoint[] = (row.valEpochs ?? []).map((epoch, i) => ({
    epoch,
    final: row.valFinals?.[i] ?? false,
    taskId: row.valTasks?.[i] ?? 0,
    loss: row.valLosses?.[i] ?? null,
  }));
  const strategy = strategyFromColumns(row);
  return {
    id: row.id,
    version: row.version,
    sourceId: row.sourceId,
    taskId: row.taskId,
    taskName: row.taskName,
    status: row.status,
    format: row.format,
    epochsTotal: row.epochsTotal,
    startedAt: row.startedAt,
    lastSeenAt: row.lastSeenAt,
    outputDir: row.outputDir,
    parentRunId: row.parentRunId,
    loadedFrom: row.loadedFrom,
    resumePath: row.resumePath,
    resumeTaskId: row.resumeTaskId,
    datasetFrames: row.datasetFrames,
    stepsPerEpoch: row.stepsPerEpoch,
    totalSteps: row.totalSteps,
    episodes: row.episodes,
    lastStep: row.lastStep,
    lastStepLoss: row.lastStepLoss,
    description: row.description,
    sourcePath: row.sourcePath,
    sourceHost: row.sourceHost,
    strategy,
    epochs,
    validations,
  };
}

/** The runs-table row of a record: strategy identity, verdict and the numbers the table shows. */
export function toRunRow(record: RunRecord): RunRow {
  const verdict = overfittingVerdict(record);
  const best = bestValidation(record);
  const epochsDone = record.epochs.reduce((max, e) => Math.max(max, e.epoch), 0);
  return {
    id: record.id,
    taskId: record.taskId,
    taskName: record.taskName,
    status: record.status,
    format: record.format,
    strategy: strategyView(record.strategy),
    epochsDone,
    epochsTotal: record.epochsTotal,
    // Without epoch averages (step-based trainers such as LeRobot): the last step's loss.
    lastTrainLoss: finiteOrNull(lastTrainLoss(record.epochs)?.loss ?? (record.epochs.length === 0 ? record.lastStepLoss : null)),
    bestVal: best === null ? null : { loss: best.loss, epoch: best.epoch, final: best.final },
    finalGap: finiteOrNull(verdict.gapAtEnd),
    verdict: verdictView(verdict),
    startedAt: record.startedAt.toISOString(),
    lastSeenAt: record.lastSeenAt.toISOString(),
    source: { id: record.sourceId, path: record.sourcePath, host: record.sourceHost },
    outputDir: record.outputDir,
    parentRunId: record.parentRunId,
    datasetFrames: record.datasetFrames,
    stepsPerEpoch: record.stepsPerEpoch,
    lastStep: record.lastStep,
    totalSteps: record.totalSteps,
    episodes: record.episodes,
  };
}

export type RunFilters = Omit<RunsQuery, 'format'>;

interface CachedRow {
  row: RunRow;
  description: string | null;
}

/** Runs-table rows keyed by run id; a row is ~2 KB, so 20,000 of them stay well under 100 MB. */
const rowCache = sharedCache<CachedRow>('run-rows', 20_000);

/** The current version of each selected run (cheap: no series). */
async function runVersions(selection: RunSelection): Promise<{ id: number; version: string }[]> {
  return db().$queryRaw<{ id: number; version: string }[]>`SELECT r.id, r.xmin::text AS version FROM "Run" r ${whereClause(selection)}`;
}

/** Runs-table rows for a selection: only runs that changed since they were cached are re-read. */
export async function runRows(selection: RunSelection): Promise<CachedRow[]> {
  const versions = await runVersions(selection);
  const out = new Map<number, CachedRow>();
  const stale: number[] = [];
  for (const { id, version } of versions) {
    const cached = rowCache.get(id, version);
    if (cached) out.set(id, cached);
    else stale.push(id);
  }
  if (stale.length > 0) {
    for (const record of await loadRunRecords({ ids: stale })) {
      const entry = { row: toRunRow(record), description: record.description };
      rowCache.set(record.id, record.version, entry);
      out.set(record.id, entry);
    }
  }
  return versions.map((v) => out.get(v.id)).filter((entry): entry is CachedRow => entry !== undefined);
}

function matchesText(entry: CachedRow, needle: string): boolean {
  const { row } = entry;
  const haystack = [
    `#${row.id}`,
    `task${row.taskId ?? ''}`,
    row.taskName,
    entry.description,
    row.outputDir,
    row.source.path,
    row.strategy.label,
    row.strategy.kind,
    row.strategy.requestedLabel,
    row.status,
    row.verdict.status,
  ];
  return haystack.some((text) => text !== null && text !== undefined && text.toLowerCase().includes(needle));
}

/** The runs table, filtered and sorted (filters that need the analysis are applied after it). */
export async function listRuns(filters: RunFilters): Promise<RunRow[]> {
  const entries = await runRows({ ids: filters.ids, taskIds: filters.task, statuses: filters.status });
  const needle = filters.q?.trim().toLowerCase() ?? '';
  const strategies = filters.strategy ? new Set(filters.strategy) : null;
  const verdicts = filters.verdict ? new Set<string>(filters.verdict) : null;
  const rows: RunRow[] = [];
  for (const entry of entries) {
    const { row } = entry;
    if (strategies && !strategies.has(row.strategy.key)) continue;
    if (verdicts && !verdicts.has(row.verdict.status)) continue;
    if (needle !== '' && !matchesText(entry, needle)) continue;
    rows.push(row);
  }
  return sortRuns(rows, filters.sort, filters.dir);
}

/** Distinct tasks and strategies present, for the filter drop-downs. */
export function filterOptions(rows: readonly RunRow[]): {
  tasks: { id: number; name: string | null }[];
  strategies: { key: string; label: string; trainableLayers: number | null }[];
} {
  const tasks = new Map<number, string | null>();
  const strategies = new Map<string, { key: string; label: string; trainableLayers: number | null }>();
  for (const row of rows) {
    if (row.taskId !== null && !tasks.has(row.taskId)) tasks.set(row.taskId, row.taskName);
    if (!strategies.has(row.strategy.key))
      strategies.set(row.strategy.key, { key: row.strategy.key, label: row.strategy.label, trainableLayers: row.strategy.trainableLayers });
  }
  return {
    tasks: [...tasks].sort((a, b) => a[0] - b[0]).map(([id, name]) => ({ id, name })),
    strategies: [...strategies.values()].sort(
      (a, b) => (a.trainableLayers ?? 99) - (b.trainableLayers ?? 99) || a.key.localeCompare(b.key),
    ),
  };
}
