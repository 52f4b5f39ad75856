import { withApi } from '@/lib/api/errors';
import { parseQuery } from '@/lib/api/params';
import { jsonOut } from '@/lib/api/respond';
import { alertsQuery, alertsResponse } from '@/lib/api/schemas/alerts';
import { pageAlerts } from '@/lib/queries/alerts';

export const dynamic = 'force-dynamic';

export const GET = withApi(async (request: Request) => {
  const query = parseQuery(alertsQuery, new URL(request.url).searchParams);
  return jsonOut(alertsResponse, await pageAlerts(query), request);
});
