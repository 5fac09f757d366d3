import { afterAll, describe, expect, it } from 'vitest';
import { databaseBefore, type DatabaseBefore } from './migration-before.js';

const MIGRATION = '20261201100000_token_revoked_reason';
let db: DatabaseBefore | undefined;
afterAll(async () => {
  await db?.close();
});

describe(MIGRATION, () => {
  it('revokes the live tokens whose user had already left the client they are bound to, and only those', async () => {
    db = await databaseBefore(MIGRATION);
    const { client } = db;
    await client.query(`
      INSERT INTO users (id, email, name, password_hash, updated_at) VALUES ('usr_a', 'a@x', 'A', 'h', now()), ('usr_b', 'b@x', 'B', 'h', now());
      INSERT INTO clients (id, name) VALUES ('client_a', 'A'), ('client_b', 'B');
      INSERT INTO memberships (client_id, user_id, role) VALUES ('client_a', 'usr_a', 'owner'), ('client_b', 'usr_b', 'owner');
      -- usr_b was a member of client_a once and kept a token bound to it.
      INSERT INTO api_tokens (user_id, client_id, name, token_hash, prefix, revoked_at) VALUES
        ('usr_a', 'client_a', 'member', 'h1', 'p', NULL),
        ('usr_b', 'client_a', 'ex-member', 'h2', 'p', NULL),
        ('usr_b', 'client_b', 'own', 'h3', 'p', NULL),
        ('usr_b', 'client_a', 'revoked long ago', 'h4', 'p', '2026-01-01');`);
    expect(await db.apply()).toEqual([MIGRATION]);
    const rows = (await client.query<{ name: string; revoked: boolean; reason: string | null; old: boolean }>(
      `SELECT name, revoked_at IS NOT NULL AS revoked, revoked_reason AS reason, revoked_at < '2026-02-01' AS old FROM api_tokens ORDER BY id`,
    )).rows;
    expect(rows).toEqual([
      { name: 'member', revoked: false, reason: null, old: null },
      { name: 'ex-member', revoked: true, reason: 'membership_ended', old: false },
      { name: 'own', revoked: false, reason: null, old: null },
      { name: 'revoked long ago', revoked: true, reason: null, old: true },
    ]);
  });
});
