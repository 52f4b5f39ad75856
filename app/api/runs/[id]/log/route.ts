import { withApi } from '@/lib/api/errors';
import { parseQuery } from '@/lib/api/params';
import { jsonOut } from '@/lib/api/respond';
import { logQuery, logResponse } from '@/lib/api/schemas/run';
import { readLogTail } from '@/lib/queries/log-tail';
import { runIdFrom } from '../params';

export const dynamic = 'force-dynamic';

export const GET = withApi(async (request: Request, context: { params: Promise<{ id: string }> }) => {
  const id = await runIdFrom(context);
  const { lines } = parseQuery(logQuery, new URL(request.url).searchParams);
  return jsonOut(logResponse, await readLogTail(id, lines), request);
});
