// The runs table: every run with its strategy, progress, best validation and overfitting verdict,
// filtered, sorted, searched and paged IN POSTGRESQL. The derived fields (verdict, best/last values,
// strategy key) are stored per run in "RunSummary", which ingest keeps current in each batch's
// transaction (lib/summaries), so a page of 10,000 runs is one indexed query, the same for the
// first request of a freshly started process as for the hundredth. Rows missing a summary, or
// summarised by other analysis rules (an upgrade), are summarised once when first listed.
import { provenLastStep } from '../analysis/artefacts';
import { db, type Db } from '../db/client';
import { Prisma } from '../generated/prisma/client';
import type { HiddenMode } from '../api/schemas/annotations';
import { parseScalarColumn, scalarColumnKey, type RunFacets, type RunRow, type RunsQuery, type ScalarColumn } from '../api/schemas/runs';
import { ANNOTATION_COLUMNS, ANNOTATION_JOIN, annotationOf, hiddenCondition, type AnnotationColumns } from './annotations';
import { SEARCH_SEPARATOR, type SummaryView } from '../summaries/run-summary';
import { lastTrainLossView } from '../views/strategy-view';
import { experimentFolder } from '../views/facets';
import { lockRuns, refreshRunSummaries, staleSummaries, type SqlRunner } from '../summaries/tables';
import { runProgress } from '../analysis/scalar-metrics';

export type RunFilters = Omit<RunsQuery, 'format' | 'page' | 'limit' | 'hidden'> & {
  page?: number;
  limit?: number;
  /** Hidden runs (annotations): left out unless asked (default exclude). */
  hidden?: HiddenMode;
};

export interface RunsPage {
  runs: RunRow[];
  total: number;
  page: number;
  limit: number | null;
  counts: RunFacets;
}

type Client = Db | Prisma.TransactionClient;

function runner(client: Client): SqlRunner {
  return (text, params) => client.$queryRawUnsafe<Record<string, unknown>[]>(text, ...params);
}

/** Summarises runs whose stored summary is missing or stale (once; stored for every process). */
async function ensureSummaries(ids?: readonly number[]): Promise<void> {
  const stale = await staleSummaries(runner(db()), ids);
  for (let at = 0; at < stale.length; at += 500) {
    const chunk = stale.slice(at, at + 500);
    await db().$transaction(
      async (tx) => {
        await lockRuns(runner(tx), chunk);
        await refreshRunSummaries(runner(tx), chunk);
      },
      { timeout: 120_000 },
    );
  }
}

const FROM = Prisma.sql`FROM "Run" r JOIN "LogSource" src ON src.id = r."sourceId" JOIN "RunSummary" rs ON rs."runId" = r.id ${ANNOTATION_JOIN}`;

/**
 * Each run's last step (a backward index probe per run listed) and, only where LAST_TRAIN_LOSS reads
 * it (no epoch averages), its latest step loss, NaN and ±inf included (a run whose loss turned NaN
 * shows NaN): for other runs the condition on `rs` is a one-time filter and the second probe never runs.
 */
const LAST_STEP = Prisma.sql`
  LEFT JOIN LATERAL (SELECT sp.step FROM "StepPoint" sp WHERE sp."runId" = r.id ORDER BY sp.step DESC LIMIT 1) ls ON true
  LEFT JOIN LATERAL (
    SELECT sp.loss FROM "StepPoint" sp
     WHERE rs."lastTrainLoss" IS NULL AND rs."epochsDone" = 0 AND sp."runId" = r.id AND sp.loss IS NOT NULL
     ORDER BY sp.step DESC LIMIT 1) ll ON true`;

/**
 * The latest epoch's training loss (RunSummary keeps it as it is, NaN and ±inf included); without epoch
 * averages (step-based trainers such as LeRobot) the last step's loss. PostgreSQL orders NaN above
 * every number, so sorting by it puts a NaN run first in descending order (lib/api/sort-runs.ts agrees).
 */
const LAST_TRAIN_LOSS = Prisma.sql`COALESCE(rs."lastTrainLoss", CASE WHEN rs."epochsDone" = 0 THEN ll.loss END)`;

type Facet = 'task' | 'strategy' | 'status' | 'verdict' | 'tag' | 'starred' | 'hidden';

/** Conditions every facet shares (run ids, text search). */
function baseConditions(filters: RunFilters): Prisma.Sql[] {
  const out: Prisma.Sql[] = [];
  if (filters.ids) out.push(Prisma.sql`r.id = ANY(${[...filters.ids]}::int[])`);
  const needle = filters.q?.trim().toLowerCase() ?? '';
  if (needle !== '') {
    out.push(Prisma.sql`strpos(lower(concat_ws(${SEARCH_SEPARATOR}, '#' || r.id, 'task' || COALESCE(r."taskId"::text, ''), r."taskName",
      r.description, r."outputDir", src.path, rs."searchText", r.status, an.name, an.note, array_to_string(an.tags, ' '))), ${needle}) > 0`);
  }
  return out;
}

