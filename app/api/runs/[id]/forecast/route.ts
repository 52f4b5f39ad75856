import { withApi } from '@/lib/api/errors';
import { parseQuery } from '@/lib/api/params';
import { jsonOut } from '@/lib/api/respond';
import { forecastQuery, forecastResponse } from '@/lib/api/schemas/forecast';
import { getRunForecast } from '@/lib/queries/forecast';
import { runIdFrom } from '../params';

export const dynamic = 'force-dynamic';

/** Where the run will end and whether it beats the best finished run of its task (?at=F: as if only F of it had been seen). */
export const GET = withApi(async (request: Request, context: { params: Promise<{ id: string }> }) => {
  const id = await runIdFrom(context);
  const { at } = parseQuery(forecastQuery, new URL(request.url).searchParams);
  return jsonOut(forecastResponse, await getRunForecast(id, at), request);
});
