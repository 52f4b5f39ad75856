// The scalars API on a large run: 200 tags × 100,000 points (20M points, every tag of a long
// TensorBoard run), stored through the store's own writer (ingest/store/scalars.ts writeSeries) and
// served by a real `thaw start`:
// - scalars_tags_p95: GET /api/runs/:id/scalars (the tag list with its summaries), p95 ≤ 50 ms;
// - scalars_tag_p95: GET /api/runs/:id/scalars?tag=…&points=1000 (one tag's 100,000 points downsampled
//   to 1,000, spikes kept), p95 ≤ 150 ms, over tags in turn.
// Sizes: THAW_BENCH_SCALARS_TAGS, THAW_BENCH_SCALARS_POINTS.
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { ensureWebBuild } from '../cli/web';
import { emptySeriesBlock } from '../ingest/events';
import { writeSeries } from '../ingest/store/scalars';
import { inTransaction } from '../lib/db/transaction';
import { createBenchDatabase, guarded, percentile, round, type Figure, type Outcome } from './support';
import { latencies, serve, timed } from './web';

export const SCALARS_FIGURES = ['scalars_tags_p95', 'scalars_tag_p95'] as const;

/** A long run's tags: losses falling with noise and a spike now and then, a learning rate, throughputs (float32, as written). */
function tagValue(tag: number, step: number, noise: number): number {
  switch (tag % 4) {
    case 0:
      return Math.fround(2 * Math.exp(-step / 30_000) + 0.05 * noise + (noise > 0.999 ? 5 : 0));
    case 1:
      return Math.fround(1e-4 * 0.5 * (1 + Math.cos((Math.PI * step) / 100_000)));
    case 2:
      return Math.fround(120 + 10 * noise);
    default:
      return Math.fround(Math.log1p(step) + noise);
  }
}

/** Seeds one run of `tags` × `points` through writeSeries, a tag per transaction (as a backfill's batches). */
async function seedRun(url: string, tags: number, points: number): Promise<number> {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    const source = (
      await pool.query<{ id: number }>(
        `INSERT INTO "LogSource" (host, path, device, inode, fingerprint, "fingerprintLength", kind)
         VALUES ('bench', '/bench/run/events.out.tfevents.1.bench', '1', '1', 'bench', 0, 'tfevents') RETURNING id`,
      )
    ).rows[0]!.id;
    const run = (
      await pool.query<{ id: number }>(
        `INSERT INTO "Run" ("sourceId", "runKey", format, identity, "outputDir") VALUES ($1, 0, 'tensorboard', 'bench:dir:/bench/run', '/bench/run') RETURNING id`,
        [source],
      )
    ).rows[0]!.id;
    let seed = 1;
    const random = () => ((seed = (seed * 48271) % 2147483647) - 1) / 2147483646;
    for (let tag = 0; tag < tags; tag++) {
      const block = emptySeriesBlock(points);
      block.tags.push(`group${tag % 20}/metric_${tag}`);
      for (let i = 0; i < points; i++) {
        block.step[i] = i * 10;
        block.wallTime[i] = 1.7e9 + i * 0.5;
        block.value[i] = tagValue(tag, i * 10, random());
      }
      block.length = points;
      await inTransaction(pool, (client) =>
        writeSeries(client, run, { id: source, path: '/bench/run/events.out.tfevents.1.bench' }, [
          { dir: '', firstPoint: tag * points, block },
        ]),
      );
    }
    await pool.query('VACUUM ANALYZE "ScalarTag", "ScalarChunk"');
    return run;
  } finally {
    await pool.end();
  }
}

function figure(name: string, values: number[], limit: number, target: string): Figure {
  const p95 = percentile(values, 95);
  return {
    name,
    value: round(p95, 1),
    unit: 'ms',
    limit,
    ratio: round(p95 / limit, 2),
    met: p95 <= limit,
    target: `${target} (p50 ${round(percentile(values, 50), 1)} ms)`,
  };
}

export async function benchScalars(options: { tags?: number; points?: number; requests?: number } = {}): Promise<Outcome[]> {
  const tags = options.tags ?? (Number(process.env.THAW_BENCH_SCALARS_TAGS ?? '') || 200);
  const points = options.points ?? (Number(process.env.THAW_BENCH_SCALARS_POINTS ?? '') || 100_000);
  const requests = options.requests ?? 40;
  await ensureWebBuild(pino({ level: 'warn' }));
  const logs = await mkdtemp(path.join(os.tmpdir(), 'thaw-bench-scalars-'));
  await chmod(logs, 0o755);
  const database = await createBenchDatabase('scalars');
  try {
    const seedStarted = performance.now();
    const runId = await seedRun(database.url, tags, points);
    process.stderr.write(
      `bench scalars: stored ${tags} tags × ${points} points in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s\n`,
    );
    return await guarded(SCALARS_FIGURES, async () => {
      const served = await serve(database, logs);
      try {
        const list = `${served.base}/api/runs/${runId}/scalars`;
        await timed(list);
        const tagTimes = await latencies(list, requests);
        const one = (k: number) => `${list}?tag=${encodeURIComponent(`group${k % 20}/metric_${k}`)}&points=1000`;
        await timed(one(0));
        const pointTimes: number[] = [];
        for (let i = 0; i < requests; i++) pointTimes.push(await timed(one((i * 37) % tags)));
        return [
          figure(
            'scalars_tags_p95',
            tagTimes,
            50,
            `p95 ≤ 50 ms: /api/runs/:id/scalars, the tag list of a run of ${tags} tags × ${points} points`,
          ),
          figure(
            'scalars_tag_p95',
            pointTimes,
            150,
            `p95 ≤ 150 ms: one tag of that run (${points} points) downsampled to 1,000 (spikes kept), tags in turn`,
          ),
        ];
      } finally {
        await served.stop();
      }
    });
  } finally {
    await database.drop();
    await rm(logs, { recursive: true, force: true });
  }
}
