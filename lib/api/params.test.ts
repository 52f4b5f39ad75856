// Query parameters through zod (lib/api/params.ts): a 400 names the parameter, the form and the value.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BadRequestError } from './errors';
import { parseQuery, queryObject } from './params';
import { idList, pointsParam } from './schemas/common';

describe('query parameters', () => {
  it('name the parameter, the expected form and the given value in 400 messages', () => {
    const schema = z.object({ points: pointsParam, task: idList.optional() });
    expect(() => parseQuery(schema, new URLSearchParams('points=2'))).toThrow(
      new BadRequestError('points: expected a whole number from 4 to 10000 (got "2")'),
    );
    expect(() => parseQuery(schema, new URLSearchParams('task=1,two'))).toThrow(
      /^task: expected a comma-separated list of positive whole numbers \(got "1,two"\)$/,
    );
    expect(parseQuery(schema, new URLSearchParams('task=1&task=2&points='))).toEqual({ points: 1000, task: [1, 2] });
    expect(queryObject({ strategy: ['12:0,2,5-11', '12:3-11'] })).toEqual({ strategy: '12:0,2,5-11|12:3-11' });
  });
});
