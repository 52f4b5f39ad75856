// A canonical, order-independent dump of everything ingest wrote, keyed by natural keys (file path,
// run key, epoch, step …) instead of surrogate ids and wall-clock times, so two databases filled
// in different ways (live vs backfill, with crashes, by two daemons) can be compared row for row.
import type pg from 'pg';

type Query = <T extends pg.QueryResultRow>(sql: string, params?: unknown[]) => Promise<T[]>;

/**
 * A run is its console log's path and run key; a run built from its run directory alone is its
 * identity (whichever of its files happened to create it).
 */
const RUN_KEY = `CASE WHEN s.kind = 'log' THEN s.path || '#' || r."runKey" ELSE r.identity END`;

export async function snapshotDatabase(
  query: Query,
  options: { pathPrefix?: string; summaries?: boolean } = {},
): Promise<Record<string, unknown[]>> {
  const strip = options.pathPrefix ? `replace(s.path, '${options.pathPrefix.replace(/'/g, "''")}', '')` : 's.path';
  const runKey = RUN_KEY.replace('s.path', strip);
  const tables: Record<string, string> = {
    sources: `SELECT ${strip} AS path, s."committedOffset", s."linesSeen", s.size, s.state, s.fingerprint, s."fingerprintLength", s."parserState" FROM "LogSource" s`,
    runs: `SELECT ${runKey} AS run, r.format, r."taskId", r."taskName", r.description, r.language, r.stage, r."outputDir", r.timestamp, r.status,
                  r."errorMessage", r."loadedFrom", r."pretrainedPath", r."resumeTaskId", r."resumePath", r."epochsTotal", r."batchSize",
                  r."learningRate", r."stepsPerEpoch", r."totalSteps", r."datasetFrames", r."datasetFps", r."totalParams", r."trainableParams",
                  r."frozenParams", r."bestLoss",
                  (SELECT ${strip.replace(/s\.path/g, 'ps.path')} || '#' || p."runKey" FROM "Run" p JOIN "LogSource" ps ON ps.id = p."sourceId" WHERE p.id = r."parentRunId") AS parent
             FROM "Run" r JOIN "LogSource" s ON s.id = r."sourceId"`,
    strategies: `SELECT ${runKey} AS run, v.kind, v.spec, v."totalLayers", v."frozenLayers", v."unfrozenLayers", v.applied, v."failureReason", v."visionTrainableParams", v."visionTotalParams"
                   FROM "VisionStrategy" v JOIN "Run" r ON r.id = v."runId" JOIN "LogSource" s ON s.id = r."sourceId"`,
    epochs: `SELECT ${runKey} AS run, e.epoch, e."trainLoss"::text, e.lr::text, e."msPerBatch"::text, e."samplesPerSec"::text, e."durationMinutes"::text
               FROM "EpochMetric" e JOIN "Run" r ON r.id = e."runId" JOIN "LogSource" s ON s.id = r."sourceId"`,
    steps: `SELECT ${runKey} AS run, count(*)::int AS n, sum(p.step)::text AS steps, md5(string_agg(p.step || ':' || coalesce(p.epoch::text, '') || ':' || coalesce(p.loss::text, '') || ':' || coalesce(p.lr::text, '') || ':' || coalesce(p."procMs"::text, '') || ':' || coalesce(p."elapsedS"::text, ''), ',' ORDER BY p.step)) AS digest
              FROM "StepPoint" p JOIN "Run" r ON r.id = p."runId" JOIN "LogSource" s ON s.id = r."sourceId" GROUP BY 1`,
    validations: `SELECT ${runKey} AS run, v.epoch, v.final, v."taskId", v.loss::text, v.retention
                    FROM "Validation" v JOIN "Run" r ON r.id = v."runId" JOIN "LogSource" s ON s.id = r."sourceId"`,
    events: `SELECT ${runKey} AS run, e.kind, e.line, e.epoch, e.loss::text, e.path, e.message
               FROM "RunEvent" e JOIN "Run" r ON r.id = e."runId" JOIN "LogSource" s ON s.id = r."sourceId"`,
    warnings: `SELECT ${strip} AS path, w.line, w.message, (SELECT r."runKey" FROM "Run" r WHERE r.id = w."runId") AS run
                 FROM "ParseWarning" w JOIN "LogSource" s ON s.id = w."sourceId"`,
    // Every scalar tag with its summary and a digest of its chunks (file, first point, count, bytes), in order.
    scalars: `SELECT ${runKey} AS run, t.dir, t.tag, t.count, t."firstStep", t."lastStep", t."firstWallTime", t."lastWallTime",
                     t."lastValue"::text, t."lastOrd"::text, t."minValue"::text, t."maxValue"::text,
                     (SELECT md5(string_agg(${strip.replace(/s\.path/g, 'cs.path')} || '@' || c."firstOrd" || ':' || c.count || ':' || md5(c.steps) || md5(c."wallTimes") || md5(c."values"), ','
                                            ORDER BY cs.path, c."firstOrd"))
                        FROM "ScalarChunk" c JOIN "LogSource" cs ON cs.id = c."sourceId" WHERE c."tagId" = t.id) AS points
                FROM "ScalarTag" t JOIN "Run" r ON r.id = t."runId" JOIN "LogSource" s ON s.id = r."sourceId"`,
    plugins: `SELECT ${runKey} AS run, p.dir, p.plugin, ${strip.replace(/s\.path/g, 'ps.path')} AS file, p.count
                FROM "ScalarPluginCount" p JOIN "LogSource" ps ON ps.id = p."sourceId" JOIN "Run" r ON r.id = p."runId" JOIN "LogSource" s ON s.id = r."sourceId"`,
  };
  // The derived runs-table row of every run (verdict, last train loss …), when asked: what a page shows.
  if (options.summaries)
    tables['summaries'] =
      `SELECT ${runKey} AS run, m.verdict, m."epochsDone", m."lastTrainLoss"::text, m."bestValLoss"::text, m."finalGap"::text, m.view
                             FROM "RunSummary" m JOIN "Run" r ON r.id = m."runId" JOIN "LogSource" s ON s.id = r."sourceId"`;
  const snapshot: Record<string, unknown[]> = {};
  for (const [name, sql] of Object.entries(tables)) {
    const rows = await query(sql);
    snapshot[name] = rows
      .map((row) => JSON.stringify(row))
      .sort()
      .map((row) => JSON.parse(row) as unknown);
  }
  return snapshot;
}

/** Row counts per table (for "nothing duplicated" style assertions). */
export async function countRows(query: Query): Promise<Record<string, number>> {
  const rows = await query<{ t: string; n: number }>(
    `SELECT 'runs' t, count(*)::int n FROM "Run" UNION ALL SELECT 'epochs', count(*)::int FROM "EpochMetric"
     UNION ALL SELECT 'steps', count(*)::int FROM "StepPoint" UNION ALL SELECT 'validations', count(*)::int FROM "Validation"
     UNION ALL SELECT 'events', count(*)::int FROM "RunEvent" UNION ALL SELECT 'warnings', count(*)::int FROM "ParseWarning"
     UNION ALL SELECT 'sources', count(*)::int FROM "LogSource"`,
  );
  return Object.fromEntries(rows.map((row) => [row.t, row.n]));
}
