// Runs with their small series (training loss per epoch, own-task validations) for analyses that
// need the series themselves (the strategies page); the runs table reads the stored summaries
// instead (runs.ts).
import type { EpochPoint, RunSeries, StrategyInput, ValidationPoint } from '../analysis';
import type { HiddenMode } from '../api/schemas/annotations';
import { db } from '../db/client';
import { ANNOTATION_JOIN, hiddenCondition } from './annotations';
import { Prisma } from '../generated/prisma/client';
import { experimentFolder } from '../views/facets';
import { strategyFromColumns, type StrategyColumns } from '../views/strategy-view';

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
  /** LeRobot's dataset.repo_id. */
  dataset: string | null;
  /** The run directory it is (`dir:<path>` for event-file runs), else null. */
  identity: string | null;
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
  /** facets.ts `experimentFolder`: the facet of a run with neither task id nor dataset. */
  experiment: string | null;
}

export interface RunSelection {
  ids?: readonly number[];
  taskIds?: readonly number[];
  statuses?: readonly string[];
  /** Hidden runs (annotations): left out unless asked (default include here: callers decide). */
  hidden?: HiddenMode;
}

function whereClause(selection: RunSelection): Prisma.Sql {
  const conditions: Prisma.Sql[] = [];
  if (selection.ids) conditions.push(Prisma.sql`r.id = ANY(${[...selection.ids]}::int[])`);
  if (selection.taskIds) conditions.push(Prisma.sql`r."taskId" = ANY(${[...selection.taskIds]}::int[])`);
  if (selection.statuses) conditions.push(Prisma.sql`r.status = ANY(${[...selection.statuses]}::text[])`);
  const hidden = hiddenCondition(selection.hidden ?? 'include');
  if (hidden) conditions.push(hidden);
  return conditions.length === 0 ? Prisma.empty : Prisma.sql`WHERE ${Prisma.join(conditions, ' AND ')}`;
}

/** How many runs the selection matches (e.g. the hidden runs a page leaves out). */
export async function countRuns(selection: RunSelection = {}): Promise<number> {
  const rows = await db().$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM "Run" r JOIN "LogSource" src ON src.id = r."sourceId" ${ANNOTATION_JOIN} ${whereClause(selection)}`;
  return rows[0]?.n ?? 0;
}

/** Runs with their small series (training loss per epoch, own-task validations). */
export async function loadRunRecords(selection: RunSelection = {}): Promise<RunRecord[]> {
  const rows = await db().$queryRaw<RunRecordRow[]>`
    SELECT r.id, r.xmin::text AS version, r."sourceId", r."taskId", r."taskName", r.status, r.format, r."epochsTotal", r."startedAt", r."lastSeenAt",
           r."outputDir", r."parentRunId", r."loadedFrom", r."resumePath", r."resumeTaskId", r."datasetFrames", r."stepsPerEpoch", r.description,
           r."totalSteps", r.episodes, r.dataset, r.identity, ls.step AS "lastStep", ll.loss AS "lastStepLoss",
           src.path AS "sourcePath", src.host AS "sourceHost",
           s.kind, s.spec, s."totalLayers", s."frozenLayers", s."unfrozenLayers", s.applied, s."failureReason",
           e.epochs AS "trainEpochs", e.losses AS "trainLosses",
           v.epochs AS "valEpochs", v.finals AS "valFinals", v.tasks AS "valTasks", v.losses AS "valLosses"
      FROM "Run" r
      JOIN "LogSource" src ON src.id = r."sourceId"
      ${ANNOTATION_JOIN}
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
    dataset: row.dataset,
    identity: row.identity,
    experiment: experimentFolder(row),
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
