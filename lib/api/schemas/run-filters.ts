// The run filters: which runs the runs table, the compare page and their CSV/JSON exports show. One
// list of fields, spread into both query schemas (GET /api/runs, GET /api/compare), picked by the
// compare page's reader, and labelled in the compare report's header.
import { z } from 'zod';
import { tagSchema } from './annotations';
import { RUN_STATUSES, VERDICTS, enumList, flagParam, idList, keyList } from './common';

export const runFilterFields = {
  task: idList.optional(),
  strategy: keyList.optional(),
  status: enumList(RUN_STATUSES).optional(),
  verdict: enumList(VERDICTS).optional(),
  q: z.string().max(200, 'at most 200 characters').optional(),
  /** Runs carrying any of these tags ("a,b" or repeated). */
  tag: z
    .string()
    .max(2000, 'at most 2000 characters')
    .transform((value) =>
      value
        .split(/[,|]/)
        .map((item) => item.trim())
        .filter(Boolean),
    )
    .pipe(z.array(tagSchema))
    .optional(),
  /** Starred runs only (1) or unstarred only (0). */
  starred: flagParam.optional(),
};

export type RunFilterKey = keyof typeof runFilterFields;
export type RunFilterValues = { [K in RunFilterKey]?: z.infer<(typeof runFilterFields)[K]> };

/** How the compare report's header names each filter (and says a starred filter's value). */
export const RUN_FILTERS: { [K in RunFilterKey]: { label: string; text?: (raw: string) => string } } = {
  task: { label: 'Tasks' },
  strategy: { label: 'Strategies' },
  status: { label: 'Status' },
  verdict: { label: 'Verdicts' },
  q: { label: 'Search' },
  tag: { label: 'Tags' },
  starred: { label: 'Starred', text: (raw) => (raw === '1' || raw === 'true' ? 'starred only' : 'unstarred only') },
};

/** The filter fields of a parsed query (any other field left behind). */
export function pickRunFilters(values: RunFilterValues): RunFilterValues {
  return {
    task: values.task,
    strategy: values.strategy,
    status: values.status,
    verdict: values.verdict,
    q: values.q,
    tag: values.tag,
    starred: values.starred,
  };
}

/** Whether any filter narrows the runs (an empty search does not; "unstarred only" does). */
export function hasRunFilter(values: RunFilterValues): boolean {
  return Object.values(pickRunFilters(values)).some((value) => value !== undefined && value !== '');
}
