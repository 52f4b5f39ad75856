import { withApi } from '@/lib/api/errors';
import { parseQuery } from '@/lib/api/params';
import { jsonOut } from '@/lib/api/respond';
import { forecastsQuery, forecastsResponse } from '@/lib/api/schemas/forecast';
import { getRunForecasts } from '@/lib/queries/forecast';

export const dynamic = 'force-dynamic';

/** The forecasts of many runs at once (?ids=1,2,3: the runs table's forecast column); unknown ids are left out. */
export const GET = withApi(async (request: Request) => {
  const { ids } = parseQuery(forecastsQuery, new URL(request.url).searchParams);
  return jsonOut(forecastsResponse, { forecasts: await getRunForecasts(ids) }, request);
});
