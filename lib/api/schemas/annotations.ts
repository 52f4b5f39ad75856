// Annotations: PATCH /api/runs/[id] — a run's display name, tags, note, star, hidden;
// POST /api/runs/annotations — the same changes for many runs at once (the runs table's bulk actions);
// PUT /api/tasks/[id] — a task's episode count. Bodies are JSON (the write guard in proxy.ts refuses
// anything else); every field is checked here, and a bad one is a 400 that names it.
import { z } from 'zod';
import { TAGS_PER_RUN, normalizeTag, tagProblem, uniqueTags } from '../tags';

export const NAME_MAX_LENGTH = 120;
export const NOTE_MAX_LENGTH = 10_000;
export const BULK_MAX_RUNS = 1000;
export const EPISODES_MAX = 10_000_000;

/** One tag: normalized (lib/api/tags.ts), then checked. */
export const tagSchema = z
  .string({ error: 'a tag (a string)' })
  .max(1000, 'a tag of at most 40 characters')
  .transform(normalizeTag)
  .superRefine((tag, ctx) => {
    const problem = tagProblem(tag);
    if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
  });

/** A list of tags: each normalized, duplicates (ignoring case) dropped, at most TAGS_PER_RUN. */
export const tagListSchema = z
  .array(tagSchema, { error: 'a list of tags' })
  .max(TAGS_PER_RUN * 5, `at most ${TAGS_PER_RUN} tags`)
  .transform(uniqueTags)
  .pipe(z.array(z.string()).max(TAGS_PER_RUN, `at most ${TAGS_PER_RUN} tags`));

/** Trimmed; empty means "none" (null). */
const optionalText = (max: number, what: string) =>
  z
    .string({ error: `${what} (a string) or null` })
    .max(max * 2, `${what} of at most ${max} characters`)
    .transform((text) => text.trim())
    .pipe(z.string().max(max, `${what} of at most ${max} characters`))
    .transform((text) => (text === '' ? null : text))
    .nullable();

const flag = (what: string) => z.boolean({ error: `${what}: true or false` });

export const runAnnotationPatch = z
  .strictObject(
    {
      name: optionalText(NAME_MAX_LENGTH, 'a name').optional(),
      tags: tagListSchema.optional(),
      note: optionalText(NOTE_MAX_LENGTH, 'a note').optional(),
      starred: flag('starred').optional(),
      hidden: flag('hidden').optional(),
    },
    { error: 'only name, tags, note, starred and hidden' },
  )
  .refine((patch) => Object.values(patch).some((value) => value !== undefined), {
    message: 'at least one of name, tags, note, starred, hidden',
  });
export type RunAnnotationPatch = z.infer<typeof runAnnotationPatch>;

export const runsAnnotateBody = z
  .strictObject(
    {
      ids: z
        .array(
          z
            .number({ error: 'a run id (a positive whole number)' })
            .int('a run id (a positive whole number)')
            .positive('a run id (a positive whole number)')
            .max(2_147_483_647, 'a run id (a positive whole number)'),
          { error: 'a list of run ids' },
        )
        .min(1, 'at least one run id')
        .max(BULK_MAX_RUNS, `at most ${BULK_MAX_RUNS} run ids`),
      addTags: tagListSchema.optional(),
      removeTags: tagListSchema.optional(),
      starred: flag('starred').optional(),
      hidden: flag('hidden').optional(),
    },
    { error: 'only ids, addTags, removeTags, starred and hidden' },
  )
  .refine(
    (body) => body.addTags !== undefined || body.removeTags !== undefined || body.starred !== undefined || body.hidden !== undefined,
    {
      message: 'at least one of addTags, removeTags, starred, hidden',
    },
  );
export type RunsAnnotateBody = z.infer<typeof runsAnnotateBody>;

/** The five annotation fields every run row carries (defaults when nobody annotated the run). */
export const annotationFields = {
  name: z.string().nullable(),
  tags: z.array(z.string()),
  note: z.string().nullable(),
  starred: z.boolean(),
  hidden: z.boolean(),
};
export const annotationSchema = z.object(annotationFields);
export type Annotation = z.infer<typeof annotationSchema>;

export const EMPTY_ANNOTATION: Annotation = { name: null, tags: [], note: null, starred: false, hidden: false };

export const runAnnotationResponse = annotationSchema.extend({ id: z.number().int() });
export type RunAnnotationResponse = z.infer<typeof runAnnotationResponse>;

export const runsAnnotateResponse = z.object({ runs: z.array(runAnnotationResponse) });

export const taskIdParam = z.coerce
  .number({ error: 'a task id (a whole number)' })
  .int('a task id (a whole number)')
  .min(0, 'a task id (a whole number)')
  .max(2_147_483_647, 'a task id (a whole number)');

export const taskEpisodesBody = z.strictObject(
  {
    episodes: z
      .number({ error: `a whole number of episodes from 1 to ${EPISODES_MAX}, or null to forget it` })
      .int(`a whole number of episodes from 1 to ${EPISODES_MAX}, or null to forget it`)
      .min(1, `a whole number of episodes from 1 to ${EPISODES_MAX}, or null to forget it`)
      .max(EPISODES_MAX, `a whole number of episodes from 1 to ${EPISODES_MAX}, or null to forget it`)
      .nullable(),
  },
  { error: 'only episodes' },
);

export const taskEpisodesResponse = z.object({ taskId: z.number().int(), episodes: z.number().int().nullable() });
export type TaskEpisodes = z.infer<typeof taskEpisodesResponse>;

/** "hidden" query parameter: hidden runs left out (default), included, or only them. */
export const hiddenParam = z.enum(['exclude', 'include', 'only'], { error: 'exclude, include or only' }).default('exclude');
export type HiddenMode = z.infer<typeof hiddenParam>;
