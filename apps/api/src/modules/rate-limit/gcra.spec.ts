import { describe, expect, it } from 'vitest';
import { gcraStep } from './gcra.js';

/** Drives the in-memory GCRA with a virtual clock; returns how many of `count` requests at `now` pass. */
function burst(state: { tat?: number }, now: number, count: number, limit: number, windowMs: number): number {
  let allowed = 0;
  for (let i = 0; i < count; i++) {
    const r = gcraStep(state.tat, now, limit, windowMs, 1);
    state.tat = r.tat;
    if (r.allowed) allowed++;
  }
  return allowed;
}

describe('gcraStep', () => {
  it('allows exactly the limit at once, then refuses with the time to the next slot', () => {
    const state: { tat?: number } = {};
    expect(burst(state, 0, 10, 10, 60_000)).toBe(10);
    const refused = gcraStep(state.tat, 0, 10, 60_000, 1);
    expect(refused).toMatchObject({ allowed: false, remaining: 0, retryAfterMs: 6_000, resetMs: 60_000 });
  });

  it('counts remaining down from limit - 1 to 0', () => {
    let tat: number | undefined;
    const remaining: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = gcraStep(tat, 1_000, 5, 900_000, 1);
      tat = r.tat;
      remaining.push(r.remaining);
    }
    expect(remaining).toEqual([4, 3, 2, 1, 0]);
  });

  it('gives no second burst at a fixed-window edge: a full quota just before the minute and just after admits limit + elapsed/T', () => {
    const state: { tat?: number } = {};
    // 600/min: T = 100 ms. A fixed window would admit 600 at 59.9 s and 600 more at 60.1 s.
    expect(burst(state, 59_900, 600, 600, 60_000)).toBe(600);
    expect(burst(state, 60_100, 600, 600, 60_000)).toBe(2);
  });

  it('a greedy client never gets more than limit + d/T in any interval of length d, and limit per window in steady state', () => {
    const limit = 7; // T = 8571.43 ms: not an integer, so rounding must not leak extra requests
    const windowMs = 60_000;
    const interval = windowMs / limit;
    let tat: number | undefined;
    const times: number[] = [];
    for (let now = 0; now < 300_000; now += 250) {
      for (;;) {
        const r = gcraStep(tat, now, limit, windowMs, 1);
        if (!r.allowed) break;
        tat = r.tat;
        times.push(now);
      }
    }
    const within = (from: number, d: number) => times.filter((t) => t >= from && t < from + d).length;
    for (const d of [1, 1_000, 10_000, windowMs]) {
      for (const from of times) expect(within(from, d)).toBeLessThanOrEqual(limit + Math.floor(d / interval));
    }
    expect(within(0, 1)).toBe(limit);
    expect(within(120_000, windowMs)).toBeLessThanOrEqual(limit + 1);
    expect(within(120_000, windowMs)).toBeGreaterThanOrEqual(limit - 1);
  });

  it('a refused request does not push the next allowed time further out', () => {
    const state: { tat?: number } = {};
    burst(state, 0, 3, 3, 3_000);
    const first = gcraStep(state.tat, 500, 3, 3_000, 1);
    expect(first.allowed).toBe(false);
    expect(gcraStep(first.tat, 999, 3, 3_000, 1).allowed).toBe(false);
    expect(gcraStep(first.tat, 1_000, 3, 3_000, 1).allowed).toBe(true);
  });
});