function facetConditions(filters: RunFilters, except?: Facet): Prisma.Sql[] {
  const out: Prisma.Sql[] = [];
  if (filters.task && except !== 'task') out.push(Prisma.sql`r."taskId" = ANY(${[...filters.task]}::int[])`);
  if (filters.strategy && except !== 'strategy') out.push(Prisma.sql`rs."strategyKey" = ANY(${[...filters.strategy]}::text[])`);
  if (filters.status && except !== 'status') out.push(Prisma.sql`r.status = ANY(${[...filters.status]}::text[])`);
  if (filters.verdict && except !== 'verdict') out.push(Prisma.sql`rs.verdict = ANY(${[...filters.verdict]}::text[])`);
  if (filters.tag && except !== 'tag') out.push(Prisma.sql`COALESCE(an.tags, '{}') && ${[...filters.tag]}::text[]`);
  if (filters.starred !== undefined && except !== 'starred') out.push(Prisma.sql`COALESCE(an.starred, false) = ${filters.starred}`);
  const hidden = except === 'hidden' ? null : hiddenCondition(filters.hidden ?? 'exclude');
  if (hidden) out.push(hidden);
  return out;
}

const where = (conditions: Prisma.Sql[]) =>
  conditions.length === 0 ? Prisma.empty : Prisma.sql`WHERE ${Prisma.join(conditions, ' AND ')}`;

/** The SQL twin of lib/api/sort-runs.ts (the client re-sorts merged rows with that one). */
const ORDER: Record<RunFilters['sort'], Prisma.Sql> = {
  id: Prisma.sql`r.id`,
  task: Prisma.sql`r."taskId"`,
  strategy: Prisma.sql`rs."strategySort"`,
  status: Prisma.sql`CASE r.status WHEN 'running' THEN 0 WHEN 'stale' THEN 1 WHEN 'crashed' THEN 2 WHEN 'completed' THEN 3 ELSE 9 END`,
  epochs: Prisma.sql`rs."epochsDone"`,
  lastTrainLoss: LAST_TRAIN_LOSS,
  bestVal: Prisma.sql`rs."bestValLoss"`,
  gap: Prisma.sql`rs."finalGap"`,
  verdict: Prisma.sql`CASE rs.verdict WHEN 'diverged' THEN 0 WHEN 'overfitting' THEN 1 WHEN 'watch' THEN 2 WHEN 'insufficient' THEN 3 WHEN 'ok' THEN 4 END`,
  startedAt: Prisma.sql`r."startedAt"`,
  lastSeenAt: Prisma.sql`r."lastSeenAt"`,
  source: Prisma.sql`src.path COLLATE "C"`,
  // Running runs first (newest first among them); their forecasts order them in the browser.
  forecast: Prisma.sql`CASE WHEN r.status = 'running' THEN 0 END`,
};

interface ListedRow extends AnnotationColumns {
  id: number;
  taskId: number | null;
  taskName: string | null;
  status: string;
  format: string;
  epochsTotal: number | null;
  startedAt: Date;
  lastSeenAt: Date;
  outputDir: string | null;
  parentRunId: number | null;
  datasetFrames: number | null;
  stepsPerEpoch: number | null;
  totalSteps: number | null;
  episodes: number | null;
  dataset: string | null;
  identity: string | null;
  lastStep: number | null;
  newestCheckpoint: number | null;
  /** LAST_TRAIN_LOSS as text: NaN and ±Infinity come through as they are. */
  lastTrainLoss: string | null;
  description: string | null;
  sourceId: number;
  sourcePath: string;
  sourceHost: string;
  view: SummaryView;
}

