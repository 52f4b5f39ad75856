// Reading annotations: the join every run listing uses (annotations are keyed by the run key, not by
// "Run".id: lib/db/run-key.ts), the hidden-run condition, a run's annotation and the tasks' episodes.
import { db } from '../db/client';
import { runKeySql } from '../db/run-key';
import { Prisma } from '../generated/prisma/client';
import { EMPTY_ANNOTATION, type Annotation, type HiddenMode } from '../api/schemas/annotations';

/** Joins run `r` (with its first source `src`) to its annotation `an` (absent: no annotation yet). */
export const ANNOTATION_JOIN = Prisma.raw(`LEFT JOIN "RunAnnotation" an ON an.key = ${runKeySql('r', 'src')}`);

/** The annotation columns of `an`, defaults when absent. */
export const ANNOTATION_COLUMNS = Prisma.sql`an.name AS "annName", COALESCE(an.tags, '{}') AS "annTags", an.note AS "annNote",
  COALESCE(an.starred, false) AS "annStarred", COALESCE(an.hidden, false) AS "annHidden"`;

export interface AnnotationColumns {
  annName: string | null;
  annTags: string[];
  annNote: string | null;
  annStarred: boolean;
  annHidden: boolean;
}

export function annotationOf(row: AnnotationColumns): Annotation {
  return { name: row.annName, tags: row.annTags, note: row.annNote, starred: row.annStarred, hidden: row.annHidden };
}

/** Hidden runs left out (exclude), kept (include), or the only ones (only). */
export function hiddenCondition(mode: HiddenMode): Prisma.Sql | null {
  if (mode === 'include') return null;
  return mode === 'only' ? Prisma.sql`COALESCE(an.hidden, false)` : Prisma.sql`NOT COALESCE(an.hidden, false)`;
}

/** One run's annotation (defaults when nobody annotated it). */
export async function runAnnotation(runId: number): Promise<Annotation> {
  const rows = await db().$queryRaw<AnnotationColumns[]>`
    SELECT ${ANNOTATION_COLUMNS} FROM "Run" r JOIN "LogSource" src ON src.id = r."sourceId" ${ANNOTATION_JOIN} WHERE r.id = ${runId}`;
  return rows[0] ? annotationOf(rows[0]) : { ...EMPTY_ANNOTATION };
}

/** Episodes per task id, as people gave them (PUT /api/tasks/[id]). */
export async function taskEpisodes(): Promise<Map<number, number>> {
  const rows = await db().$queryRaw<{ taskId: number; episodes: number }[]>`
    SELECT "taskId", episodes FROM "TaskAnnotation" WHERE episodes IS NOT NULL`;
  return new Map(rows.map((row) => [row.taskId, row.episodes]));
}
