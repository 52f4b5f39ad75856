// What a store notification means to the live hub (lib/live/hub.ts).
import { describe, expect, it } from 'vitest';
import { parseNotification } from './hub';

describe('live notifications', () => {
  it('turns store notifications into changes, treating a truncated id list as "everything"', () => {
    expect(parseNotification('3,14,15')).toEqual({ kind: 'runs', runIds: [3, 14, 15] });
    expect(parseNotification('stale')).toEqual({ kind: 'all', reason: 'stale runs' });
    expect(parseNotification(Array.from({ length: 200 }, (_, i) => i + 1).join(','))).toMatchObject({ kind: 'all' });
    expect(parseNotification('')).toMatchObject({ kind: 'all' });
  });
});
