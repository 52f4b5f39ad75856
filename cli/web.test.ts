// Which run `thaw start` warms the step-axis compare path with (cli/web.ts newestRunId).
import { describe, expect, it } from 'vitest';
import { newestRunId } from './web';

describe('newestRunId', () => {
  const cases: [string | null, number | null][] = [
    ['{"runs":[{"id":42,"taskId":1}],"total":1}', 42],
    ['{"runs":[],"total":0}', null],
    ['{"runs":[{"id":"42"}]}', null],
    ['{"runs":[{"id":1.5}]}', null],
    ['{"error":"unauthorised"}', null],
    ['<html>not json</html>', null],
    ['null', null],
    [null, null],
  ];
  for (const [body, expected] of cases) it(String(body), () => expect(newestRunId(body)).toBe(expected));
});
