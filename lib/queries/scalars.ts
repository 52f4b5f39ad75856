// A run's TensorBoard scalars: its tag list (the "ScalarTag" summaries, no point read) and one tag's
// points (its chunks, lib/scalars/chunks.ts), for GET /api/runs/[id]/scalars and the run page.
// Points read in step order; equal steps by file (name order), then as written.
import { tagAxis, type ScalarAxis } from '../analysis/scalar-metrics';
import { db } from '../db/client';
import { NotFoundError } from '../api/errors';
import { scalarColumnKey } from '../api/schemas/runs';
import type { ScalarCatalog, ScalarTag, ScalarTagsResponse } from '../api/schemas/scalars';
import { pointsOfChunks, type TagPoints } from '../scalars/chunks';

const finiteOrNull = (value: number | null) => (value !== null && Number.isFinite(value) ? value : null);

async function requireRun(runId: number): Promise<{ format: string }> {
  const run = await db().run.findUnique({ where: { id: runId }, select: { format: true } });
  if (!run) throw new NotFoundError(`run ${runId} does not exist`);
  return run;
}

/** Code-point order (as TensorBoard and tests/fixtures/rundirs-team/expected.json list tags). */
const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Every scalar tag of a run with its summary and what its steps count (tagAxis), by tag then dir; and
 * what other plugins' values its files hold.
 */
export async function getScalarTags(runId: number): Promise<ScalarTagsResponse> {
  const [run, rows, others] = await Promise.all([
    requireRun(runId),
    db().scalarTag.findMany({
      where: { runId },
      select: {
        dir: true,
        tag: true,
        count: true,
        firstStep: true,
        lastStep: true,
        lastValue: true,
        firstWallTime: true,
        lastWallTime: true,
        minValue: true,
        maxValue: true,
      },
    }),
    db().scalarPluginCount.groupBy({ by: ['dir', 'plugin'], where: { runId }, _sum: { count: true } }),
  ]);
  const tags: ScalarTag[] = rows
    .map((row) => ({
      ...row,
      axis: tagAxis(run, row),
      lastValue: finiteOrNull(row.lastValue),
      minValue: finiteOrNull(row.minValue),
      maxValue: finiteOrNull(row.maxValue),
    }))
    .sort((a, b) => byCodePoint(a.tag, b.tag) || byCodePoint(a.dir, b.dir));
  return {
    runId,
    tags,
    others: others
      .map((row) => ({ dir: row.dir, plugin: row.plugin, count: row._sum.count ?? 0 }))
      .filter((row) => row.count > 0)
      .sort((a, b) => byCodePoint(a.dir, b.dir) || byCodePoint(a.plugin, b.plugin)),
  };
}

/** A stored chunk with its file's path (and its tag's point count). */
interface ChunkRow {
  count: number;
  sourceId: number;
  firstOrd: bigint;
  steps: Uint8Array;
  wallTimes: Uint8Array;
  values: Uint8Array;
  path: string;
}

/**
 * A tag's chunks as its points in read order; equal steps of two files in the files' name order, as
 * TensorBoard reads a folder (not in the order Thaw found them).
 */
function readOrder(chunks: readonly Omit<ChunkRow, 'count'>[]): TagPoints {
  const paths = [...new Set(chunks.map((c) => c.path))].sort(byCodePoint);
  return pointsOfChunks(
    chunks.map((c) => ({
      sourceId: paths.indexOf(c.path),
      firstOrd: Number(c.firstOrd),
      steps: c.steps,
      wallTimes: c.wallTimes,
      values: c.values,
    })),
  );
}

/**
 * One tag's stored points in read order and what its steps count (tagAxis), in one query; 404 naming
 * the tag when the run has no such tag.
 */
export async function getScalarPoints(
  runId: number,
  dir: string,
  tag: string,
): Promise<{ count: number; points: TagPoints; axis: ScalarAxis }> {
  const chunks = await db().$queryRaw<(ChunkRow & { format: string })[]>`
    SELECT t.count, r.format, c."sourceId", c."firstOrd", c.steps, c."wallTimes", c."values", s.path
      FROM "ScalarTag" t JOIN "Run" r ON r.id = t."runId"
      JOIN "ScalarChunk" c ON c."tagId" = t.id JOIN "LogSource" s ON s.id = c."sourceId"
     WHERE t."runId" = ${runId} AND t.dir = ${dir} AND t.tag = ${tag}`;
  if (chunks.length === 0) {
    await requireRun(runId);
    throw new NotFoundError(`run ${runId} has no scalar tag ${JSON.stringify(tag)}${dir === '' ? '' : ` in ${JSON.stringify(dir)}`}`);
  }
  return { count: chunks[0]!.count, points: readOrder(chunks), axis: tagAxis(chunks[0]!, { dir, tag }) };
}

/** Tags listed at most by getScalarCatalog (the chooser searches them; a run with more is still charted whole). */
const CATALOG_LIMIT = 5000;

/** Every (dir, tag) of the runs (all, or `ids`), most common first: the runs table's columns, the compare page's tags. */
export async function getScalarCatalog(ids?: readonly number[]): Promise<ScalarCatalog> {
  const rows = await db().scalarTag.groupBy({
    by: ['dir', 'tag'],
    where: ids ? { runId: { in: [...ids] } } : {},
    _count: { runId: true },
  });
  return {
    tags: rows
      .map((row) => ({ dir: row.dir, tag: row.tag, key: scalarColumnKey(row), runs: row._count.runId }))
      .sort((a, b) => b.runs - a.runs || byCodePoint(a.tag, b.tag) || byCodePoint(a.dir, b.dir))
      .slice(0, CATALOG_LIMIT),
  };
}

/** One tag's points in each of these runs that has it (read order), for the compare page. */
export async function getScalarPointsOfRuns(runIds: readonly number[], dir: string, tag: string): Promise<Map<number, TagPoints>> {
  if (runIds.length === 0) return new Map();
  const chunks = await db().$queryRaw<(Omit<ChunkRow, 'count'> & { runId: number })[]>`
    SELECT t."runId", c."sourceId", c."firstOrd", c.steps, c."wallTimes", c."values", s.path
      FROM "ScalarTag" t JOIN "ScalarChunk" c ON c."tagId" = t.id JOIN "LogSource" s ON s.id = c."sourceId"
     WHERE t."runId" = ANY(${[...runIds]}::int[]) AND t.dir = ${dir} AND t.tag = ${tag}`;
  const byRun = new Map<number, typeof chunks>();
  for (const c of chunks) byRun.set(c.runId, [...(byRun.get(c.runId) ?? []), c]);
  return new Map([...byRun].map(([runId, list]) => [runId, readOrder(list)]));
}
