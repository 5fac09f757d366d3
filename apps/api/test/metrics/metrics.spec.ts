import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricsServer } from '../../src/metrics/metrics-server.js';
import { MetricsService } from '../../src/metrics/metrics.service.js';
import { UsageRecorder } from '../../src/modules/usage/usage-recorder.js';
import { FAKE_PROMPT_TOKENS, call, startFakeUpstream, type FakeUpstream, sparePort, userWithToken, type TokenHolder } from '@aius/test-support';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { upstreamsEnv } from '../proxy/support.js';
import { metricValue, metricsUrl as metricsUrlOf } from '../support/metrics.js';

let upstream: FakeUpstream;
let t: TestApp;
let holder: TokenHolder;
let metricsUrl: string;

const chat = (model: string, token = holder.token) =>
  fetch(`${t.base}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'say three words' }] }),
  });

async function scrape(): Promise<string> {
  const res = await fetch(metricsUrl);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
}

beforeAll(async () => {
  upstream = await startFakeUpstream();
  const dead = await sparePort();
  t = await startTestApp({
    ...upstreamsEnv(upstream),
    UPSTREAMS: JSON.stringify([
      { name: 'fake', base_url: upstream.url, models: ['gpt-fake', 'fake-500'] },
      { name: 'down', base_url: `http://127.0.0.1:${dead}`, models: ['gone-model'] },
      { name: 'anything', base_url: upstream.url },
    ]),
    METRICS_PORT: '0',
    METRICS_MAX_MODELS: '4',
  });
  metricsUrl = metricsUrlOf(t);
  holder = await userWithToken(t.origin);
});
afterAll(async () => {
  await t?.close();
  await upstream?.close();
});