function toRow(row: ListedRow): RunRow {
  const { view } = row;
  // Summaries stored before scalars were kept have no epochRows: their epochsDone came from epoch rows only.
  const progress = runProgress({
    epochRows: view.epochRows ?? view.epochsDone,
    epochsTotal: row.epochsTotal,
    scalars: { axis: view.scalarAxis ?? null, epochsDone: view.epochsDone, trainStep: view.trainStep ?? null },
    logStep: provenLastStep(row.lastStep, row.newestCheckpoint),
  });
  return {
    id: row.id,
    taskId: row.taskId,
    taskName: row.taskName,
    status: row.status,
    format: row.format,
    strategy: row.view.strategy,
    epochsDone: progress.epochsDone,
    axis: progress.axis,
    epochsTotal: row.epochsTotal,
    ...lastTrainLossView(row.lastTrainLoss === null ? null : Number(row.lastTrainLoss)),
    bestVal: row.view.bestVal,
    finalGap: row.view.finalGap,
    verdict: row.view.verdict,
    startedAt: row.startedAt.toISOString(),
    lastSeenAt: row.lastSeenAt.toISOString(),
    source: { id: row.sourceId, path: row.sourcePath, host: row.sourceHost },
    outputDir: row.outputDir,
    parentRunId: row.parentRunId,
    datasetFrames: row.datasetFrames,
    stepsPerEpoch: row.stepsPerEpoch,
    lastStep: progress.lastStep,
    totalSteps: row.totalSteps,
    episodes: row.episodes,
    dataset: row.dataset,
    experiment: experimentFolder({ identity: row.identity, outputDir: row.outputDir, sourcePath: row.sourcePath }),
    ...annotationOf(row),
  };
}

interface FacetRow {
  task: number | null;
  taskName: string | null;
  strategy: string;
  label: string | null;
  layers: number | null;
  status: string;
  verdict: string;
  tags: string[];
  starred: boolean;
  hidden: boolean;
  n: number;
}

/** A listed row; the first row of a listing with facets also carries the facet groups (json). */
type ListedRowWithFacets = ListedRow & { facets?: FacetRow[] | null };

/**
 * The runs listing as ONE statement: the runs matching the base conditions (ids, search) are joined
 * and searched once (`base`, materialised: narrow columns only), each with a flag for whether it
 * passes the facet filters too. The page is taken from the flagged rows and, with `facets`, the
 * counts per filter value are grouped from all of them in the same pass; the groups come back as a
 * json column on the first row (or on a row of nulls when the page is empty).
 */
async function selectRows(filters: RunFilters, withFacets: boolean): Promise<{ rows: ListedRow[]; groups: FacetRow[] }> {
  const dir = filters.dir === 'asc' ? Prisma.sql`ASC` : Prisma.sql`DESC`;
  const paging =
    filters.limit === undefined
      ? Prisma.empty
      : Prisma.sql`LIMIT ${filters.limit} OFFSET ${(Math.max(1, filters.page ?? 1) - 1) * filters.limit}`;
  const facetFilter = facetConditions(filters);
  const matched = facetFilter.length === 0 ? Prisma.sql`true` : Prisma.join(facetFilter, ' AND ');
  // The page is chosen first; its rows' last steps are probed after (only the order by last training
  // loss needs them for every run).
  const listed = Prisma.sql`
    base AS MATERIALIZED (
      SELECT r.id, ${ORDER[filters.sort]} AS k, r."taskId" AS task, r."taskName", rs."strategyKey" AS strategy, r.status, rs.verdict,
             COALESCE(an.tags, '{}') AS tags, COALESCE(an.starred, false) AS starred, COALESCE(an.hidden, false) AS hidden,
             (${matched}) AS matched
        ${FROM} ${filters.sort === 'lastTrainLoss' ? LAST_STEP : Prisma.empty}
        ${where(baseConditions(filters))}),
    page AS (
      SELECT id, k FROM base WHERE matched ORDER BY k ${dir} NULLS LAST, id DESC ${paging}),
    listed AS (
      SELECT r.id, r."taskId", r."taskName", r.status, r.format, r."epochsTotal", r."startedAt", r."lastSeenAt", r."outputDir",
             r."parentRunId", r."datasetFrames", r."stepsPerEpoch", r."totalSteps", r.episodes, r.dataset, r.identity, r.description,
             ls.step AS "lastStep", (SELECT max(c.step) FROM "Checkpoint" c WHERE c."runId" = r.id) AS "newestCheckpoint",
             (${LAST_TRAIN_LOSS})::text AS "lastTrainLoss",
             src.id AS "sourceId", src.path AS "sourcePath", src.host AS "sourceHost", rs.view, ${ANNOTATION_COLUMNS},
             row_number() OVER (ORDER BY page.k ${dir} NULLS LAST, r.id DESC) AS ord
        FROM page JOIN "Run" r ON r.id = page.id JOIN "LogSource" src ON src.id = r."sourceId" JOIN "RunSummary" rs ON rs."runId" = r.id
        ${ANNOTATION_JOIN} ${LAST_STEP})`;
  if (!withFacets) {
    const rows = await db().$queryRaw<ListedRow[]>`WITH ${listed} SELECT * FROM listed ORDER BY ord`;
    return { rows, groups: [] };
  }
  // The strategy's label and layer count come from one run of each group (the same strategy key has
  // the same label): the stored view (jsonb) is read a few hundred times, not once per run.
  const result = await db().$queryRaw<ListedRowWithFacets[]>`
    WITH ${listed},
    groups AS (
      SELECT task, min("taskName") AS "taskName", strategy, status, verdict, tags, starred, hidden, count(*)::int AS n, min(id) AS sample
        FROM base GROUP BY task, strategy, status, verdict, tags, starred, hidden),
    facets AS (
      SELECT COALESCE(json_agg(json_build_object('task', g.task, 'taskName', g."taskName", 'strategy', g.strategy,
               'label', s.view #>> '{strategy,label}', 'layers', (s.view #>> '{strategy,trainableLayers}')::int, 'status', g.status,
               'verdict', g.verdict, 'tags', g.tags, 'starred', g.starred, 'hidden', g.hidden, 'n', g.n)), '[]') AS facets
        -- One index probe per group (OFFSET 0 keeps it a probe: as a join, the planner merged the groups
        -- with a walk of the whole summary index).
        FROM groups g CROSS JOIN LATERAL (SELECT view FROM "RunSummary" WHERE "runId" = g.sample OFFSET 0) s)
    SELECT listed.*, CASE WHEN COALESCE(listed.ord, 1) = 1 THEN f.facets END AS facets
      FROM facets f LEFT JOIN listed ON true
     ORDER BY listed.ord`;
  const groups = result[0]?.facets ?? [];
  return { rows: result.filter((row) => row.id !== null), groups };
}

