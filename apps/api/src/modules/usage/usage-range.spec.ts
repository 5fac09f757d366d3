import { describe, expect, it } from 'vitest';
import { ApiError } from '../../common/api-error.js';
import { MAX_RANGE_DAYS, dayRange } from './usage-range.js';

const NOW = Date.UTC(2026, 10, 25, 13, 0);

describe('dayRange', () => {
  it('defaults to the 30 days ending today (UTC)', () => {
    const r = dayRange(undefined, undefined, NOW);
    expect([r.from, r.to, r.days.length]).toEqual(['2026-10-27', '2026-11-25', 30]);
  });

  it('takes days or unix seconds, inclusive, across month ends and leap days', () => {
    expect(dayRange('2028-02-28', '2028-03-01', NOW).days).toEqual(['2028-02-28', '2028-02-29', '2028-03-01']);
    expect(dayRange(String(Date.UTC(2026, 0, 1, 23, 59) / 1000), '2026-01-01', NOW).days).toEqual(['2026-01-01']);
  });

  it('refuses impossible dates, reversed ranges and ranges over the limit', () => {
    for (const [from, to] of [['2026-02-29', '2026-03-01'], ['2026-03-02', '2026-03-01'], ['2020-01-01', '2026-01-01']]) {
      expect(() => dayRange(from, to, NOW)).toThrow(ApiError);
    }
    expect(dayRange(undefined, '2026-12-31', NOW).days).toHaveLength(30);
    expect(() => dayRange('2025-01-01', '2026-01-02', NOW)).toThrow(ApiError);
    expect(dayRange('2025-01-01', '2026-01-01', NOW).days).toHaveLength(MAX_RANGE_DAYS);
  });
});
