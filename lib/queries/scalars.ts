// A run's TensorBoard scalars: its tag list (the "ScalarTag" summaries, no point read) and one tag's
// points (its chunks, lib/scalars/chunks.ts), for GET /api/runs/[id]/scalars and the run page.
// Points read in step order; equal steps by file (name order), then as written.
import { db } from '../db/client';
import { NotFoundError } from '../api/errors';
import { scalarColumnKey } from '../api/schemas/runs';
import type { ScalarCatalog, ScalarTag, ScalarTagsResponse } from '../api/schemas/scalars';
import { pointsOfChunks, type TagPoints } from '../scalars/chunks';

const finiteOrNull = (value: number | null) => (value !== null && Number.isFinite(value) ? value : null);

async function requireRun(runId: number): Promise<void> {
  const run = await db().run.findUnique({ where: { id: runId }, select: { id: true } });
  if (!run) throw new NotFoundError(`run ${runId} does not exist`);
}

/** Code-point order (as TensorBoard and tests/fixtures/rundirs-team/expected.json list tags). */
const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Every scalar tag of a run with its summary, by tag then dir; and what other plugins' values its files hold. */
export async function getScalarTags(runId: number): Promise<ScalarTagsResponse> {
  const [, rows, others] = await Promise.all([
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

/**
 * A tag's chunks as its points in read order; equal steps of two files in the files' name order, as
 * TensorBoard reads a folder (not in the order Thaw found them).
 */
function readOrder(
  chunks: readonly {
    sourceId: number;
    firstOrd: bigint;
    steps: Uint8Array;
    wallTimes: Uint8Array;
    values: Uint8Array;
    source: { path: string };
  }[],
): TagPoints {
  const paths = [...new Set(chunks.map((c) => c.source.path))].sort(byCodePoint);
  return pointsOfChunks(
    chunks.map((c) => ({
      sourceId: paths.indexOf(c.source.path),
      firstOrd: Number(c.firstOrd),
      steps: c.steps,
      wallTimes: c.wallTimes,
      values: c.values,
    })),
  );
}

/** One tag's stored points in read order (lib/scalars/chunks.ts); 404 naming the tag when the run has no such tag. */
export async function getScalarPoints(runId: number, dir: string, tag: string): Promise<{ count: number; points: TagPoints }> {
  const found = await db().scalarTag.findUnique({ where: { runId_dir_tag: { runId, dir, tag } }, select: { id: true, count: true } });
  if (!found) {
    await requireRun(runId);
    throw new NotFoundError(`run ${runId} has no scalar tag ${JSON.stringify(tag)}${dir === '' ? '' : ` in ${JSON.stringify(dir)}`}`);
  }
  const chunks = await db().scalarChunk.findMany({
    where: { tagId: found.id },
    select: { sourceId: true, firstOrd: true, steps: true, wallTimes: true, values: true, source: { select: { path: true } } },
  });
  const points = readOrder(chunks);
  return { count: found.count, points };
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
  const found = await db().scalarTag.findMany({ where: { runId: { in: [...runIds] }, dir, tag }, select: { id: true, runId: true } });
  if (found.length === 0) return new Map();
  const chunks = await db().scalarChunk.findMany({
    where: { tagId: { in: found.map((t) => t.id) } },
    select: { tagId: true, sourceId: true, firstOrd: true, steps: true, wallTimes: true, values: true, source: { select: { path: true } } },
  });
  const out = new Map<number, TagPoints>();
  for (const { id, runId } of found) out.set(runId, readOrder(chunks.filter((c) => c.tagId === id)));
  return out;
}
