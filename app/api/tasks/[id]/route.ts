// PUT /api/tasks/[id] {"episodes": n | null}: the task's episode count, which places it in the
// strategies page's rule-of-thumb table.
import { setTaskEpisodes } from '@/lib/annotations/write';
import { BadRequestError, withApi } from '@/lib/api/errors';
import { parseBody } from '@/lib/api/params';
import { jsonOut } from '@/lib/api/respond';
import { taskEpisodesBody, taskEpisodesResponse, taskIdParam } from '@/lib/api/schemas/annotations';

export const dynamic = 'force-dynamic';

export const PUT = withApi(async (request: Request, context: { params: Promise<{ id: string }> }) => {
  const { id } = await context.params;
  const parsed = taskIdParam.safeParse(id);
  if (!parsed.success) throw new BadRequestError(`id: expected a task id (a whole number) (got ${JSON.stringify(id)})`);
  const { episodes } = await parseBody(taskEpisodesBody, request);
  return jsonOut(taskEpisodesResponse, await setTaskEpisodes(parsed.data, episodes), request);
});
