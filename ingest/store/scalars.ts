// Every scalar of a run's event files (`series` events) into "ScalarTag", "ScalarChunk" and
// "ScalarPluginCount" (migration 20261208100000), in the batch's transaction.
//
// A batch is applied exactly once (commitBatch's offset check, in the same transaction), so points go
// straight in: per tag, the batch's points (in file order) first fill the file's last chunk of that
// tag while it holds fewer than CHUNK_POINTS (a live batch of a few points appends; no chunk of a
// handful of points is left per batch), the rest go in as new chunks by one binary COPY. Each tag's
// summary (count, first/last step, first wall time, last point, finite min/max) is folded from the
// batch's points and merged into the stored one by one upsert.
//
// The last point of a tag is its greatest (step, event file path, ordinal in the file): what the API
// calls `lastValue` does not depend on the order files are read in (the scalars API reads equal steps
// of two files in their path order too).
import type pg from 'pg';
import { CHUNK_POINTS, decodeFloats, encodeFloats, type StoredChunk } from '../../lib/scalars/chunks';
import type { SeriesBlock } from '../events';
import { BinaryCopyRows, copyBinaryIn } from '../pg-copy';
import type { BatchPlan } from './plan-batch';
import { floatArray, pgText } from './sql-literals';

/** The event file a batch was read from. */
export interface EventFileSource {
  id: number;
  path: string;
}

/** A `series` event's content, as the batch plan keeps it. */
export interface SeriesPart {
  dir: string;
  firstPoint: number;
  block: SeriesBlock;
}

/** One tag's points of a batch, in file order. */
interface TagPoints {
  dir: string;
  tag: string;
  length: number;
  step: Float64Array;
  wallTime: Float64Array;
  value: Float64Array;
  /** Ordinal of each point among its file's points. */
  ord: Float64Array;
}

/** A tag's summary over some points of one source (see the module header for "last"). */
export interface TagFold {
  count: number;
  firstStep: number;
  lastStep: number;
  firstWallTime: number;
  lastWallTime: number;
  lastValue: number;
  lastOrd: number;
  minValue: number | null;
  maxValue: number | null;
  /** Index of the last point among the folded ones (-1: none). */
  lastIndex: number;
}

/**
 * The summary of points of one source, in file order (`ord` increasing): the last point is the one
 * with the greatest step, the later one on equal steps.
 */
export function foldPoints(points: Pick<TagPoints, 'length' | 'step' | 'wallTime' | 'value' | 'ord'>): TagFold {
  const { length, step, wallTime, value, ord } = points;
  let firstStep = Infinity;
  let lastStep = -Infinity;
  let firstWallTime = Infinity;
  let last = -1;
  let minValue = Infinity;
  let maxValue = -Infinity;
  for (let i = 0; i < length; i++) {
    const s = step[i]!;
    if (s < firstStep) firstStep = s;
    if (s >= lastStep) {
      lastStep = s;
      last = i;
    }
    if (wallTime[i]! < firstWallTime) firstWallTime = wallTime[i]!;
    const v = value[i]!;
    if (Number.isFinite(v)) {
      if (v < minValue) minValue = v;
      if (v > maxValue) maxValue = v;
    }
  }
  return {
    count: length,
    firstStep,
    lastStep,
    firstWallTime,
    lastWallTime: last < 0 ? 0 : wallTime[last]!,
    lastValue: last < 0 ? Number.NaN : value[last]!,
    lastOrd: last < 0 ? -1 : ord[last]!,
    minValue: minValue === Infinity ? null : minValue,
    maxValue: maxValue === -Infinity ? null : maxValue,
    lastIndex: last,
  };
}

