import { describe, expect, it } from 'vitest';
import { promisedAt } from './promise';

describe('promisedAt', () => {
  it('is in Nairobi time whatever the instant is in UTC', () => {
    // 22:30 UTC on the 22nd is already 01:30 on the 23rd in Nairobi.
    const now = new Date(Date.UTC(2026, 10, 22, 22, 30));
    expect(promisedAt(now, 0, 17)).toBe('2026-11-23T17:00:00+03:00');
    expect(promisedAt(now, 1, 10)).toBe('2026-11-24T10:00:00+03:00');
  });

  it('rolls over the end of a month and a year', () => {
    const now = new Date(Date.UTC(2026, 11, 31, 8, 0));
    expect(promisedAt(now, 1, 9)).toBe('2027-01-01T09:00:00+03:00');
  });
});
