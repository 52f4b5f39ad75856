import { BadRequestError } from '@/lib/api/errors';
import { runIdParam } from '@/lib/api/schemas/run';

/** The `[id]` path segment as a run id, or a 400 naming it. */
export async function runIdFrom(context: { params: Promise<{ id: string }> }): Promise<number> {
  const { id } = await context.params;
  const parsed = runIdParam.safeParse(id);
  if (!parsed.success) throw new BadRequestError(`id: expected a run id (a positive whole number) (got ${JSON.stringify(id)})`);
  return parsed.data;
}