/** The batch's points per (dir, tag), in file order: two passes over the blocks' columns, no object per point. */
export function gatherTags(parts: readonly SeriesPart[]): TagPoints[] {
  const keys = new Map<string, number>();
  const out: TagPoints[] = [];
  const counts: number[] = [];
  const slots: Int32Array[] = [];
  for (const part of parts) {
    const { block } = part;
    const slot = new Int32Array(block.tags.length);
    block.tags.forEach((tag, j) => {
      const key = `${part.dir}\u0000${tag}`;
      let at = keys.get(key);
      if (at === undefined) {
        keys.set(key, (at = out.length));
        out.push({
          dir: part.dir,
          tag,
          length: 0,
          step: new Float64Array(0),
          wallTime: new Float64Array(0),
          value: new Float64Array(0),
          ord: new Float64Array(0),
        });
        counts.push(0);
      }
      slot[j] = at;
    });
    slots.push(slot);
    for (let i = 0; i < block.length; i++) counts[slot[block.tag[i]!]!]!++;
  }
  out.forEach((t, k) => {
    const n = counts[k]!;
    t.step = new Float64Array(n);
    t.wallTime = new Float64Array(n);
    t.value = new Float64Array(n);
    t.ord = new Float64Array(n);
  });
  parts.forEach((part, p) => {
    const { block, firstPoint } = part;
    const slot = slots[p]!;
    for (let i = 0; i < block.length; i++) {
      const t = out[slot[block.tag[i]!]!]!;
      const at = t.length++;
      t.step[at] = block.step[i]!;
      t.wallTime[at] = block.wallTime[i]!;
      t.value[at] = block.value[i]!;
      t.ord[at] = firstPoint + i;
    }
  });
  return out.filter((t) => t.length > 0);
}

const intList = (values: readonly number[]) => `{${values.join(',')}}`;

/** Upserts the tags' summaries (merged with the stored ones); their ids, and which were new. */
async function upsertTags(
  client: pg.PoolClient,
  runId: number,
  source: EventFileSource,
  tags: readonly TagPoints[],
): Promise<{ id: number; inserted: boolean }[]> {
  const folds = tags.map(foldPoints);
  const column = (pick: (f: TagFold) => number | null) => floatArray(folds.map(pick));
  const rows = (
    await client.query<{ id: number; dir: string; tag: string; inserted: boolean }>(
      `INSERT INTO "ScalarTag" ("runId", dir, tag, count, "firstStep", "lastStep", "firstWallTime", "lastWallTime", "lastValue",
                                "lastFile", "lastOrd", "minValue", "maxValue")
       SELECT $1, u.dir, u.tag, u.n, u.lo, u.hi, u.w0, u.lw, u.lv, $2, u.lord, u.mn, u.mx
         FROM unnest($3::text[], $4::text[], $5::int[], $6::float8[], $7::float8[], $8::float8[], $9::float8[], $10::float8[],
                     $11::int8[], $12::float8[], $13::float8[]) AS u(dir, tag, n, lo, hi, w0, lw, lv, lord, mn, mx)
       ON CONFLICT ("runId", dir, tag) DO UPDATE SET
         count = "ScalarTag".count + EXCLUDED.count,
         "firstStep" = LEAST("ScalarTag"."firstStep", EXCLUDED."firstStep"),
         "lastStep" = GREATEST("ScalarTag"."lastStep", EXCLUDED."lastStep"),
         "firstWallTime" = LEAST("ScalarTag"."firstWallTime", EXCLUDED."firstWallTime"),
         ${LAST_POINT_COLUMNS.map(
           (c) => `"${c}" = CASE WHEN ${NEWER_LAST('EXCLUDED', '"ScalarTag"')} THEN EXCLUDED."${c}" ELSE "ScalarTag"."${c}" END`,
         ).join(',\n         ')},
         "minValue" = LEAST("ScalarTag"."minValue", EXCLUDED."minValue"),
         "maxValue" = GREATEST("ScalarTag"."maxValue", EXCLUDED."maxValue")
       RETURNING id, dir, tag, (xmax = 0) AS inserted`,
      [
        runId,
        pgText(source.path),
        tags.map((t) => pgText(t.dir)),
        tags.map((t) => pgText(t.tag)),
        intList(folds.map((f) => f.count)),
        column((f) => f.firstStep),
        column((f) => f.lastStep),
        column((f) => f.firstWallTime),
        column((f) => f.lastWallTime),
        column((f) => f.lastValue),
        intList(folds.map((f) => f.lastOrd)),
        column((f) => f.minValue),
        column((f) => f.maxValue),
      ],
    )
  ).rows;
  const byKey = new Map(rows.map((row) => [`${row.dir}\u0000${row.tag}`, row]));
  return tags.map((t) => {
    const row = byKey.get(`${pgText(t.dir)}\u0000${pgText(t.tag)}`)!;
    return { id: row.id, inserted: row.inserted };
  });
}

