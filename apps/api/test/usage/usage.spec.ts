import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageRecorder } from '../../src/modules/usage/usage-recorder.js';
import { FAKE_PROMPT_TOKENS, callRaw, ok, startFakeUpstream, type As, type FakeUpstream, registerUser, userWithToken, type TokenHolder } from '@aius/test-support';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { upstreamsEnv } from '../proxy/support.js';
import { sql } from '../support/sql.js';

let upstream: FakeUpstream;
let t: TestApp;
let alice: TokenHolder;

// A long flush interval: each test decides when the buffer is written.
const env = (u: FakeUpstream) => upstreamsEnv(u, { USAGE_FLUSH_INTERVAL_MS: '60000' });

beforeAll(async () => {
  upstream = await startFakeUpstream();
  t = await startTestApp(env(upstream));
  alice = await userWithToken(t.origin);
});
afterAll(async () => {
  await t?.close();
  await upstream?.close();
});

const flush = (app: TestApp = t) => app.app.get(UsageRecorder).flush();
const today = () => new Date().toISOString().slice(0, 10);

/** GET /usage with a query string as a client writes it (some of them malformed on purpose). */
const getUsage = (query: string, as: As) => callRaw(t.origin, 'usage', { query: Object.fromEntries(new URLSearchParams(query)), as });

