import { describe, expect, it } from 'vitest';
import type { Principal } from '../../src/common/principal.js';
import { loadConfig } from '../../src/config/config.js';
import type { BillingRepository, Debit } from '../../src/modules/billing/billing.repository.js';
import { callId, CreditGate } from '../../src/modules/billing/credit-gate.js';
import { RedisService } from '../../src/redis/redis.service.js';

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

/** The token whose calls the gates below hold and settle. */
const principal = { tokenClientId: 'client-1', tokenId: 7 } as Principal;

/**
 * A CreditGate without Postgres or Redis: the client's balance is ample, and each batch of debits
 * goes to `write` (which may throw, as a database would) instead of the ledger. gpt-fake costs
 * $2.50 / $10 per million tokens, every other model $1 / $1.
 */
function gateWriting(write: (rows: readonly Debit[]) => Promise<void>): CreditGate {
  const config = loadConfig({
    DATABASE_URL: 'postgresql://x@127.0.0.1/x',
    SESSION_SECRET: 'x'.repeat(32),
    BILLING_MODE: 'credits',
    MODEL_PRICES: JSON.stringify({ 'gpt-fake': { input: 2.5, output: 10 }, '*': { input: 1, output: 1 } }),
  });
  const repository = {
    cacheSource: async () => ({ available: 10n ** 12n, periodEnd: new Date(Date.now() + 86_400_000), version: 0n }),
    applyDebits: async (rows: readonly Debit[]) => {
      await write(rows);
      return { skipped: new Set(), versions: new Map([['client-1', 1n]]) };
    },
  } as unknown as BillingRepository;
  return new CreditGate(config, repository, new RedisService({ ...config, REDIS_URL: undefined }));
}

/** The id is given when the debit is first written, not when the call is held: the same id goes with every retry of that write. */
describe("a debit's call id", () => {
  it('is the same in every write of a batch the database did not take the first time, and carries the time the call was settled', async () => {
    const writes: string[][] = [];
    const gate = gateWriting(async (rows) => {
      writes.push(rows.map((d) => d.requestId));
      // A deadlock: transient, so the batch is kept and written again.
      if (writes.length === 1) throw Object.assign(new Error('deadlock detected'), { code: '40P01' });
    });
    const settledAt = Date.now();
    for (let i = 0; i < 3; i++) gate.settle(await gate.hold(principal, 'gpt-fake', 100, 10), { promptTokens: 10, completionTokens: 5 }, true);
    await gate.flush();
    await gate.flush();
    expect(writes).toHaveLength(2);
    expect(writes[1]).toEqual(writes[0]);
    expect(new Set(writes[0]).size).toBe(3);
    for (const id of writes[0]!) expect(Math.abs(parseInt(id.slice(0, 8) + id.slice(9, 13), 16) - settledAt)).toBeLessThan(1000);
  });
});

/** One ledger row per call: a hold settled twice (a caller's bug) is billed once, at its model's own price. */
describe('CreditGate.settle', () => {
  it('bills a hold once however often it is settled, at the price of the model it was held for', async () => {
    const written: Debit[] = [];
    const gate = gateWriting(async (rows) => void written.push(...rows));
    const tokens = { promptTokens: 10, completionTokens: 5 };
    const named = await gate.hold(principal, 'gpt-fake', 100, 10);
    const other = await gate.hold(principal, 'another-model', 100, 10);
    gate.settle(named, tokens, true);
    gate.settle(named, tokens, true);
    gate.settle(other, tokens, true);
    await gate.flush();
    // 10 × 2.5 + 5 × 10 = 75 → 7,500 micro-credits; 10 × 1 + 5 × 1 = 15 → 1,500.
    expect(written.map((d) => [d.model, d.amount])).toEqual([
      ['gpt-fake', 7_500],
      ['another-model', 1_500],
    ]);
  });
});
