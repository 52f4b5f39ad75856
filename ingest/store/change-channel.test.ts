// The store NOTIFYs on the channel the live hub LISTENs on: two constants today, held together by this test.
import { describe, expect, it } from 'vitest';
import { CHANGE_CHANNEL as HUB_CHANNEL } from '../../lib/live/hub';
import { CHANGE_CHANNEL as STORE_CHANNEL } from './change-channel';

describe('change channel', () => {
  it('listens on the channel the ingest store notifies', () => {
    expect(HUB_CHANNEL).toBe(STORE_CHANNEL);
  });
});
