// The strategies page's reads; lib/views/strategies.ts shapes the page (lib/analysis `recommend` over
// every run, next to the user's heuristic table).
//
// Reads: each run's training-loss and own-task validation series (run-records.ts `loadRunRecords`), its
// per-epoch timing lines and tqdm elapsed per epoch (epochs.ts, steps.ts: both cached per run version),
// and its trainable parameter count. Timing → training seconds per epoch is lib/analysis/cost.ts.
import { db } from '../db/client';
import type { StrategiesResponse } from '../api/schemas/strategies';
import type { HiddenMode } from '../api/schemas/annotations';
import { taskEpisodes } from './annotations';
import { loadEpochData } from './epochs';
import { loadRunRecords } from './run-records';
import { stepSummaries, stepVersions } from './steps';
import { strategiesView } from '../views/strategies';

async function trainableParams(ids: readonly number[]): Promise<Map<number, number | null>> {
  if (ids.length === 0) return new Map();
  const rows = await db().$queryRaw<{ id: number; trainable: bigint | null }[]>`
    SELECT id, "trainableParams" AS trainable FROM "Run" WHERE id = ANY(${[...ids]}::int[])`;
  return new Map(rows.map((r) => [r.id, r.trainable === null ? null : Number(r.trainable)]));
}

/**
 * Held-out losses logged by step (LeRobot v0.6+ `step N: eval_loss=…`, stored as EvalPoint.loss), per run:
 * the validation of a run that has no per-epoch validation.
 */
async function evalLosses(ids: readonly number[]): Promise<Map<number, { step: number; loss: number }[]>> {
  const out = new Map<number, { step: number; loss: number }[]>();
  if (ids.length === 0) return out;
  const rows = await db().$queryRaw<{ runId: number; step: number; loss: number }[]>`
    SELECT "runId", step, loss FROM "EvalPoint" WHERE "runId" = ANY(${[...ids]}::int[]) AND loss IS NOT NULL ORDER BY "runId", step`;
  for (const row of rows) {
    const list = out.get(row.runId);
    if (list) list.push({ step: row.step, loss: row.loss });
    else out.set(row.runId, [{ step: row.step, loss: row.loss }]);
  }
  return out;
}

export async function listRecommendations(
  framesPerEpisode: number | undefined,
  hidden: HiddenMode = 'exclude',
): Promise<StrategiesResponse> {
  const [records, episodesByTask] = await Promise.all([loadRunRecords({ hidden }), taskEpisodes()]);
  const ids = records.map((r) => r.id);
  const [epochData, summaries, params, evals] = await Promise.all([
    loadEpochData(ids),
    stepVersions(ids).then((versions) => stepSummaries(versions)),
    trainableParams(ids),
    evalLosses(records.filter((r) => r.validations.length === 0).map((r) => r.id)),
  ]);
  return strategiesView(
    records,
    { epochs: epochData, summaries, trainableParams: params, evalLosses: evals },
    { framesPerEpisode, taskEpisodes: episodesByTask },
  );
}
