import { withApi } from '@/lib/api/errors';
import { parseQuery } from '@/lib/api/params';
import { jsonOut } from '@/lib/api/respond';
import { scalarCatalogQuery, scalarCatalogResponse } from '@/lib/api/schemas/scalars';
import { getScalarCatalog } from '@/lib/queries/scalars';

export const dynamic = 'force-dynamic';

/** GET /api/runs/scalar-tags[?ids=…]: every TensorBoard scalar tag the runs have, with how many have it. */
export const GET = withApi(async (request: Request) => {
  const { ids } = parseQuery(scalarCatalogQuery, new URL(request.url).searchParams);
  return jsonOut(scalarCatalogResponse, await getScalarCatalog(ids), request);
});