/** The columns of a tag's last point, replaced together. */
const LAST_POINT_COLUMNS = ['lastWallTime', 'lastValue', 'lastFile', 'lastOrd'] as const;

/** Whether `incoming`'s last point comes after `stored`'s (greatest step, then file path in code-point order, then ordinal). */
const NEWER_LAST = (incoming: string, stored: string) =>
  `(${incoming}."lastStep", ${incoming}."lastFile" COLLATE "C", ${incoming}."lastOrd") >= (${stored}."lastStep", ${stored}."lastFile" COLLATE "C", ${stored}."lastOrd")`;

/** Bytes a new chunk row takes in the COPY payload, at most. */
const CHUNK_ROW_BYTES = 2 + 9 * 4 + 4 + 4 + 8 + 4 + 8 + 8 + 3 * CHUNK_POINTS * 8;

/** One tag's batch points, as chunks: appended to the file's open chunk first, the rest as new ones. */
interface ChunkWrites {
  appends: { tagId: number; firstOrd: number; from: number; to: number; tag: TagPoints }[];
  inserts: { tagId: number; from: number; to: number; tag: TagPoints }[];
}

function minMax(values: Float64Array, from: number, to: number): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = from; i < to; i++) {
    const v = values[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/** Every run's series of a batch (commitBatch). */
export async function writeScalars(
  client: pg.PoolClient,
  plan: BatchPlan,
  runIds: Map<number, number>,
  source: EventFileSource,
): Promise<void> {
  for (const [runKey, run] of plan.runs) if (run.series.length > 0) await writeSeries(client, runIds.get(runKey)!, source, run.series);
}

/** Writes one run's series of a batch: tags and their summaries, points, other plugins' counts. */
export async function writeSeries(
  client: pg.PoolClient,
  runId: number,
  source: EventFileSource,
  parts: readonly SeriesPart[],
): Promise<void> {
  const sourceId = source.id;
  await writePluginCounts(client, runId, sourceId, parts);
  const tags = gatherTags(parts);
  if (tags.length === 0) return;
  const ids = await upsertTags(client, runId, source, tags);
  // The file's last chunk of each tag it wrote before (a backward probe of the primary key per tag).
  const existing = ids.filter((t) => !t.inserted).map((t) => t.id);
  const open = new Map<number, { firstOrd: number; count: number }>();
  if (existing.length > 0) {
    const rows = (
      await client.query<{ tagId: number; firstOrd: string; count: number }>(
        `SELECT u.id AS "tagId", c."firstOrd", c.count FROM unnest($1::int[]) AS u(id)
           CROSS JOIN LATERAL (SELECT "firstOrd", count FROM "ScalarChunk" WHERE "tagId" = u.id AND "sourceId" = $2
                                ORDER BY "firstOrd" DESC LIMIT 1) c`,
        [intList(existing), sourceId],
      )
    ).rows;
    for (const row of rows) if (row.count < CHUNK_POINTS) open.set(row.tagId, { firstOrd: Number(row.firstOrd), count: row.count });
  }
  const writes: ChunkWrites = { appends: [], inserts: [] };
  tags.forEach((tag, k) => {
    const tagId = ids[k]!.id;
    let from = 0;
    const last = open.get(tagId);
    if (last) {
      const to = Math.min(tag.length, CHUNK_POINTS - last.count);
      writes.appends.push({ tagId, firstOrd: last.firstOrd, from, to, tag });
      from = to;
    }
    for (; from < tag.length; from += CHUNK_POINTS)
      writes.inserts.push({ tagId, from, to: Math.min(tag.length, from + CHUNK_POINTS), tag });
  });
  if (writes.appends.length > 0) await appendChunks(client, sourceId, writes.appends);
  if (writes.inserts.length > 0) await copyChunks(client, sourceId, writes.inserts);
}

async function appendChunks(client: pg.PoolClient, sourceId: number, appends: ChunkWrites['appends']): Promise<void> {
  const bytes = (column: 'step' | 'wallTime' | 'value') =>
    appends.map((a) => Buffer.from(encodeFloats(a.tag[column].subarray(a.from, a.to))));
  const ranges = appends.map((a) => minMax(a.tag.step, a.from, a.to));
  await client.query(
    `UPDATE "ScalarChunk" AS c SET count = c.count + u.n, "firstStep" = LEAST(c."firstStep", u.lo), "lastStep" = GREATEST(c."lastStep", u.hi),
            steps = c.steps || u.s, "wallTimes" = c."wallTimes" || u.w, "values" = c."values" || u.v
       FROM unnest($1::int[], $2::int8[], $3::int[], $4::float8[], $5::float8[], $6::bytea[], $7::bytea[], $8::bytea[])
            AS u(tag, ord, n, lo, hi, s, w, v)
      WHERE c."tagId" = u.tag AND c."sourceId" = $9 AND c."firstOrd" = u.ord`,
    [
      intList(appends.map((a) => a.tagId)),
      intList(appends.map((a) => a.firstOrd)),
      intList(appends.map((a) => a.to - a.from)),
      floatArray(ranges.map((r) => r[0])),
      floatArray(ranges.map((r) => r[1])),
      bytes('step'),
      bytes('wallTime'),
      bytes('value'),
      sourceId,
    ],
  );
}

async function copyChunks(client: pg.PoolClient, sourceId: number, inserts: ChunkWrites['inserts']): Promise<void> {
  const rows = new BinaryCopyRows(inserts.length, CHUNK_ROW_BYTES);
  for (const { tagId, from, to, tag } of inserts) {
    const [lo, hi] = minMax(tag.step, from, to);
    rows
      .row(9)
      .int4(tagId)
      .int4(sourceId)
      .int8(tag.ord[from]!)
      .int4(to - from)
      .float8(lo)
      .float8(hi)
      .bytea(encodeFloats(tag.step.subarray(from, to)))
      .bytea(encodeFloats(tag.wallTime.subarray(from, to)))
      .bytea(encodeFloats(tag.value.subarray(from, to)));
  }
  await copyBinaryIn(
    client,
    `"ScalarChunk" ("tagId", "sourceId", "firstOrd", count, "firstStep", "lastStep", steps, "wallTimes", "values")`,
    rows.finish(),
  );
}

/** Other plugins' values of the batch, added to the file's counts per (dir, plugin). */
async function writePluginCounts(client: pg.PoolClient, runId: number, sourceId: number, parts: readonly SeriesPart[]): Promise<void> {
  const counts = new Map<string, { dir: string; plugin: string; count: number }>();
  for (const { dir, block } of parts) {
    for (const [plugin, count] of Object.entries(block.others)) {
      const key = `${dir}\u0000${plugin}`;
      const entry = counts.get(key);
      if (entry) entry.count += count;
      else counts.set(key, { dir, plugin, count });
    }
  }
  if (counts.size === 0) return;
  const rows = [...counts.values()];
  await client.query(
    `INSERT INTO "ScalarPluginCount" ("runId", dir, plugin, "sourceId", count)
     SELECT $1, u.dir, u.plugin, $2, u.n FROM unnest($3::text[], $4::text[], $5::int[]) AS u(dir, plugin, n)
     ON CONFLICT ("runId", dir, plugin, "sourceId") DO UPDATE SET count = "ScalarPluginCount".count + EXCLUDED.count`,
    [runId, sourceId, rows.map((r) => pgText(r.dir)), rows.map((r) => pgText(r.plugin)), intList(rows.map((r) => r.count))],
  );
}

/**
 * An event file read from its start: whatever its path held before goes — this source's points
 * (rewritten in place, same first bytes: the cursor went back to 0) and those of an earlier content
 * of the same path Thaw saw replaced ("truncated" sources: its first bytes changed) — and the
 * summaries of the tags they were in are folded again from what other files stored (tags left
 * without points go). The first read of a new file finds nothing to delete (two index probes).
 */
export async function forgetSourceScalars(client: pg.PoolClient, sourceId: number): Promise<void> {
  const sources = (
    await client.query<{ id: number }>(
      `SELECT s.id FROM "LogSource" s JOIN "LogSource" me ON me.id = $1
        WHERE s.id = $1 OR (s.host = me.host AND s.path = me.path AND s.kind = 'tfevents' AND s.state = 'truncated')`,
      [sourceId],
    )
  ).rows.map((row) => row.id);
  const ids = intList(sources);
  await client.query(`DELETE FROM "ScalarPluginCount" WHERE "sourceId" = ANY($1::int[])`, [ids]);
  const touched = [
    ...new Set(
      (
        await client.query<{ tagId: number }>(`DELETE FROM "ScalarChunk" WHERE "sourceId" = ANY($1::int[]) RETURNING "tagId"`, [ids])
      ).rows.map((row) => row.tagId),
    ),
  ];
  if (touched.length > 0) await refoldTags(client, touched);
}

/** Recomputes tags' summaries from their stored chunks; deletes tags that have none. Rare: a file re-read, a merge. */
async function refoldTags(client: pg.PoolClient, tagIds: readonly number[]): Promise<void> {
  const chunks = (
    await client.query<StoredChunk & { tagId: number; firstOrd: string; path: string }>(
      `SELECT c."tagId", c."sourceId", s.path, c."firstOrd", c.steps, c."wallTimes", c."values"
         FROM "ScalarChunk" c JOIN "LogSource" s ON s.id = c."sourceId" WHERE c."tagId" = ANY($1::int[])`,
      [intList(tagIds)],
    )
  ).rows;
  const byTag = new Map<number, FileChunk[]>();
  for (const c of chunks) {
    const list = byTag.get(c.tagId) ?? [];
    list.push({ ...c, firstOrd: Number(c.firstOrd) });
    byTag.set(c.tagId, list);
  }
  const gone = tagIds.filter((id) => !byTag.has(id));
  if (gone.length > 0) await client.query(`DELETE FROM "ScalarTag" WHERE id = ANY($1::int[])`, [intList(gone)]);
  for (const [tagId, list] of byTag) {
    const fold = foldStoredChunks(list);
    await client.query(
      `UPDATE "ScalarTag" SET count = $2, "firstStep" = $3, "lastStep" = $4, "firstWallTime" = $5, "lastWallTime" = $6, "lastValue" = $7,
              "lastFile" = $8, "lastOrd" = $9, "minValue" = $10, "maxValue" = $11 WHERE id = $1`,
      [
        tagId,
        fold.count,
        fold.firstStep,
        fold.lastStep,
        fold.firstWallTime,
        fold.lastWallTime,
        sqlFloat(fold.lastValue),
        fold.file,
        fold.lastOrd,
        fold.minValue,
        fold.maxValue,
      ],
    );
  }
}

/** NaN and ±Infinity as the text PostgreSQL's float8 input reads (a JS number parameter would send "NaN" too, but say it). */
const sqlFloat = (value: number) => (Number.isNaN(value) ? 'NaN' : String(value));

/** A stored chunk and its file's path. */
type FileChunk = StoredChunk & { path: string };

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * A tag's summary from all its stored chunks, read in (file path, file order). Points within a chunk
 * have no stored ordinal of their own: the chunk's first ordinal plus the index stands in for it
 * (never above the true one, and increasing in file order, which is all a later comparison with the
 * same file needs).
 */
function foldStoredChunks(chunks: readonly FileChunk[]): TagFold & { file: string } {
  const ordered = [...chunks].sort((a, b) => byCodePoint(a.path, b.path) || a.firstOrd - b.firstOrd);
  const parts = ordered.map((c) => ({
    c,
    step: decodeFloats(c.steps),
    wallTime: decodeFloats(c.wallTimes),
    value: decodeFloats(c.values),
  }));
  const length = parts.reduce((sum, p) => sum + p.step.length, 0);
  const points = {
    length,
    step: new Float64Array(length),
    wallTime: new Float64Array(length),
    value: new Float64Array(length),
    ord: new Float64Array(length),
  };
  const files: string[] = new Array<string>(length);
  let at = 0;
  for (const p of parts) {
    points.step.set(p.step, at);
    points.wallTime.set(p.wallTime, at);
    points.value.set(p.value, at);
    for (let i = 0; i < p.step.length; i++) {
      points.ord[at + i] = p.c.firstOrd + i;
      files[at + i] = p.c.path;
    }
    at += p.step.length;
  }
  // In (path, file order) the later of two points on the same step is the greater (path, ordinal): foldPoints' tie rule.
  const fold = foldPoints(points);
  return { ...fold, file: fold.lastIndex < 0 ? '' : files[fold.lastIndex]! };
}

/**
 * Run `gone` folds into `keep` (same run directory learnt late, or a file placed in the run above it):
 * its tags move over, under `dirPrefix` when given (the folder the gone run's directory is, relative
 * to the kept run's); a tag both have keeps one row, its chunks move and its summary is folded again.
 */
export async function mergeRunScalars(client: pg.PoolClient, keep: number, gone: number, dirPrefix = ''): Promise<void> {
  const newDir = (column: string) => (dirPrefix === '' ? column : `CASE WHEN ${column} = '' THEN $3 ELSE $3 || '/' || ${column} END`);
  const args = dirPrefix === '' ? [keep, gone] : [keep, gone, dirPrefix];
  const both = (
    await client.query<{ keptId: number; goneId: number }>(
      `SELECT k.id AS "keptId", g.id AS "goneId" FROM "ScalarTag" g
         JOIN "ScalarTag" k ON k."runId" = $1 AND k.dir = ${newDir('g.dir')} AND k.tag = g.tag
        WHERE g."runId" = $2`,
      args,
    )
  ).rows;
  if (both.length > 0) {
    await client.query(
      `UPDATE "ScalarChunk" c SET "tagId" = u.kept FROM unnest($1::int[], $2::int[]) AS u(kept, gone) WHERE c."tagId" = u.gone`,
      [intList(both.map((b) => b.keptId)), intList(both.map((b) => b.goneId))],
    );
    await client.query(`DELETE FROM "ScalarTag" WHERE id = ANY($1::int[])`, [intList(both.map((b) => b.goneId))]);
    await refoldTags(
      client,
      both.map((b) => b.keptId),
    );
  }
  await client.query(`UPDATE "ScalarTag" SET "runId" = $1, dir = ${newDir('dir')} WHERE "runId" = $2`, args);
  await client.query(
    `INSERT INTO "ScalarPluginCount" ("runId", dir, plugin, "sourceId", count)
     SELECT $1, ${newDir('dir')}, plugin, "sourceId", count FROM "ScalarPluginCount" WHERE "runId" = $2
     ON CONFLICT ("runId", dir, plugin, "sourceId") DO UPDATE SET count = "ScalarPluginCount".count + EXCLUDED.count`,
    args,
  );
  await client.query(`DELETE FROM "ScalarPluginCount" WHERE "runId" = $1`, [gone]);
}
