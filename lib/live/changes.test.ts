// What a writer's notification means to the live hub (lib/live/hub.ts).
import { describe, expect, it } from 'vitest';
import { changePayload, MAX_IDS_PER_NOTIFICATION, parseNotification } from './changes';

describe('live notifications', () => {
  it('turns store notifications into changes, treating a truncated id list as "everything"', () => {
    expect(parseNotification('3,14,15')).toEqual({ kind: 'runs', runIds: [3, 14, 15] });
    expect(parseNotification('stale')).toEqual({ kind: 'all', reason: 'stale runs' });
    expect(parseNotification(Array.from({ length: 200 }, (_, i) => i + 1).join(','))).toMatchObject({ kind: 'all' });
    expect(parseNotification('')).toMatchObject({ kind: 'all' });
  });

  it('a writer lists the runs it changed, or says "all" past the limit, and the hub reads it back', () => {
    const ids = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
    expect(parseNotification(changePayload([3, 14, 15]))).toEqual({ kind: 'runs', runIds: [3, 14, 15] });
    expect(changePayload(ids(MAX_IDS_PER_NOTIFICATION + 1))).toBe('all');
    expect(parseNotification(changePayload(ids(MAX_IDS_PER_NOTIFICATION + 1)))).toMatchObject({ kind: 'all' });
  });
});
