import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageRecorder } from '../../src/modules/usage/usage-recorder.js';
import { captureLogs } from '../faults/log-capture.js';
import { startFakeUpstream, type FakeUpstream, userWithToken, type TokenHolder } from '@aius/test-support';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { upstreamsEnv } from '../proxy/support.js';
import { sql } from '../support/sql.js';

/**
 * One bad call must never cost other users their usage (issue 12, item 1). Each chat call of
 * the victims lands in the same flush as the poisoned one; the flush is one statement, so
 * before the fix the whole batch was refused and every victim's event was dropped.
 */
let upstream: FakeUpstream;
let t: TestApp;

beforeAll(async () => {
  upstream = await startFakeUpstream();
  // The catch-all upstream routes any model id, so a poisoned id reaches the recorder unless the contract refuses it.
  t = await startTestApp({
    ...upstreamsEnv(upstream),
    UPSTREAMS: JSON.stringify([{ name: 'any', base_url: upstream.url }]),
    USAGE_FLUSH_INTERVAL_MS: '60000',
  });
});
afterAll(async () => {
  await t?.close();
  await upstream?.close();
});

const chat = (holder: TokenHolder, body: string, headers: Record<string, string> = {}) =>
  fetch(`${t.base}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${holder.token}`, ...headers },
    body,
  });
const chatWith = (holder: TokenHolder, model: string, headers?: Record<string, string>) =>
  chat(holder, JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }), headers);

async function storedEvents(clientIds: string[]): Promise<number> {
  const rows = await sql<{ n: string }>(t, `SELECT count(*)::text AS n FROM usage_events WHERE client_id = ANY($1)`, [clientIds]);
  return Number(rows[0]!.n);
}

async function victims(n: number): Promise<TokenHolder[]> {
  const out: TokenHolder[] = [];
  for (let i = 0; i < n; i++) out.push(await userWithToken(t.origin));
  return out;
}

describe('a poisoned chat call next to good ones', () => {
  it('is refused with 400 INVALID_REQUEST when its model cannot be stored or is over 256 characters, and every good call is kept', async () => {
    const good = await victims(20);
    const attacker = await userWithToken(t.origin);
    const poisons = {
      nul: 'gpt\u0000x',
      'lone high surrogate': 'gpt\ud800x',
      'lone low surrogate': '\udc00gpt',
      '257 characters': 'm'.repeat(257),
      '100 KB': 'm'.repeat(100_000),
    };
    for (const [i, v] of good.entries()) {
      expect((await chatWith(v, `gpt-fake-${i % 3}`)).status).toBe(200);
    }
    for (const [name, model] of Object.entries(poisons)) {
      const res = await chatWith(attacker, model);
      expect({ name, status: res.status, body: await res.json() }).toEqual({
        name,
        status: 400,
        body: { detail: { code: 'INVALID_REQUEST', message: expect.any(String) } },
      });
    }
    // 256 characters of ordinary text is a valid model id.
    expect((await chatWith(attacker, 'm'.repeat(256))).status).toBe(200);
    await t.app.get(UsageRecorder).flush();
    expect(await storedEvents(good.map((v) => v.clientId))).toBe(20);
    expect(await storedEvents([attacker.clientId])).toBe(1);
  });

  it('refuses a project label that is too long or not a plain id, before anything is recorded', async () => {
    const user = await userWithToken(t.origin);
    for (const label of ['p'.repeat(8 * 1024), 'proj\u00e9', 'a b']) {
      const res = await chatWith(user, 'gpt-fake', { 'x-aius-project-id': label });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { detail: { code: string } }).detail.code).toBe('INVALID_REQUEST');
    }
    await t.app.get(UsageRecorder).flush();
    expect(await storedEvents([user.clientId])).toBe(0);
  });
});

describe('a usage flush the database refuses in part', () => {
  it('stores the 20 good events of other users and drops only the bad one, logging the reason once', async () => {
    const good = await victims(20);
    for (const v of good) expect((await chatWith(v, 'gpt-fake')).status).toBe(200);
    const recorder = t.app.get(UsageRecorder);
    // Past the contract's checks (a future field, a bug): an event Postgres cannot take, in the
    // middle of the buffered batch.
    const poisoned = { ...good[0]!, clientId: 'client_poisoned' };
    recorder.record({
      tokenId: poisoned.tokenId, userId: poisoned.user.id, clientId: poisoned.clientId, projectId: null, model: 'bad\ud800',
      promptTokens: 1, completionTokens: 1, totalTokens: 2, latencyMs: 1, status: 200, at: Date.now(),
    });
    for (const v of good.slice(0, 5)) expect((await chatWith(v, 'gpt-fake-mini')).status).toBe(200);
    const logs = captureLogs();
    try {
      await recorder.flush();
    } finally {
      logs.stop();
    }
    expect(await storedEvents(good.map((v) => v.clientId))).toBe(25);
    expect(await storedEvents(['client_poisoned'])).toBe(0);
    // The rollups agree with the events: each sub-batch is still one statement.
    const [rollup] = await sql<{ n: string }>(t, `SELECT coalesce(sum(requests), 0)::text AS n FROM usage_client_daily WHERE client_id = ANY($1)`, [
      good.map((v) => v.clientId),
    ]);
    expect(Number(rollup!.n)).toBe(25);
    expect(logs.count(/usage.*(rejected|dropped)/i)).toBe(1);
  });
});
