import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AuditLog } from '../../src/modules/audit/audit-log.js';
import { TokensRepository } from '../../src/modules/tokens/tokens.repository.js';
import { generateToken } from '../../src/modules/tokens/token-format.js';
import { call, userWithToken } from '@aius/test-support';
import { ROOMY_LIMITS, startTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
let db: pg.Client;
beforeAll(async () => {
  t = await startTestApp({ ...ROOMY_LIMITS, TOKEN_LAST_USED_FLUSH_MS: '100' });
  db = new pg.Client({ connectionString: t.db.url });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await t?.close();
});

/** Exact row count of every table in the schema. */
async function rowCounts(): Promise<Record<string, number>> {
  const tables = await db.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`,
  );
  const counts: Record<string, number> = {};
  for (const { name } of tables.rows) {
    counts[name] = Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM "${name}"`)).rows[0]!.n);
  }
  return counts;
}

describe('a flood of bad bearers', () => {
  it('writes nothing and costs at most one lookup per distinct well-formed token', async () => {
    const u = await userWithToken(t.origin);
    const good = u.token;
    const flipped = good.slice(0, -1) + (good.at(-1) === 'A' ? 'B' : 'A');
    const unknown = Array.from({ length: 5 }, () => generateToken());
    const bad = [
      'aius_tooshort',
      `aius_${'!'.repeat(38)}`,
      'sk-proj-0123456789',
      flipped, // correct shape, wrong checksum
      `${good.slice(0, 20)}${good.slice(21)}x`, // one character replaced at the wrong place
      ...unknown,
    ];
    await new Promise((r) => setTimeout(r, 250)); // let the mint's own writes settle
    // The sign-up and the mint are audited off the request path; written now, they cannot land mid-count.
    await t.app.get(AuditLog).flush();
    const before = await rowCounts();
    const lastUsedBefore = await db.query('SELECT id, last_used_at FROM api_tokens ORDER BY id');
    const lookups = vi.spyOn(t.app.get(TokensRepository), 'findByHash');
    const markUsed = vi.spyOn(t.app.get(TokensRepository), 'markUsed');

    const requests = 500;
    for (let sent = 0; sent < requests; sent += 50) {
      const wave = await Promise.all(
        Array.from({ length: 50 }, (_, i) => {
          const token = bad[(sent + i) % bad.length]!;
          const as = { bearer: token };
          const answer = i % 2 ? call(t.origin, 'listClients', { as }) : call(t.origin, 'listProjects', { query: { org_id: u.clientId }, as });
          return answer.then((r) => [r.status, r.body] as const);
        }),
      );
      for (const [status, body] of wave) {
        expect(status).toBe(401);
        expect(body).toEqual({ detail: 'invalid token' });
      }
    }
    await new Promise((r) => setTimeout(r, 300)); // past a last_used flush

    // Only well-formed, correctly checksummed tokens reach a lookup, each at most once.
    const looked = lookups.mock.calls.map(([hash]) => hash);
    expect(looked.length).toBeLessThanOrEqual(unknown.length);
    expect(new Set(looked).size).toBe(looked.length);
    expect(markUsed).not.toHaveBeenCalled();
    expect(await rowCounts()).toEqual(before);
    expect((await db.query('SELECT id, last_used_at FROM api_tokens ORDER BY id')).rows).toEqual(lastUsedBefore.rows);
  });

  it('while a good token used alongside gets its last_used_at from the periodic flush', async () => {
    const u = await userWithToken(t.origin);
    expect((await call(t.origin, 'listClients', { as: { bearer: u.token } })).status).toBe(200);
    await vi.waitFor(async () => {
      const row = await db.query('SELECT last_used_at FROM api_tokens WHERE id = $1', [u.tokenId]);
      expect(row.rows[0].last_used_at).toBeInstanceOf(Date);
    }, { timeout: 5000 });
  });
});
