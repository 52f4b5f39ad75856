import { withApi } from '@/lib/api/errors';
import { parseQuery } from '@/lib/api/params';
import { csvOut, jsonOut } from '@/lib/api/respond';
import { seriesCsvRecords, seriesQuery, seriesResponse } from '@/lib/api/schemas/series';
import { getRunSeries } from '@/lib/queries/series';
import { runIdFrom } from '../params';

export const dynamic = 'force-dynamic';

export const GET = withApi(async (request: Request, context: { params: Promise<{ id: string }> }) => {
  const id = await runIdFrom(context);
  const { format, ...options } = parseQuery(seriesQuery, new URL(request.url).searchParams);
  const result = await getRunSeries(id, options);
  if (format === 'csv') return csvOut(`thaw-run-${id}-${options.metric}`, seriesCsvRecords(result.series), request);
  return jsonOut(seriesResponse, result, request);
});
