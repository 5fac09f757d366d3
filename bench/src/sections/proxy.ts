import { createRequire } from 'node:module';
import path from 'node:path';
import type { BenchContext } from '../context.js';
import type { Load, Measurement } from '../measure.js';
import { LOADGEN_CPU, SERVER_CPU, sparePort } from '../processes.js';
import { mintAiusToken } from './aius.js';
import { seedUsage } from './usage-seed.js';

const UPSTREAM_KEY = 'sk-bench-upstream';
const CHAT_BODY = JSON.stringify({ model: 'gpt-fake', messages: [{ role: 'user', content: 'Say hello' }] });
const DAY_MS = 86_400_000;
/** Sequential GET /usage calls timed (enough for a p99 that is not the second-slowest call). */
const USAGE_CALLS = 1000;

interface Target {
  name: string;
  url: string;
  headers: Record<string, string>;
}

/**
 * The chat proxy, all against one fake OpenAI-compatible upstream (its own process): called
 * directly, through AIUS (bearer auth, per-token rate limit and usage metering on), and
 * through the Portkey gateway (`@portkey-ai/gateway`, routed with `x-portkey-custom-host`).
 * For each: throughput at saturation, then p50/p99 at a fixed BENCH_PROXY_RATE (500 req/s).
 * Then GET /usage for 90 days after seeding BENCH_USAGE_EVENTS (1 000 000) usage events.
 */
export async function proxySection(ctx: BenchContext): Promise<Measurement[]> {
  const rate = Number(process.env.BENCH_PROXY_RATE ?? 500);
  const events = Number(process.env.BENCH_USAGE_EVENTS ?? 1_000_000);

  ctx.log('starting the fake upstream');
  const upstreamPort = await sparePort();
  const upstreamUrl = `http://127.0.0.1:${upstreamPort}/v1`;
  await ctx.startServer(
    'fake upstream',
    process.execPath,
    ['--import', 'tsx', path.join(ctx.root, 'bench/src/servers/fake-upstream.ts')],
    { PORT: String(upstreamPort), NODE_ENV: 'production' },
    `${upstreamUrl}/models`,
    { cpu: LOADGEN_CPU }, // not under test: it shares the load generator's core
  );

  ctx.log('starting AIUS with the fake upstream configured');
  const aius = await ctx.startAius({
    UPSTREAMS: JSON.stringify([{ name: 'fake', base_url: upstreamUrl, api_key: UPSTREAM_KEY, models: ['gpt-fake'] }]),
  });
  const token = await mintAiusToken(aius.base);

  ctx.log('starting the Portkey gateway');
  const portkeyPort = await sparePort();
  const portkeyMain = path.join(path.dirname(createRequire(import.meta.url).resolve('@portkey-ai/gateway/package.json')), 'build/start-server.js');
  await ctx.startServer('Portkey', process.execPath, [portkeyMain, `--port=${portkeyPort}`, '--headless'], { NODE_ENV: 'production' }, `http://127.0.0.1:${portkeyPort}/`, {
    cpu: SERVER_CPU,
  });

  const json = { 'content-type': 'application/json' };
  const targets: Target[] = [
    { name: 'direct', url: `${upstreamUrl}/chat/completions`, headers: { ...json, authorization: `Bearer ${UPSTREAM_KEY}` } },
    { name: 'AIUS', url: `${aius.base}/chat/completions`, headers: { ...json, authorization: `Bearer ${token}` } },
    {
      name: 'Portkey',
      url: `http://127.0.0.1:${portkeyPort}/v1/chat/completions`,
      headers: { ...json, authorization: `Bearer ${UPSTREAM_KEY}`, 'x-portkey-provider': 'openai', 'x-portkey-custom-host': upstreamUrl },
    },
  ];
  for (const t of targets) await expectOk(t);

  const rows: Measurement[] = [];
  const results = new Map<string, { saturated: Measurement; fixed: Measurement }>();
  for (const t of targets) {
    const load: Load = { url: t.url, method: 'POST', headers: t.headers, body: CHAT_BODY, seconds: ctx.seconds, connections: ctx.connections };
    const saturated = await ctx.measure(`chat completion, ${t.name}, saturated`, load);
    const fixed = await ctx.measure(`chat completion, ${t.name}, at ${rate} req/s`, { ...load, rate });
    rows.push(saturated, fixed);
    results.set(t.name, { saturated, fixed });
  }

  // Diagnostic, not a target: the same call on an AIUS with no Redis (one instance, limits and
  // revocation per instance), to show what the shared Redis round trip costs at this rate.
  ctx.log('starting AIUS without Redis (diagnostic)');
  const solo = await ctx.startAius({
    REDIS_URL: '',
    UPSTREAMS: JSON.stringify([{ name: 'fake', base_url: upstreamUrl, api_key: UPSTREAM_KEY, models: ['gpt-fake'] }]),
  });
  const soloTarget = { name: 'AIUS without Redis', url: `${solo.base}/chat/completions`, headers: { ...json, authorization: `Bearer ${await mintAiusToken(solo.base)}` } };
  await expectOk(soloTarget);
  const soloLoad: Load = { url: soloTarget.url, method: 'POST', headers: soloTarget.headers, body: CHAT_BODY, seconds: ctx.seconds, connections: ctx.connections };
  const soloFixed = await ctx.measure(`chat completion, ${soloTarget.name}, at ${rate} req/s (diagnostic)`, { ...soloLoad, rate });
  rows.push(soloFixed);

  const usage = await timeUsage(ctx, aius, token, events);
  printProxyReport(results, rate, usage, events, soloFixed);
  return rows;
}