describe('usage metering', () => {
  it('records each call after the flush and GET /usage totals it per day and model', async () => {
    const user = await userWithToken(t.origin);
    const sdk = new OpenAI({ baseURL: t.base, apiKey: user.token, maxRetries: 0 });
    await sdk.chat.completions.create({ model: 'gpt-fake', messages: [{ role: 'user', content: 'a' }] });
    await sdk.chat.completions.create({ model: 'gpt-fake-mini', messages: [{ role: 'user', content: 'b' }] });
    // A stream's usage comes from its final chunk.
    for await (const chunk of await sdk.chat.completions.create({
      model: 'gpt-fake',
      messages: [],
      stream: true,
      stream_options: { include_usage: true },
    }))
      void chunk;
    await expect(sdk.chat.completions.create({ model: 'fake-500', messages: [] })).rejects.toMatchObject({ status: 500 });

    expect(ok(await getUsage(`org_id=${user.clientId}`, { cookie: user.cookie })).totals.requests).toBe(0);
    await flush();

    const answer = await getUsage(`org_id=${user.clientId}`, { cookie: user.cookie });
    expect(answer.status).toBe(200);
    const body = ok(answer);
    const perCall = { prompt: FAKE_PROMPT_TOKENS, completion: 5 };
    expect(body.totals).toEqual({
      requests: 4,
      failed_requests: 1,
      prompt_tokens: 3 * perCall.prompt,
      completion_tokens: 3 * perCall.completion,
      total_tokens: 3 * (perCall.prompt + perCall.completion),
    });
    expect(body.daily).toHaveLength(30);
    expect(body.daily.at(-1)).toEqual({ date: today(), requests: 4, failed_requests: 1, total_tokens: 3 * (perCall.prompt + perCall.completion) });
    expect(body.daily.slice(0, -1).every((d: { requests: number }) => d.requests === 0)).toBe(true);
    expect(body.by_model).toEqual([
      { model: 'gpt-fake', requests: 2, failed_requests: 0, prompt_tokens: 22, completion_tokens: 10, total_tokens: 32 },
      { model: 'gpt-fake-mini', requests: 1, failed_requests: 0, prompt_tokens: 11, completion_tokens: 5, total_tokens: 16 },
      { model: 'fake-500', requests: 1, failed_requests: 1, prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
    ]);

    const events = await sql<{ token_id: number; user_id: string; client_id: string; status: number; latency_ms: number }>(
      t,
      'SELECT token_id, user_id, client_id, status, latency_ms FROM usage_events WHERE client_id = $1 ORDER BY id',
      [user.clientId],
    );
    expect(events.map((e) => e.status)).toEqual([200, 200, 200, 500]);
    expect(events.every((e) => e.token_id === user.tokenId && e.user_id === user.user.id && e.latency_ms >= 0)).toBe(true);
    const [daily] = await sql<{ errors: number }>(t, 'SELECT sum(errors)::int AS errors FROM usage_daily WHERE client_id = $1', [user.clientId]);
    expect(daily!.errors).toBe(1);
  });

  it('keeps both rollups equal to the events they summarise', async () => {
    const sdk = new OpenAI({ baseURL: t.base, apiKey: alice.token, maxRetries: 0 });
    await Promise.all(Array.from({ length: 30 }, (_, i) => sdk.chat.completions.create({ model: i % 3 ? 'gpt-fake' : 'gpt-fake-mini', messages: [] })));
    await flush();
    await Promise.all(Array.from({ length: 10 }, () => sdk.chat.completions.create({ model: 'gpt-fake', messages: [] })));
    await flush();
    const mismatches = await sql(
      t,
      `SELECT * FROM (
         SELECT client_id, (created_at AT TIME ZONE 'UTC')::date AS day, coalesce(project_id, '') AS project_id, token_id, model,
                count(*)::int AS requests, sum(total_tokens)::bigint AS total, sum(latency_ms)::bigint AS latency
         FROM usage_events GROUP BY 1, 2, 3, 4, 5) e
       FULL JOIN usage_daily d USING (client_id, day, project_id, token_id, model)
       WHERE e.requests IS DISTINCT FROM d.requests OR e.total IS DISTINCT FROM d.total_tokens OR e.latency IS DISTINCT FROM d.latency_ms_sum`,
    );
    expect(mismatches).toEqual([]);
    const clientMismatches = await sql(
      t,
      `SELECT * FROM (
         SELECT client_id, (created_at AT TIME ZONE 'UTC')::date AS day, model, count(*)::int AS requests,
                sum(prompt_tokens)::bigint AS prompt, sum(total_tokens)::bigint AS total, sum(latency_ms)::bigint AS latency
         FROM usage_events GROUP BY 1, 2, 3) e
       FULL JOIN usage_client_daily d USING (client_id, day, model)
       WHERE e.requests IS DISTINCT FROM d.requests OR e.prompt IS DISTINCT FROM d.prompt_tokens
          OR e.total IS DISTINCT FROM d.total_tokens OR e.latency IS DISTINCT FROM d.latency_ms_sum`,
    );
    expect(clientMismatches).toEqual([]);
  });

  it('records the x-aius-project-id label and filters GET /usage by project', async () => {
    const user = await userWithToken(t.origin);
    for (const project of ['proj_alpha', 'proj_alpha', undefined]) {
      const res = await fetch(`${t.base}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json', ...(project ? { 'x-aius-project-id': project } : {}) },
        body: JSON.stringify({ model: 'gpt-fake', messages: [] }),
      });
      expect(res.status).toBe(200);
    }
    const malformed = await fetch(`${t.base}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json', 'x-aius-project-id': 'no spaces allowed' },
      body: JSON.stringify({ model: 'gpt-fake', messages: [] }),
    });
    expect(malformed.status).toBe(400);
    await flush();
    expect(ok(await getUsage(`org_id=${user.clientId}`, { cookie: user.cookie })).totals.requests).toBe(3);
    expect(ok(await getUsage(`org_id=${user.clientId}&project_id=proj_alpha`, { cookie: user.cookie })).totals.requests).toBe(2);
  });

  it('writes nothing for bad bearers or rejected requests', async () => {
    const user = await userWithToken(t.origin);
    const attempts = [
      { authorization: 'Bearer aius_notARealToken', body: { model: 'gpt-fake', messages: [] } },
      { authorization: 'Basic Zm9vOmJhcg==', body: { model: 'gpt-fake', messages: [] } },
      { authorization: `Bearer ${user.token}`, body: { model: 'gpt-fake' } },
      { authorization: `Bearer ${user.token}`, body: { model: 'unknown-model', messages: [] } },
    ];
    for (let i = 0; i < 5; i++) {
      for (const a of attempts) {
        const res = await fetch(`${t.base}/chat/completions`, {
          method: 'POST',
          headers: { authorization: a.authorization, 'content-type': 'application/json' },
          body: JSON.stringify(a.body),
        });
        expect(res.status).toBeGreaterThanOrEqual(400);
      }
    }
    await flush();
    const [events] = await sql<{ n: number }>(t, 'SELECT count(*)::int AS n FROM usage_events WHERE token_id = $1', [user.tokenId]);
    expect(events!.n).toBe(0);
    expect(ok(await getUsage(`org_id=${user.clientId}`, { cookie: user.cookie })).totals.requests).toBe(0);
  });

  it('writes what is still buffered when the app shuts down', async () => {
    const other = await startTestApp(env(upstream));
    const user = await userWithToken(other.origin);
    await new OpenAI({ baseURL: other.base, apiKey: user.token, maxRetries: 0 }).chat.completions.create({ model: 'gpt-fake', messages: [] });
    const db = other.db;
    await other.app.close();
    const rows = await sql<{ requests: number }>({ ...other, db }, 'SELECT requests FROM usage_daily WHERE token_id = $1', [user.tokenId]);
    expect(rows).toEqual([{ requests: 1 }]);
    await db.drop();
  });
});

describe('GET /usage', () => {
  it('is for members of the client, with a session or a bearer token', async () => {
    const outsider = await registerUser(t.origin);
    expect(await getUsage(`org_id=${alice.clientId}`, { cookie: outsider.cookie })).toMatchObject({ status: 403, body: { detail: { code: 'NO_ACCESS' } } });
    expect(await getUsage('org_id=client_doesnotexist', { cookie: alice.cookie })).toMatchObject({ status: 404, body: { detail: { code: 'NOT_FOUND' } } });
    expect(await getUsage('', { cookie: alice.cookie })).toMatchObject({ status: 400, body: { detail: { code: 'MISSING_ORG_ID' } } });
    expect(await getUsage(`org_id=${alice.clientId}`, {})).toMatchObject({ status: 401, body: { detail: { code: 'UNAUTHENTICATED' } } });
    expect((await getUsage(`org_id=${alice.clientId}`, { bearer: alice.token })).status).toBe(200);
  });

  it('sums the rollups of the range exactly, per day and per model, for the client or one project', async () => {
    const user = await userWithToken(t.origin);
    // Rollup rows as flushes leave them: days inside and outside the range, two models, two projects
    // (and none), two tokens, counters past 2^31, and a neighbouring client's rows on the same days.
    const rows: [string, string, string, string, number, number, number, number, number][] = [];
    const big = 3_000_000_000;
    for (const [clientId, day, project, model, token] of [
      [user.clientId, '2026-03-01', '', 'm-a', 1], [user.clientId, '2026-03-01', 'proj_x', 'm-a', 2], [user.clientId, '2026-03-01', 'proj_x', 'm-b', 1],
      [user.clientId, '2026-03-02', 'proj_y', 'm-b', 1], [user.clientId, '2026-03-04', 'proj_x', 'm-a', 1],
      [user.clientId, '2026-02-28', 'proj_x', 'm-a', 1], [user.clientId, '2026-03-05', '', 'm-b', 1],
      ['client_neighbour', '2026-03-01', 'proj_x', 'm-a', 1],
    ] as const) {
      const n = rows.length + 1;
      rows.push([clientId, day, project, model, token, n, n % 2, big + n, 7 * n]);
    }
    for (const [clientId, day, project, model, token, requests, errors, prompt, completion] of rows) {
      await sql(t, `INSERT INTO usage_daily (client_id, day, project_id, token_id, model, requests, errors, prompt_tokens, completion_tokens, total_tokens, latency_ms_sum)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $8::bigint + $9, 0)`, [clientId, day, project, token, model, requests, errors, prompt, completion]);
      await sql(t, `INSERT INTO usage_client_daily AS d (client_id, day, model, requests, errors, prompt_tokens, completion_tokens, total_tokens, latency_ms_sum)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $6::bigint + $7, 0)
                    ON CONFLICT (client_id, day, model) DO UPDATE SET requests = d.requests + EXCLUDED.requests, errors = d.errors + EXCLUDED.errors,
                      prompt_tokens = d.prompt_tokens + EXCLUDED.prompt_tokens, completion_tokens = d.completion_tokens + EXCLUDED.completion_tokens,
                      total_tokens = d.total_tokens + EXCLUDED.total_tokens`, [clientId, day, model, requests, errors, prompt, completion]);
    }

    /** What GET /usage must answer for 2026-03-01 … 2026-03-04, computed here from the rows themselves. */
    const expected = (project?: string) => {
      const inRange = rows.filter(([c, day, p]) => c === user.clientId && day >= '2026-03-01' && day <= '2026-03-04' && (project === undefined || p === project));
      const sum = (of: typeof inRange) => ({
        requests: of.reduce((a, r) => a + r[5], 0),
        failed_requests: of.reduce((a, r) => a + r[6], 0),
        prompt_tokens: of.reduce((a, r) => a + r[7], 0),
        completion_tokens: of.reduce((a, r) => a + r[8], 0),
        total_tokens: of.reduce((a, r) => a + r[7] + r[8], 0),
      });
      const models = [...new Set(inRange.map((r) => r[3]))];
      return {
        totals: sum(inRange),
        daily: ['2026-03-01', '2026-03-02', '2026-03-03', '2026-03-04'].map((date) => {
          const { requests, failed_requests, total_tokens } = sum(inRange.filter((r) => r[1] === date));
          return { date, requests, failed_requests, total_tokens };
        }),
        by_model: models.map((model) => ({ model, ...sum(inRange.filter((r) => r[3] === model)) })).sort((a, b) => b.total_tokens - a.total_tokens),
      };
    };
    const range = `org_id=${user.clientId}&from=2026-03-01&to=2026-03-04`;
    expect(ok(await getUsage(range, { bearer: user.token }))).toEqual(expected());
    expect(ok(await getUsage(`${range}&project_id=proj_x`, { bearer: user.token }))).toEqual(expected('proj_x'));
    expect(ok(await getUsage(`${range}&project_id=proj_none`, { bearer: user.token }))).toEqual({ ...expected('proj_none'), by_model: [] });
  });

  it('takes an inclusive range of days or unix seconds, and refuses a reversed or over-long one', async () => {
    const r = await getUsage(`org_id=${alice.clientId}&from=2026-01-30&to=2026-02-02`, { cookie: alice.cookie });
    expect(ok(r).daily.map((d) => d.date)).toEqual(['2026-01-30', '2026-01-31', '2026-02-01', '2026-02-02']);
    const seconds = await getUsage(`org_id=${alice.clientId}&from=${Date.UTC(2026, 0, 30, 15) / 1000}&to=${Date.UTC(2026, 1, 2, 1) / 1000}`, { cookie: alice.cookie });
    expect(ok(seconds).daily).toEqual(ok(r).daily);
    for (const q of ['from=2026-02-02&to=2026-01-30', 'from=2024-01-01&to=2026-01-01', 'from=2026-02-30', 'from=yesterday']) {
      expect(await getUsage(`org_id=${alice.clientId}&${q}`, { cookie: alice.cookie })).toMatchObject({ status: 400, body: { detail: { code: 'INVALID_REQUEST' } } });
    }
  });
});
