// CSV exports (lib/api/respond.ts) read back to what was written.
import { describe, expect, it } from 'vitest';
import { parseCsv, toCsv } from './respond';

describe('CSV', () => {
  it('writes CSV that reads back exactly, quotes and line breaks included', () => {
    const records = [
      { name: 'plain', value: 0.1234, note: null },
      { name: 'with, comma', value: -1e-7, note: 'say "hi"\nnext line' },
      { name: ' padded ', value: 12, note: '' },
    ];
    const back = parseCsv(toCsv(records));
    expect(back).toEqual([
      { name: 'plain', value: '0.1234', note: null },
      { name: 'with, comma', value: '-1e-7', note: 'say "hi"\nnext line' },
      { name: ' padded ', value: '12', note: null },
    ]);
  });
});
