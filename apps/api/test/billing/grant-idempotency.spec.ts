import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IDEMPOTENCY_KEY_HEADER, MAX_IDEMPOTENCY_KEY_LENGTH, type CreditTransaction } from '@aius/contracts';
import { PrismaService } from '@aius/db';
import { call, callOk, registerUser, userWithToken, type RegisteredUser } from '@aius/test-support';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * POST /admin/clients/{id}/credits with an Idempotency-Key (decided, see README "Credits"): a
 * retried grant credits once and answers the first try's transaction; the key with another
 * amount or note is 409 IDEMPOTENCY_KEY_REUSED. Two instances share the database, as retries
 * through a load balancer land on either.
 */
const ADMIN = 'grant-admin@example.com';
let a: TestApp;
let b: TestApp;
let admin: RegisteredUser;

beforeAll(async () => {
  const env = { BILLING_MODE: 'credits', MODEL_PRICES: JSON.stringify({ '*': { input: 1, output: 1 } }), ADMIN_EMAILS: ADMIN };
  a = await startTestApp(env);
  b = await startTestApp(env, { db: a.db });
  admin = await registerUser(a.origin, { email: ADMIN });
});
afterAll(async () => {
  await b?.close();
  await a?.close();
});

const grant = (t: TestApp, clientId: string, body: { amount: number; note?: string }, key?: string) =>
  call(t.origin, 'grantCredits', { params: { id: clientId }, body, as: { cookie: admin.cookie, headers: key === undefined ? {} : { [IDEMPOTENCY_KEY_HEADER]: key } } });
const total = async (u: { clientId: string; cookie: string }) => (await callOk(a.origin, 'getCredits', { params: { id: u.clientId }, as: { cookie: u.cookie } })).total;
const grantRows = (clientId: string) => a.app.get(PrismaService).creditTransaction.findMany({ where: { clientId, kind: { in: ['grant', 'adjustment'] } } });
const bodyOf = (r: Awaited<ReturnType<typeof grant>>): CreditTransaction => {
  if (!r.ok) throw new Error(`grant answered ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
};

describe('a grant with an Idempotency-Key', () => {
  it('retried with the same key and body credits once and answers the first transaction, on either instance', async () => {
    const u = await userWithToken(a.origin);
    const first = bodyOf(await grant(a, u.clientId, { amount: 25, note: 'invoice 7' }, 'invoice-7'));
    const retry = bodyOf(await grant(b, u.clientId, { amount: 25, note: 'invoice 7' }, 'invoice-7'));
    expect(retry).toEqual(first);
    expect(first).toMatchObject({ kind: 'grant', amount: 25, balance_after: 25, note: 'invoice 7' });
    expect(await total(u)).toBe(25);
    expect(await grantRows(u.clientId)).toHaveLength(1);
  });

  it('concurrent retries of one grant all answer the same transaction and credit once', async () => {
    // A client never billed before: its account row is created by whichever retry gets there first.
    const u = await userWithToken(a.origin);
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => grant(i % 2 ? a : b, u.clientId, { amount: 3.5 }, 'double-click')));
    const bodies = answers.map(bodyOf);
    expect(new Set(bodies.map((x) => x.id)).size).toBe(1);
    expect(bodies.every((x) => x.amount === 3.5 && x.balance_after === 3.5)).toBe(true);
    expect(await total(u)).toBe(3.5);
    expect(await grantRows(u.clientId)).toHaveLength(1);
  });

  it('the same key with another amount or note is 409 IDEMPOTENCY_KEY_REUSED and writes nothing', async () => {
    const u = await userWithToken(a.origin);
    bodyOf(await grant(a, u.clientId, { amount: 10, note: 'march' }, 'k-1'));
    for (const body of [{ amount: 11, note: 'march' }, { amount: 10, note: 'april' }, { amount: 10 }, { amount: -10, note: 'march' }]) {
      const r = await grant(b, u.clientId, body, 'k-1');
      expect(r.status).toBe(409);
      expect(r.body).toEqual({ detail: { code: 'IDEMPOTENCY_KEY_REUSED', message: 'This Idempotency-Key was already used for a different request' } });
    }
    expect(await total(u)).toBe(10);
    expect(await grantRows(u.clientId)).toHaveLength(1);
  });

  it('concurrent grants with one key and different amounts: one is written, the others are refused', async () => {
    const u = await userWithToken(a.origin);
    const answers = await Promise.all([1, 2, 3, 4].map((amount, i) => grant(i % 2 ? a : b, u.clientId, { amount }, 'race')));
    const written = answers.filter((r) => r.ok);
    expect(written).toHaveLength(1);
    expect(answers.filter((r) => r.status === 409)).toHaveLength(3);
    expect(await total(u)).toBe(bodyOf(written[0]!).amount);
  });

  it('a key names one grant per client: the same key for another client is a grant of its own', async () => {
    const u = await userWithToken(a.origin);
    const v = await userWithToken(a.origin);
    const one = bodyOf(await grant(a, u.clientId, { amount: 5 }, 'monthly-2026-12'));
    const other = bodyOf(await grant(a, v.clientId, { amount: 5 }, 'monthly-2026-12'));
    expect(other.id).not.toBe(one.id);
    expect([await total(u), await total(v)]).toEqual([5, 5]);
  });

  it('without a key every grant is a new one', async () => {
    const u = await userWithToken(a.origin);
    bodyOf(await grant(a, u.clientId, { amount: 2 }));
    bodyOf(await grant(a, u.clientId, { amount: 2 }));
    expect(await total(u)).toBe(4);
  });

  it('an empty, overlong or non-ASCII key is 400 INVALID_REQUEST, and nothing is granted', async () => {
    const u = await userWithToken(a.origin);
    for (const key of ['', 'k'.repeat(MAX_IDEMPOTENCY_KEY_LENGTH + 1)]) {
      const r = await grant(a, u.clientId, { amount: 1 }, key);
      expect([r.status, r.body]).toEqual([400, { detail: { code: 'INVALID_REQUEST', message: 'Invalid request' } }]);
    }
    // A header value may carry Latin-1 bytes (é is sent as one byte); a key must be printable ASCII.
    const r = await grant(a, u.clientId, { amount: 1 }, 'caf\u00e9');
    expect(r.status).toBe(400);
    expect(bodyOf(await grant(a, u.clientId, { amount: 1 }, 'k'.repeat(MAX_IDEMPOTENCY_KEY_LENGTH)))).toMatchObject({ amount: 1 });
    expect(await total(u)).toBe(1);
  });

  it('a retry by a non-admin is still 403, whatever the key', async () => {
    const u = await userWithToken(a.origin);
    bodyOf(await grant(a, u.clientId, { amount: 1 }, 'k-403'));
    const r = await call(a.origin, 'grantCredits', { params: { id: u.clientId }, body: { amount: 1 }, as: { cookie: u.cookie, headers: { [IDEMPOTENCY_KEY_HEADER]: 'k-403' } } });
    expect(r.status).toBe(403);
  });
});