/** Counts per filter value (each under the other filters) and the total, from the listing's groups. */
function facets(filters: RunFilters, combos: readonly FacetRow[]): { total: number; counts: RunFacets } {
  const accepts: Record<Facet, (c: FacetRow) => boolean> = {
    task: (c) => !filters.task || (c.task !== null && filters.task.includes(c.task)),
    strategy: (c) => !filters.strategy || filters.strategy.includes(c.strategy),
    status: (c) => !filters.status || (filters.status as readonly string[]).includes(c.status),
    verdict: (c) => !filters.verdict || (filters.verdict as readonly string[]).includes(c.verdict),
    tag: (c) => !filters.tag || c.tags.some((t) => filters.tag!.includes(t)),
    starred: (c) => filters.starred === undefined || c.starred === filters.starred,
    hidden: (c) => (filters.hidden ?? 'exclude') === 'include' || c.hidden === (filters.hidden === 'only'),
  };
  const facetNames = Object.keys(accepts) as Facet[];
  const matching = (c: FacetRow, except?: Facet) => facetNames.every((f) => f === except || accepts[f](c));
  const tally = <K>(except: Facet, key: (c: FacetRow) => K) => {
    const out = new Map<K, { count: number; first: FacetRow }>();
    for (const c of combos) {
      if (!matching(c, except)) continue;
      const entry = out.get(key(c));
      if (entry) entry.count += c.n;
      else out.set(key(c), { count: c.n, first: c });
    }
    return [...out.entries()];
  };
  const total = combos.reduce((sum, c) => sum + (matching(c) ? c.n : 0), 0);
  return {
    total,
    counts: {
      task: tally('task', (c) => c.task)
        .sort((a, b) => (a[0] ?? Infinity) - (b[0] ?? Infinity))
        .map(([value, { count, first }]) => ({ value, count, name: first.taskName })),
      strategy: tally('strategy', (c) => c.strategy)
        .map(([value, { count, first }]) => ({ value, count, label: first.label ?? value, trainableLayers: first.layers }))
        .sort((a, b) => (a.trainableLayers ?? 99) - (b.trainableLayers ?? 99) || a.value.localeCompare(b.value)),
      status: tally('status', (c) => c.status)
        .map(([value, { count }]) => ({ value, count }))
        .sort((a, b) => a.value.localeCompare(b.value)),
      verdict: tally('verdict', (c) => c.verdict)
        .map(([value, { count }]) => ({ value, count }))
        .sort((a, b) => a.value.localeCompare(b.value)),
      tag: tagTally(combos.filter((c) => matching(c, 'tag'))),
      starred: tally('starred', (c) => c.starred)
        .map(([value, { count }]) => ({ value, count }))
        .sort((a, b) => Number(b.value) - Number(a.value)),
      hidden: tally('hidden', (c) => c.hidden)
        .map(([value, { count }]) => ({ value, count }))
        .sort((a, b) => Number(b.value) - Number(a.value)),
    },
  };
}

