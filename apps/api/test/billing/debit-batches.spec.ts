import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaService } from '@aius/db';
import { BillingRepository, type Debit, type PlanDefaults } from '../../src/modules/billing/billing.repository.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The ledger's batch write of call costs (BillingRepository.applyDebits), against real Postgres:
 * one row per call whatever is retried, the quota before the top-ups, accounts created and
 * renewed on the way, and the version each client's cached balance is told of.
 */
const defaults: PlanDefaults = { planName: 'free', monthlyQuota: 1_000n };
let app: TestApp;
let repository: BillingRepository;
let prisma: PrismaService;

beforeAll(async () => {
  app = await startTestApp({ BILLING_MODE: 'credits', MODEL_PRICES: JSON.stringify({ '*': { input: 1, output: 1 } }) });
  repository = app.app.get(BillingRepository);
  prisma = app.app.get(PrismaService);
});
afterAll(async () => {
  await app?.close();
});

const newClient = () => `cli_${randomBytes(6).toString('hex')}`;
const debit = (clientId: string, amount: number): Debit => ({ requestId: randomUUID(), clientId, amount, model: 'm', runId: null, tokenId: null, estimated: false, at: Date.now() });
const ledger = (clientId: string) => prisma.creditTransaction.findMany({ where: { clientId }, orderBy: { id: 'asc' } });
async function balanceOf(clientId: string): Promise<bigint> {
  const a = await prisma.billingAccount.findUniqueOrThrow({ where: { clientId } });
  return a.quotaRemaining + a.topupBalance;
}

describe(BillingRepository.name, () => {
  it('a client billed for the first time gets its account and renewal entry, and its calls come from the quota first, then the top-ups', async () => {
    const clientId = newClient();
    const calls = [debit(clientId, 600), debit(clientId, 600)];
    const written = await repository.applyDebits(calls, defaults);
    expect(written.skipped.size).toBe(0);
    const rows = await ledger(clientId);
    expect(rows.map((r) => [r.kind, r.amount, r.balanceAfter])).toEqual([
      ['renewal', 1_000n, 1_000n],
      ['usage', -600n, 400n],
      ['usage', -600n, -200n],
    ]);
    expect(rows.filter((r) => r.kind === 'usage').map((r) => r.createdAt.getTime())).toEqual(calls.map((c) => c.at));
    const account = await prisma.billingAccount.findUniqueOrThrow({ where: { clientId } });
    expect([account.quotaRemaining, account.topupBalance]).toEqual([0n, -200n]);
  });

  it('a batch written again bills each call once, alone or mixed with new calls, and the ledger still sums to the balance', async () => {
    const clientId = newClient();
    const first = [debit(clientId, 10), debit(clientId, 20)];
    await repository.applyDebits(first, defaults);
    const again = await repository.applyDebits(first, defaults);
    expect([...again.skipped].sort()).toEqual(first.map((c) => c.requestId).sort());
    const fresh = debit(clientId, 5);
    const mixed = await repository.applyDebits([first[1]!, fresh, first[0]!], defaults);
    expect([...mixed.skipped].sort()).toEqual(first.map((c) => c.requestId).sort());
    const rows = await ledger(clientId);
    expect(rows.filter((r) => r.kind === 'usage').map((r) => r.amount)).toEqual([-10n, -20n, -5n]);
    expect(rows.reduce((n, r) => n + r.amount, 0n)).toBe(await balanceOf(clientId));
    expect(rows.at(-1)!.balanceAfter).toBe(1_000n - 35n);
  });

  it("answers each client's newest ledger row id as its version, for every client of a batch, and each row's balance after is its own client's", async () => {
    const [x, y] = [newClient(), newClient()];
    const written = await repository.applyDebits([debit(x, 1), debit(y, 2), debit(x, 3)], defaults);
    for (const clientId of [x, y]) {
      const rows = await ledger(clientId);
      expect(written.versions.get(clientId)).toBe(rows.at(-1)!.id);
    }
    expect((await ledger(x)).filter((r) => r.kind === 'usage').map((r) => [r.amount, r.balanceAfter])).toEqual([
      [-1n, 999n],
      [-3n, 996n],
    ]);
    expect((await ledger(y)).filter((r) => r.kind === 'usage').map((r) => [r.amount, r.balanceAfter])).toEqual([[-2n, 998n]]);
    expect(await balanceOf(x)).toBe(996n);
  });

  it('a batch after the period ended renews the account first: the unused quota lapses and the call comes from the new quota', async () => {
    const clientId = newClient();
    await repository.applyDebits([debit(clientId, 100)], defaults);
    const past = new Date(Date.now() - 86_400_000);
    await prisma.billingAccount.update({ where: { clientId }, data: { periodStart: new Date(past.getTime() - 86_400_000), periodEnd: past } });
    await repository.applyDebits([debit(clientId, 30)], defaults);
    const rows = await ledger(clientId);
    expect(rows.map((r) => [r.kind, r.amount, r.balanceAfter])).toEqual([
      ['renewal', 1_000n, 1_000n],
      ['usage', -100n, 900n],
      ['renewal', 100n, 1_000n],
      ['usage', -30n, 970n],
    ]);
    const account = await prisma.billingAccount.findUniqueOrThrow({ where: { clientId } });
    expect(account.periodEnd.getTime()).toBeGreaterThan(Date.now());
    expect(account.quotaRemaining).toBe(970n);
  });
});
