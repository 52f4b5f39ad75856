import { withApi } from '@/lib/api/errors';
import { jsonOut } from '@/lib/api/respond';
import { forecastBacktestResponse } from '@/lib/api/schemas/forecast';
import { getForecastBacktest } from '@/lib/queries/forecast';

export const dynamic = 'force-dynamic';

/** How good the forecasts have been here: every finished run replayed, coverage and skill overall and per task. */
export const GET = withApi(async (request: Request) => jsonOut(forecastBacktestResponse, await getForecastBacktest(), request));
