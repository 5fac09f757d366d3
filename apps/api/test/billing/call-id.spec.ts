import { describe, expect, it } from 'vitest';
import { callId } from '../../src/modules/billing/credit-gate.js';

/** The id a call's ledger row is keyed by (its idempotency key): unique, and ordered by time so the request_id index grows at its right edge. */
describe('callId', () => {
  it('is a UUIDv7 carrying the time it was made', () => {
    const at = Date.UTC(2026, 11, 2, 19, 30);
    const id = callId(at);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(at);
  });

  it('orders ids of later milliseconds after earlier ones', () => {
    const ids = [1, 2, 255, 256, 65_536, Date.now()].map((ms) => callId(ms));
    expect([...ids].sort()).toEqual(ids);
  });

  it('never repeats, even within one millisecond', () => {
    const at = Date.now();
    const ids = Array.from({ length: 50_000 }, () => callId(at));
    expect(new Set(ids).size).toBe(ids.length);
  });
});
