import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PURGE_BATCH } from '../../src/database/expired-rows-purge.js';
import { UsageRecorder } from '../../src/modules/usage/usage-recorder.js';
import { call, ok, startFakeUpstream, type FakeUpstream, userWithToken } from '@aius/test-support';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { upstreamsEnv } from '../proxy/support.js';
import { sql } from '../support/sql.js';

let upstream: FakeUpstream;
let t: TestApp;
beforeAll(async () => {
  upstream = await startFakeUpstream();
  t = await startTestApp(upstreamsEnv(upstream, { USAGE_FLUSH_INTERVAL_MS: '60000', USAGE_EVENTS_RETENTION_DAYS: '30' }));
});
afterAll(async () => {
  await t?.close();
  await upstream?.close();
});

describe('usage events retention', () => {
  it('deletes raw events older than USAGE_EVENTS_RETENTION_DAYS in batches, keeps newer ones, and leaves the totals alone', async () => {
    const user = await userWithToken(t.origin);
    const sdk = new OpenAI({ baseURL: t.base, apiKey: user.token, maxRetries: 0 });
    for (let i = 0; i < 3; i++) await sdk.chat.completions.create({ model: 'gpt-fake', messages: [] });
    const recorder = t.app.get(UsageRecorder);
    await recorder.flush();
    const usage = async () => ok(await call(t.origin, 'usage', { query: { org_id: user.clientId }, as: { cookie: user.cookie } })).totals;
    const before = await usage();
    expect(before.requests).toBe(3);

    // Two of the calls are now 31 days old, one 29; plus a backlog bigger than one batch.
    const ids = (await sql<{ id: string }>(t, 'SELECT id FROM usage_events WHERE client_id = $1 ORDER BY id', [user.clientId])).map((r) => r.id);
    await sql(t, `UPDATE usage_events SET created_at = now() - interval '31 days' WHERE id = ANY($1::bigint[])`, [ids.slice(0, 2)]);
    await sql(t, `UPDATE usage_events SET created_at = now() - interval '29 days' WHERE id = $1`, [ids[2]]);
    const backlog = PURGE_BATCH + 7;
    await sql(
      t,
      `INSERT INTO usage_events (token_id, user_id, client_id, model, latency_ms, status, created_at)
       SELECT $1, $2, $3, 'gpt-fake', 1, 200, now() - interval '400 days' FROM generate_series(1, $4::int)`,
      [user.tokenId, user.user.id, user.clientId, backlog],
    );

    expect(await recorder.retention!.run()).toBe(backlog + 2);
    const left = await sql<{ id: string }>(t, 'SELECT id FROM usage_events WHERE client_id = $1', [user.clientId]);
    expect(left.map((r) => r.id)).toEqual([ids[2]]);
    // The endpoint reads the daily rollups, which are kept.
    expect(await usage()).toEqual(before);
    expect(await recorder.retention!.run()).toBe(0);
  });
});
