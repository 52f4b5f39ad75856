// The validation curves of runs that have no validation records of their own (lib/analysis/
// validation-curve.ts): LeRobot's eval_loss by step ("EvalPoint", with the step loss reached by then),
// else the validation tag the metrics rule names (lib/analysis/scalar-metrics.ts chooseMetrics) with
// its training tag. loadRunSeries (tables.ts) attaches them, so every rule that judges a run — its
// summary in the runs table, its alerts, its page — judges the same curve.
import { chooseMetrics, type TagSummary } from '../analysis/scalar-metrics';
import { validationCurve } from '../analysis/validation-curve';
import type { ValidationCurve } from '../analysis';
import { pointsOfChunks, type StoredChunk } from '../scalars/chunks';
import type { SqlRunner } from './tables';

/** What a run needs to have its curve found. */
export interface CurveCandidate {
  id: number;
  taskId: number | null;
  method: string | null;
  tags: readonly TagSummary[];
}

const textArray = (values: readonly string[]) => `{${values.map((v) => `"${v.replace(/(["\\])/g, '\\$1')}"`).join(',')}}`;

/** The curves of these runs (none for a run without a validation loss). */
export async function loadValidationCurves(sql: SqlRunner, runs: readonly CurveCandidate[]): Promise<Map<number, ValidationCurve>> {
  const out = new Map<number, ValidationCurve>();
  if (runs.length === 0) return out;
  // 1. eval_loss by step, with the last step loss at or before it (the step losses' primary key finds it).
  const evals = (await sql(
    `SELECT e."runId" AS id, e.step, e.loss::text AS loss, t.loss::text AS train, t.step AS "trainStep"
       FROM "EvalPoint" e
       LEFT JOIN LATERAL (SELECT p.step, p.loss FROM "StepPoint" p
                           WHERE p."runId" = e."runId" AND p.step <= e.step AND p.loss IS NOT NULL
                           ORDER BY p.step DESC LIMIT 1) t ON true
      WHERE e."runId" = ANY($1::int[]) AND e.loss IS NOT NULL
      ORDER BY e."runId", e.step`,
    [`{${runs.map((r) => r.id).join(',')}}`],
  )) as { id: number; step: number; loss: string; train: string | null; trainStep: number | null }[];
  const byRun = new Map<number, typeof evals>();
  for (const e of evals) byRun.set(e.id, [...(byRun.get(e.id) ?? []), e]);
  for (const [id, rows] of byRun) {
    const train = rows.filter((r) => r.train !== null && r.trainStep !== null);
    const curve = validationCurve({
      axis: 'step',
      name: 'eval_loss',
      val: { x: rows.map((r) => r.step), loss: rows.map((r) => Number(r.loss)) },
      train: { x: train.map((r) => r.trainStep!), loss: train.map((r) => Number(r.train)) },
    });
    if (curve !== null) out.set(id, curve);
  }

  // 2. The validation tag the metrics rule names, and its training tag.
  const wanted: { id: number; dir: string; tag: string }[] = [];
  const choices = new Map<number, ReturnType<typeof chooseMetrics>>();
  for (const run of runs) {
    if (out.has(run.id) || run.tags.length === 0) continue;
    const choice = chooseMetrics({ tags: run.tags, method: run.method, taskId: run.taskId });
    if (choice.val === null) continue;
    choices.set(run.id, choice);
    for (const ref of [choice.val, choice.train]) if (ref !== null) wanted.push({ id: run.id, dir: ref.dir, tag: ref.tag });
  }
  if (wanted.length === 0) return out;
  const chunks = (await sql(
    `SELECT w.id, w.dir, w.tag, c."sourceId", c."firstOrd"::text AS "firstOrd", c.steps, c."wallTimes", c."values"
       FROM unnest($1::int[], $2::text[], $3::text[]) AS w(id, dir, tag)
       JOIN "ScalarTag" t ON t."runId" = w.id AND t.dir = w.dir AND t.tag = w.tag
       JOIN "ScalarChunk" c ON c."tagId" = t.id`,
    [`{${wanted.map((w) => w.id).join(',')}}`, textArray(wanted.map((w) => w.dir)), textArray(wanted.map((w) => w.tag))],
  )) as ({ id: number; dir: string; tag: string; firstOrd: string } & Omit<StoredChunk, 'firstOrd'>)[];
  const points = (id: number, ref: { dir: string; tag: string } | null) => {
    if (ref === null) return null;
    const own = chunks.filter((c) => c.id === id && c.dir === ref.dir && c.tag === ref.tag);
    if (own.length === 0) return null;
    const p = pointsOfChunks(own.map((c) => ({ ...c, firstOrd: Number(c.firstOrd) })));
    return { x: p.step, loss: p.value };
  };
  for (const [id, choice] of choices) {
    const val = points(id, choice.val);
    if (val === null) continue;
    const name = choice.val!.dir === '' ? choice.val!.tag : `${choice.val!.dir}/${choice.val!.tag}`;
    const curve = validationCurve({ axis: choice.val!.axis, name, val, train: points(id, choice.train) });
    if (curve !== null) out.set(id, curve);
  }
  return out;
}
