import { describe, expect, it } from 'vitest';
import { compact, lastDays, niceScale } from './chart-scale';

describe('niceScale', () => {
  it('rounds the top up to a readable step and lists the ticks', () => {
    expect(niceScale(87)).toEqual({ top: 100, ticks: [0, 25, 50, 75, 100] });
    expect(niceScale(4)).toEqual({ top: 4, ticks: [0, 1, 2, 3, 4] });
    expect(niceScale(1_234_567).top).toBe(1_500_000);
    expect(niceScale(0)).toEqual({ top: 1, ticks: [0, 1] });
  });
});

describe('lastDays', () => {
  it('ends today (UTC) and spans the number of days asked for, inclusive', () => {
    expect(lastDays(7, Date.UTC(2026, 2, 2, 23, 59))).toEqual({ from: '2026-02-24', to: '2026-03-02' });
    expect(lastDays(1, Date.UTC(2026, 0, 1))).toEqual({ from: '2026-01-01', to: '2026-01-01' });
  });
});

describe('compact', () => {
  it('shortens large numbers', () => {
    expect([compact(950), compact(1234), compact(2_500_000)]).toEqual(['950', '1.2K', '2.5M']);
  });
});
