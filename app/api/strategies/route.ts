import { withApi } from '@/lib/api/errors';
import { parseQuery } from '@/lib/api/params';
import { csvOut, jsonOut } from '@/lib/api/respond';
import { strategiesCsvRecords, strategiesQuery, strategiesResponse } from '@/lib/api/schemas/strategies';
import { listRecommendations } from '@/lib/queries/strategies';

export const dynamic = 'force-dynamic';

export const GET = withApi(async (request: Request) => {
  const { format, fpe, hidden } = parseQuery(strategiesQuery, new URL(request.url).searchParams);
  const result = await listRecommendations(fpe, hidden);
  if (format === 'csv') return csvOut('thaw-strategies', strategiesCsvRecords(result), request);
  return jsonOut(strategiesResponse, result, request);
});