async function expectOk(t: Target): Promise<void> {
  const res = await fetch(t.url, { method: 'POST', headers: t.headers, body: CHAT_BODY });
  const text = await res.text();
  if (res.status !== 200 || !text.includes('"usage"')) throw new Error(`${t.name}: ${res.status} ${text.slice(0, 300)}`);
}

interface UsageTiming {
  seedSeconds: number;
  dailyRows: number;
  p50: number;
  p99: number;
  max: number;
}

/** Seeds the usage tables of the AIUS instance's database, then times GET /usage for 90 days. */
async function timeUsage(ctx: BenchContext, aius: { base: string; databaseUrl: string }, token: string, events: number): Promise<UsageTiming> {
  const auth = { authorization: `Bearer ${token}` };
  const clients = (await (await fetch(`${aius.base}/clients`, { headers: auth })).json()) as { data: { id: string }[] };
  const clientId = clients.data[0]!.id;
  ctx.log(`seeding ${events.toLocaleString('en-US')} usage events and their rollups`);
  const seeded = await seedUsage(aius.databaseUrl, { clientId, userId: 'usr_bench', tokenId: 1, events, days: 90 });

  const to = new Date();
  const from = new Date(to.getTime() - 89 * DAY_MS);
  const url = `${aius.base}/usage?org_id=${clientId}&from=${from.toISOString().slice(0, 10)}&to=${to.toISOString().slice(0, 10)}`;
  const first = (await (await fetch(url, { headers: auth })).json()) as { totals: { requests: number }; daily: unknown[] };
  if (first.daily.length !== 90 || first.totals.requests < events / 2) throw new Error(`GET /usage answered unexpectedly: ${JSON.stringify(first.totals)}`);
  const times: number[] = [];
  for (let i = 0; i < USAGE_CALLS; i++) {
    const started = performance.now();
    const res = await fetch(url, { headers: auth });
    await res.arrayBuffer();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
  return { seedSeconds: seeded.seconds, dailyRows: seeded.dailyRows, p50: at(0.5), p99: at(0.99), max: times[times.length - 1]! };
}

const num = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function printProxyReport(
  results: Map<string, { saturated: Measurement; fixed: Measurement }>,
  rate: number,
  usage: UsageTiming,
  events: number,
  withoutRedis: Measurement,
): void {
  const direct = results.get('direct')!;
  const aius = results.get('AIUS')!;
  const portkey = results.get('Portkey')!;
  const lines = [
    '',
    `| chat completion (fake upstream) | saturated req/s | p50 ms at ${rate} req/s | p99 ms at ${rate} req/s | added p50 vs direct |`,
    '|---|---:|---:|---:|---:|',
    ...[...results].map(
      ([name, r]) =>
        `| ${name} | ${num(r.saturated.requestsPerSecond)} | ${num(r.fixed.p50, 1)} | ${num(r.fixed.p99, 1)} | ${name === 'direct' ? '—' : num(r.fixed.p50 - direct.fixed.p50, 1)} |`,
    ),
    '',
    '| proxy comparison | value | target |',
    '|---|---:|---|',
    `| AIUS added p50 at ${rate} req/s | ${num(aius.fixed.p50 - direct.fixed.p50, 1)} ms | < 1 ms |`,
    `| (diagnostic) AIUS without Redis, added p50 at ${rate} req/s: what the shared state (Redis) costs is the difference | ${num(withoutRedis.p50 - direct.fixed.p50, 1)} ms | — |`,
    `| AIUS / Portkey saturated throughput | ${num(aius.saturated.requestsPerSecond / portkey.saturated.requestsPerSecond, 2)}× | ≥ 5× |`,
    `| GET /usage, 90 days, ${num(events)} events seeded (${num(usage.dailyRows)} usage_daily rows) | p50 ${num(usage.p50, 1)} ms, p99 ${num(usage.p99, 1)} ms, max ${num(usage.max, 1)} ms (${num(USAGE_CALLS)} sequential calls) | < 50 ms |`,
    '',
    `Fixed-rate runs (loadtest, open loop) sent ${[...results.values()].map((r) => num(r.fixed.requestsPerSecond, 1)).join(' / ')} req/s of the ${rate} requested; ` +
      `saturated runs: wrk; latencies per request, sub-millisecond. Seeding took ${num(usage.seedSeconds, 1)} s.`,
  ];
  console.log(lines.join('\n'));
}