describe('GET /metrics (METRICS_PORT)', () => {
  it('is served on its own port only, never on the API port', async () => {
    expect(t.app.get(MetricsServer).port).not.toBe(Number(new URL(t.origin).port));
    expect((await fetch(`${t.origin}/metrics`)).status).toBe(404);
    expect((await fetch(`${t.base}/metrics`)).status).toBe(404);
  });

  it('counts requests by route template, method, status and credential kind, with latency histograms', async () => {
    for (let i = 0; i < 3; i++) await call(t.origin, 'listClients', { as: { bearer: holder.token } });
    await call(t.origin, 'getProject', { params: { id: 'proj_nope' }, as: { cookie: holder.cookie } });
    await call(t.origin, 'listClients', { as: { bearer: 'aius_not-a-real-token' } });
    const text = await scrape();
    expect(metricValue(text, 'aius_http_requests_total', { route: '/api/v1/clients', method: 'GET', status: '200', credential: 'bearer' })).toBe(3);
    expect(metricValue(text, 'aius_http_requests_total', { route: '/api/v1/projects/:id', status: '404', credential: 'session' })).toBe(1);
    expect(metricValue(text, 'aius_http_requests_total', { route: '/api/v1/clients', status: '401', credential: 'none' })).toBe(1);
    expect(metricValue(text, 'http_server_request_duration_seconds_count', { http_route: '/api/v1/clients', http_request_method: 'GET', http_response_status_code: '200' })).toBe(3);
    expect(metricValue(text, 'http_server_request_duration_seconds_bucket', { http_route: '/api/v1/clients', le: '+Inf' })).toBeGreaterThanOrEqual(3);
  });

  it('records upstream calls under the OpenTelemetry GenAI names, with errors per upstream', async () => {
    expect((await chat('gpt-fake')).status).toBe(200);
    expect((await chat('fake-500')).status).toBe(500);
    expect((await chat('gone-model')).status).toBe(503);
    const text = await scrape();
    const ok = { gen_ai_operation_name: 'chat', gen_ai_provider_name: 'fake', gen_ai_request_model: 'gpt-fake' };
    expect(metricValue(text, 'gen_ai_client_operation_duration_seconds_count', { ...ok, error_type: '' })).toBe(1);
    expect(metricValue(text, 'gen_ai_client_token_usage_sum', { ...ok, gen_ai_token_type: 'input' })).toBe(FAKE_PROMPT_TOKENS);
    expect(metricValue(text, 'gen_ai_client_token_usage_count', { ...ok, gen_ai_token_type: 'output' })).toBe(1);
    expect(metricValue(text, 'aius_upstream_errors_total', { upstream: 'fake', error_type: '500' })).toBe(1);
    expect(metricValue(text, 'aius_upstream_errors_total', { upstream: 'down', error_type: 'unreachable' })).toBe(1);
  });

  it('keeps client-chosen model names bounded', async () => {
    for (const model of ['m-1', 'm-2', 'm-3', 'm-4', 'm-5']) await chat(model);
    const text = await scrape();
    const models = new Set([...text.matchAll(/gen_ai_request_model="([^"]*)"/g)].map((m) => m[1]));
    // Four distinct names kept (gpt-fake, fake-500, gone-model, m-1), every later one is `other`.
    expect(models).toEqual(new Set(['gpt-fake', 'fake-500', 'gone-model', 'm-1', 'other']));
  });

  it('reads limiter decisions, token-cache outcomes, usage flushes and dependencies at scrape time', async () => {
    await t.app.get(UsageRecorder).flush();
    const text = await scrape();
    const decisions = ['credits', 'redis', 'memory'].map((where) => metricValue(text, 'aius_rate_limit_decisions_total', { where }) ?? NaN);
    expect(decisions.every(Number.isFinite)).toBe(true);
    expect(decisions.reduce((a, b) => a + b, 0)).toBeGreaterThan(10);
    expect(metricValue(text, 'aius_token_cache_lookups_total', { result: 'hit' })).toBeGreaterThan(0);
    expect(metricValue(text, 'aius_token_cache_lookups_total', { result: 'miss' })).toBeGreaterThan(0);
    expect(metricValue(text, 'aius_usage_flush_batches_total')).toBeGreaterThanOrEqual(1);
    expect(metricValue(text, 'aius_usage_flush_events_total')).toBeGreaterThanOrEqual(8);
    expect(metricValue(text, 'aius_usage_events_pending')).toBe(0);
    // Credits are off here (BILLING_MODE=off): no credit series at all.
    expect(text).not.toContain('aius_credit_');
    expect(metricValue(text, 'aius_dependency_up', { dependency: 'postgres' })).toBe(1);
    expect(metricValue(text, 'aius_dependency_up', { dependency: 'redis' })).toBe(1);
    expect(text).toContain('nodejs_eventloop_lag_seconds');
  });

  it('exposes the open run-socket gauge other modules set', async () => {
    const gauge = t.app.get(MetricsService).openRunSockets;
    gauge.inc();
    gauge.inc();
    gauge.dec();
    expect(metricValue(await scrape(), 'aius_run_sockets_open')).toBe(1);
    gauge.dec();
  });

  it('never labels a series with a token, user or client id', async () => {
    const text = await scrape();
    for (const secretish of [holder.token, holder.user.id, holder.clientId, holder.email]) {
      expect(text.includes(`"${secretish}"`), secretish).toBe(false);
    }
    const ours = text.split('\n').filter((l) => /^(aius_|gen_ai_|http_server_)/.test(l));
    const labelNames = new Set(ours.flatMap((l) => [...(/\{(.*)\}/.exec(l)?.[1] ?? '').matchAll(/([a-z_]+)="/g)].map((m) => m[1])));
    expect([...labelNames].sort()).toEqual(
      ['credential', 'dependency', 'error_type', 'gen_ai_operation_name', 'gen_ai_provider_name', 'gen_ai_request_model', 'gen_ai_token_type',
        'http_request_method', 'http_response_status_code', 'http_route', 'le', 'method', 'result', 'route', 'status', 'upstream', 'where'].sort(),
    );
  });
});

describe('metrics off (no METRICS_PORT, the default)', () => {
  it('opens no port and records nothing', async () => {
    const off = await startTestApp();
    try {
      expect(off.app.get(MetricsServer).port).toBeNull();
      const metrics = off.app.get(MetricsService);
      await call(off.origin, 'health');
      expect(metrics.enabled).toBe(false);
      expect(await metrics.registry.metrics()).not.toContain('aius_http_requests_total{');
    } finally {
      await off.close();
    }
  });
});

describe('METRICS_PROCESS=false', () => {
  it("leaves prom-client's process and Node.js metrics out and keeps AIUS's own", async () => {
    const lean = await startTestApp({ METRICS_PORT: '0', METRICS_PROCESS: 'false' });
    try {
      await call(lean.origin, 'health');
      const text = await (await fetch(metricsUrlOf(lean))).text();
      expect(text).toContain('aius_http_requests_total{');
      expect(text).not.toMatch(/^(process_|nodejs_)/m);
    } finally {
      await lean.close();
    }
  });
});