/** Runs per tag among these combinations, most used first (a run with two tags counts under both). */
function tagTally(combos: readonly FacetRow[]): { value: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const c of combos) for (const tag of c.tags) counts.set(tag, (counts.get(tag) ?? 0) + c.n);
  return [...counts.entries()]
    .map(([value, count]) => ({ value, count }))
    .sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
}

/** A table whose rows a digest covers, by the column that identifies a row. */
export type DigestTable = readonly [table: string, key: string];

/** What the runs listing reads (see runsListingVersion). */
const LISTING_TABLES: readonly DigestTable[] = [
  ['Run', 'id'],
  ['RunSummary', '"runId"'],
  ['LogSource', 'id'],
  ['RunAnnotation', 'key'],
];

/**
 * A digest of every row of the tables: each row by its key and `xmin`. Every write gives a row a new
 * `xmin` (lib/cache.ts), and an insert or delete changes the list, so the same digest means the
 * same rows. A scan of each table's tuple headers, no join: about 2 ms for 1,000 runs' rows.
 */
async function rowsVersion(tables: readonly DigestTable[]): Promise<string> {
  const parts = tables.map(
    ([table, key]) => `(SELECT count(*) || ':' || md5(COALESCE(string_agg(${key}::text || ':' || xmin::text, ','), '')) FROM "${table}")`,
  );
  const [row] = await db().$queryRawUnsafe<{ version: string }[]>(`SELECT concat_ws('|', ${parts.join(', ')}) AS version`);
  return row!.version;
}

/**
 * A digest of every row the runs listing reads (LISTING_TABLES), whatever the filters: the same
 * digest means the same listing. (Its last steps come from "StepPoint", whose writer, ingest, updates
 * the run's row in the same transaction.) Stale summaries are refreshed first, so the digest covers
 * their new rows. `alsoTables` joins more tables to the digest (for views made of more than the listing).
 */
export async function runsListingVersion(ids?: readonly number[], alsoTables: readonly DigestTable[] = []): Promise<string> {
  await ensureSummaries(ids);
  return rowsVersion([...LISTING_TABLES, ...alsoTables]);
}

/** One page of the runs table (every matching run without `limit`), with totals and counts per filter value. */
export async function listRunsPage(filters: RunFilters): Promise<RunsPage> {
  await ensureSummaries(filters.ids);
  const { rows, groups } = await selectRows(filters, true);
  const { total, counts } = facets(filters, groups);
  return {
    runs: await withScalarColumns(rows.map(toRow), filters.col),
    total,
    page: filters.limit === undefined ? 1 : (filters.page ?? 1),
    limit: filters.limit ?? null,
    counts,
  };
}

/**
 * The page's rows with the scalar columns asked for (`col`): each run's last value of each tag, from
 * its "ScalarTag" summary (one index probe per run and column). Every row gets every column.
 */
async function withScalarColumns(rows: RunRow[], columns: readonly string[] | undefined): Promise<RunRow[]> {
  const wanted = (columns ?? []).map(parseScalarColumn).filter((c): c is ScalarColumn => c !== null);
  if (wanted.length === 0 || rows.length === 0) return rows;
  const found = await db().scalarTag.findMany({
    where: { runId: { in: rows.map((row) => row.id) }, OR: wanted.map((c) => ({ dir: c.dir, tag: c.tag })) },
    select: { runId: true, dir: true, tag: true, lastValue: true, lastStep: true },
  });
  const cells = new Map(found.map((t) => [`${t.runId} ${scalarColumnKey(t)}`, t]));
  return rows.map((row) => ({
    ...row,
    scalars: Object.fromEntries(
      wanted.map((c) => {
        const key = scalarColumnKey(c);
        const t = cells.get(`${row.id} ${key}`);
        return [key, { value: t && Number.isFinite(t.lastValue) ? t.lastValue : null, step: t?.lastStep ?? null }];
      }),
    ),
  }));
}

/** Every run matching the filters, sorted. */
export async function listRuns(filters: RunFilters): Promise<RunRow[]> {
  await ensureSummaries(filters.ids);
  return (await selectRows({ ...filters, limit: undefined }, false)).rows.map(toRow);
}

/** The filter drop-downs' options from the counts (tasks and strategies present, with their counts). */
export function filterOptions(counts: RunFacets): {
  tasks: { id: number; name: string | null; count: number }[];
  strategies: { key: string; label: string; trainableLayers: number | null; count: number }[];
} {
  return {
    tasks: counts.task.flatMap((t) => (t.value === null ? [] : [{ id: t.value, name: t.name, count: t.count }])),
    strategies: counts.strategy.map((s) => ({ key: s.value, label: s.label, trainableLayers: s.trainableLayers, count: s.count })),
  };
}
