import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenRuns } from '../../src/modules/runs/open-runs.js';
import { RunRecorder } from '../../src/modules/runs/run-recorder.js';
import { UsageRecorder } from '../../src/modules/usage/usage-recorder.js';
import { call, callRaw, completion, ok, registerUser, userWithToken } from '@aius/test-support';
import { startTestApp } from '../support/test-app.js';
import { UPSTREAM_KEY } from '../proxy/support.js';
import { sql } from '../support/sql.js';
import { RunClient, SYSTEM_PROMPT, sleep, startRunHarness, userMessages, type RunHarness } from './support.js';

let h: RunHarness;
beforeAll(async () => {
  h = await startRunHarness({ RUN_DEFAULT_MODEL: 'gpt-fake', RUN_STORE_TRANSCRIPTS: 'true' });
});
afterAll(() => h.close());

async function flushed(app = h.t) {
  await app.app.get(RunRecorder).flush();
  await app.app.get(UsageRecorder).flush();
}

describe('runs are recorded and listed (GET /runs, GET /runs/{id})', () => {
  it('a run with a tool round-trip: its record, its calls as a timeline, its usage, its transcript (opted in)', async () => {
    h.upstream.script = (body) =>
      (body.messages as { role: string }[]).at(-1)!.role === 'tool'
        ? { json: completion('Done.') }
        : { json: completion('Looking.', [{ id: 't1', name: 'bash', arguments: '{}' }]) };
    const c = await RunClient.open(h.t);
    c.begin(h.user.token, { messages: userMessages, session_id: 'ses_hist', run_id: 'cli-run-7' });
    await c.frame(2);
    c.send({ type: 'tool_result', tool_call_id: 't1', result: 'ok' });
    await c.closed;
    await flushed();

    const list = await call(h.t.origin, 'listRuns', { query: { org_id: h.user.clientId }, as: { cookie: h.user.cookie } });
    expect(list.status).toBe(200);
    expect(ok(list).next_before).toBeNull();
    const [run] = ok(list).data;
    expect(run).toMatchObject({
      run_id: 'cli-run-7',
      session_id: 'ses_hist',
      org_id: h.user.clientId,
      user_id: h.user.user.id,
      user_email: h.user.email,
      token_id: h.user.tokenId,
      agent: 'build',
      model: 'gpt-fake',
      status: 'completed',
      iterations: 2,
      prompt_tokens: 22,
      total_tokens: 28,
    });
    expect(run!.id).toMatch(/^run_/);

    const detail = await call(h.t.origin, 'getRun', { params: { id: run!.id }, as: { cookie: h.user.cookie } });
    const [call1, call2] = ok(detail).calls;
    expect(call2!.offset_ms).toBeGreaterThanOrEqual(call1!.offset_ms + call1!.latency_ms);
    expect(ok(detail).calls.map((x) => [x.iteration, x.kind, x.status, x.tool_calls])).toEqual([
      [1, 'chat', 200, 1],
      [2, 'chat', 200, 0],
    ]);
    expect(ok(detail).transcript).toEqual([
      { role: 'system', content: SYSTEM_PROMPT },
      ...userMessages,
      { role: 'assistant', content: 'Looking.', tool_calls: [{ id: 't1', type: 'function', function: { name: 'bash', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 't1', content: 'ok' },
      { role: 'assistant', content: 'Done.' },
    ]);

    // Metered like chat-proxy calls, tagged with the run: GET /usage includes them.
    const events = await sql<{ run_id: string; status: number }>(h.t, 'SELECT run_id, status FROM usage_events WHERE token_id = $1', [h.user.tokenId]);
    expect(events).toEqual([
      { run_id: run!.id, status: 200 },
      { run_id: run!.id, status: 200 },
    ]);
    const usage = await call(h.t.origin, 'usage', { query: { org_id: h.user.clientId }, as: { cookie: h.user.cookie } });
    expect(ok(usage).totals).toMatchObject({ requests: 2, total_tokens: 28 });
  });

  it('a client that leaves is recorded as disconnected; an upstream failure as failed', async () => {
    h.upstream.script = () => ({ json: completion(null, [{ id: 'w', name: 'bash', arguments: '{}' }]) });
    const gone = await RunClient.open(h.t);
    gone.begin(h.user.token, { messages: userMessages, run_id: 'leaves' });
    await gone.frame(1);
    gone.close();
    await gone.closed;
    h.upstream.script = () => ({ status: 502, json: { error: { message: `bad gateway ${UPSTREAM_KEY}` } } });
    const failed = await RunClient.open(h.t);
    failed.begin(h.user.token, { messages: userMessages, run_id: 'fails' });
    await failed.closed;
    await new Promise((r) => setTimeout(r, 100));
    await flushed();
    const list = await call(h.t.origin, 'listRuns', { query: { org_id: h.user.clientId, limit: 2 }, as: { cookie: h.user.cookie } });
    expect(ok(list).data.map((r) => [r.run_id, r.status])).toEqual([
      ['fails', 'failed'],
      ['leaves', 'disconnected'],
    ]);
    // Cursor paging: the next page has the first run.
    const next = await call(h.t.origin, 'listRuns', { query: { org_id: h.user.clientId, limit: 2, before: ok(list).next_before! }, as: { cookie: h.user.cookie } });
    expect(ok(next).data.map((r) => r.run_id)).toEqual(['cli-run-7']);
    expect(ok(next).next_before).toBeNull();
  });

  it('members only: another user gets 403 on the list and on a run, an unknown id 404, a bad cursor 400', async () => {
    const other = await registerUser(h.t.origin);
    const list = await call(h.t.origin, 'listRuns', { query: { org_id: h.user.clientId }, as: { cookie: h.user.cookie } });
    expect((await call(h.t.origin, 'listRuns', { query: { org_id: h.user.clientId }, as: { cookie: other.cookie } })).status).toBe(403);
    expect((await call(h.t.origin, 'getRun', { params: { id: ok(list).data[0]!.id }, as: { cookie: other.cookie } })).status).toBe(403);
    expect((await call(h.t.origin, 'getRun', { params: { id: 'run_doesnotexist' }, as: { cookie: h.user.cookie } })).status).toBe(404);
    expect((await call(h.t.origin, 'listRuns', { query: { org_id: h.user.clientId, before: 'garbage' }, as: { cookie: h.user.cookie } })).body).toMatchObject({ detail: { code: 'INVALID_REQUEST' } });
    expect((await callRaw(h.t.origin, 'listRuns', { as: { cookie: h.user.cookie } })).body).toMatchObject({ detail: { code: 'MISSING_ORG_ID' } });
  });

  it('without RUN_STORE_TRANSCRIPTS no message content is stored', async () => {
    const plain = await startRunHarness({ RUN_DEFAULT_MODEL: 'gpt-fake' });
    try {
      plain.upstream.script = () => ({ json: completion('secret answer') });
      const c = await RunClient.open(plain.t);
      c.begin(plain.user.token, { messages: [{ role: 'user', content: 'my secret prompt' }] });
      await c.closed;
      await flushed(plain.t);
      const rows = await sql<Record<string, unknown>>(plain.t, 'SELECT * FROM runs');
      expect(rows).toHaveLength(1);
      expect(rows[0]!.transcript).toBeNull();
      expect(JSON.stringify(rows)).not.toContain('secret');
    } finally {
      await plain.close();
    }
  });
});

describe('two instances with Redis', () => {
  it('a token revoked on one is refused by a run opened on the other', async () => {
    const a = h.t;
    const b = await startTestApp(
      { UPSTREAMS: JSON.stringify([{ name: 'fake', base_url: h.upstream.url, api_key: UPSTREAM_KEY }]), RUN_DEFAULT_MODEL: 'gpt-fake' },
      { db: a.db, redisPrefix: a.config.REDIS_PREFIX },
    );
    try {
      // The agents seeded through A are in the shared database: B serves them too.
      const u = await userWithToken(a.origin);
      h.upstream.script = () => ({ json: completion('fine') });
      // Warm on B first, so B holds the token in its cache when A revokes it.
      const warm = await RunClient.open(b);
      warm.begin(u.token, { messages: userMessages });
      expect((await warm.closed).code).toBe(1000);
      expect((await call(a.origin, 'revokeToken', { params: { id: String(u.tokenId) }, as: { cookie: u.cookie } })).status).toBe(200);
      const c = await RunClient.open(b);
      c.begin(u.token, { messages: userMessages });
      expect(await c.closed).toEqual({ code: 1008, reason: 'invalid token' });
      expect(c.frames).toEqual([]);
    } finally {
      await b.close();
    }
  });

  it('one run per session across instances: of two starts at the same moment on two instances, exactly the later stays open', async () => {
    const a = h.t;
    const b = await startTestApp({}, { db: a.db, redisPrefix: a.config.REDIS_PREFIX });
    try {
      const ended: string[] = [];
      const holder = (key: string) => ({ key, endReplaced: () => ended.push(key) });
      // Both claim before either hears of the other (pub/sub takes a round trip).
      a.app.get(OpenRuns).claimSession('ses_race', holder('run_on_a'));
      b.app.get(OpenRuns).claimSession('ses_race', holder('run_on_b'));
      await sleep(300);
      expect(ended).toHaveLength(1);
      // A later start, on either instance, ends the survivor and only it.
      const survivor = ended[0] === 'run_on_a' ? 'run_on_b' : 'run_on_a';
      await sleep(5);
      a.app.get(OpenRuns).claimSession('ses_race', holder('run_newest'));
      await sleep(300);
      expect(ended).toEqual([ended[0], survivor]);
    } finally {
      await b.close();
    }
  });
});
