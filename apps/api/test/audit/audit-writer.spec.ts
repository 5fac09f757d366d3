import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@aius/test-support';
import { AuditLog } from '../../src/modules/audit/audit-log.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { sql } from '../support/sql.js';

/** The write side of the audit log: off the request path, batched, flushed at shutdown, purged after its retention. */
let t: TestApp;
beforeAll(async () => {
  // A long interval: nothing is written unless a test flushes (or the app stops).
  t = await startTestApp({ AUDIT_FLUSH_INTERVAL_MS: '60000', AUDIT_RETENTION_DAYS: '30' });
});
afterAll(async () => {
  await t?.close();
});

interface Row {
  action: string;
  actor_id: string | null;
  client_id: string | null;
  target_type: string | null;
  target_id: string | null;
  ip: string | null;
  user_agent: string | null;
}
const rows = (where: string, params: unknown[]) =>
  sql<Row>(t, `SELECT action, actor_id, client_id, target_type, target_id, ip, user_agent FROM audit_events WHERE ${where} ORDER BY id`, params);

describe(AuditLog.name, () => {
  it('buffers an event without writing it, then writes the whole batch in one flush', async () => {
    const audit = t.app.get(AuditLog);
    const batchesBefore = audit.writes.stats.batches;
    audit.record({ action: 'token.created', actorId: 'usr_a', clientId: 'client_a', targetType: 'token', targetId: 42, ip: '203.0.113.9', userAgent: 'curl/8' });
    audit.record({ action: 'login.failed', actorId: null, targetType: 'user', targetId: 'usr_a', ip: '203.0.113.10' });
    expect(await rows('actor_id = $1 OR target_id = $1', ['usr_a'])).toEqual([]);
    expect(audit.writes.pending().rows).toBe(2);

    await audit.flush();
    expect(audit.writes.stats.batches).toBe(batchesBefore + 1);
    expect(await rows('actor_id = $1 OR target_id = $1', ['usr_a'])).toEqual([
      { action: 'token.created', actor_id: 'usr_a', client_id: 'client_a', target_type: 'token', target_id: '42', ip: '203.0.113.9', user_agent: 'curl/8' },
      { action: 'login.failed', actor_id: null, client_id: null, target_type: 'user', target_id: 'usr_a', ip: '203.0.113.10', user_agent: null },
    ]);
  });

  it('cuts an over-long user agent instead of refusing the event, and keeps a good event when a bad one shares its batch', async () => {
    const audit = t.app.get(AuditLog);
    audit.record({ action: 'logout', actorId: 'usr_b', userAgent: 'x'.repeat(5000) });
    // Postgres refuses U+0000 in text: only this event is lost, never its neighbours.
    audit.record({ action: 'logout', actorId: 'usr_b', userAgent: 'bad\u0000agent' });
    audit.record({ action: 'session.ended', actorId: 'usr_b', targetType: 'session', targetId: 'ses_1' });
    const dropped = audit.writes.stats.dropped;
    await audit.flush();
    const stored = await rows('actor_id = $1', ['usr_b']);
    expect(stored.map((r) => [r.action, r.user_agent?.length ?? null])).toEqual([
      ['logout', 512],
      ['session.ended', null],
    ]);
    expect(audit.writes.stats.dropped).toBe(dropped + 1);
  });

  it('purges events older than AUDIT_RETENTION_DAYS and keeps newer ones', async () => {
    const audit = t.app.get(AuditLog);
    for (const target of ['old', 'older', 'recent']) audit.record({ action: 'member.added', actorId: 'usr_c', targetType: 'user', targetId: target });
    await audit.flush();
    await sql(t, `UPDATE audit_events SET created_at = now() - interval '31 days' WHERE actor_id = 'usr_c' AND target_id IN ('old', 'older')`);
    await sql(t, `UPDATE audit_events SET created_at = now() - interval '29 days' WHERE actor_id = 'usr_c' AND target_id = 'recent'`);
    expect(await audit.retention!.run()).toBe(2);
    expect((await rows('actor_id = $1', ['usr_c'])).map((r) => r.target_id)).toEqual(['recent']);
  });
});

describe('shutdown', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('writes the events still buffered when the app stops', async () => {
    const app = await startTestApp({ AUDIT_FLUSH_INTERVAL_MS: '60000' }, { db });
    app.app.get(AuditLog).record({ action: 'client.deleted', actorId: 'usr_d', clientId: 'client_d', targetType: 'client', targetId: 'client_d' });
    await app.close();
    const again = await startTestApp({}, { db });
    try {
      expect(await sql(again, `SELECT action, client_id FROM audit_events WHERE actor_id = 'usr_d'`)).toEqual([{ action: 'client.deleted', client_id: 'client_d' }]);
    } finally {
      await again.close();
    }
  });
});
