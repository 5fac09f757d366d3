import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createHarness } from './harness.js';
import { requireWrk } from './loadgen/wrk.js';
import { SERVER_CPU, sparePort, startAiusProcess } from './processes.js';
import { mintAiusToken } from './sections/aius.js';
import { benchUser, CREDITS_ENV } from './sections/credits.js';
import { startUpstream, UPSTREAM_KEY } from './sections/proxy.js';
import { seedUsage } from './sections/usage-seed.js';
import { type Profile, summarize } from './profile-summary.js';

/**
 * `pnpm --filter @aius/bench profile --scenario chat|stream|health|usage [--seconds 20] [--top 30] [--credits] [--bare]`:
 * one AIUS (production build) under `node --cpu-prof`, saturated with the bench's generators on
 * one scenario (`--credits`: with BILLING_MODE=credits and a client granted a large balance), then the profile summarised as the frames with the most self time (where the
 * CPU went, not counting callees), with the profile file's path for a flame graph viewer.
 * `--bare` (chat only) profiles the bare proxy (bench/src/servers/bare-proxy.ts) under the same load
 * instead: the two summaries side by side, each share times its CPU per request, say in µs where
 * AIUS spends what a proxy on Node needs anyway and where it spends more.
 */
const { values } = parseArgs({ options: { scenario: { type: 'string', default: 'chat' }, seconds: { type: 'string', default: '20' }, top: { type: 'string', default: '30' }, credits: { type: 'boolean', default: false }, bare: { type: 'boolean', default: false } } });
requireWrk();
const seconds = Number(values.seconds);
const harness = createHarness('profile', { seconds, connections: Number(process.env.BENCH_CONNECTIONS ?? 50) });
const { ctx } = harness;
const dir = mkdtempSync(path.join(tmpdir(), 'aius-cpu-prof-'));
let cpuPerRequestUs: number | undefined;
await harness.runTool(async () => {
  const upstreamUrl = await startUpstream(ctx, 'fake upstream', values.scenario === 'stream' ? 47 : undefined);
  if (values.bare) {
    if (values.scenario !== 'chat') throw new Error('--bare profiles the chat scenario only');
    cpuPerRequestUs = await loadBareProxy(upstreamUrl);
  } else {
    const db = await ctx.createDatabase('aius_profile');
    const { child, base } = await startAiusProcess({
      root: harness.root,
      databaseUrl: db.url,
      redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
      label: 'aius-profile',
      nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
      extraEnv: { UPSTREAMS: JSON.stringify([{ name: 'fake', base_url: upstreamUrl, api_key: UPSTREAM_KEY, models: ['gpt-fake'] }]), ...(values.credits && CREDITS_ENV) },
    });
    const auth = values.credits ? (await benchUser(base, true)).headers : { authorization: `Bearer ${await mintAiusToken(base)}` };
    const headers = { 'content-type': 'application/json', ...auth };
    const chat = (stream: boolean) => JSON.stringify({ model: 'gpt-fake', stream, messages: [{ role: 'user', content: 'Say hello' }] });
    const load = { seconds, connections: ctx.connections };
    if (values.scenario === 'stream') await ctx.measureStream('stream', { ...load, url: `${base}/chat/completions`, method: 'POST', headers, body: chat(true) });
    else if (values.scenario === 'chat') {
      const m = await ctx.measure('chat', { ...load, url: `${base}/chat/completions`, method: 'POST', headers, body: chat(false), serverPid: child.process.pid!, databaseUrl: db.url });
      // Under the profiler (which slows the process), so only for comparing profiles with each other.
      console.log(`chat: ${Math.round(m.requestsPerSecond)} req/s, CPU per request ${m.serverCpuPerRequestUs?.toFixed(1)} µs, its Postgres backends' ${m.databaseCpuPerRequestUs?.toFixed(1)} µs`);
      cpuPerRequestUs = m.serverCpuPerRequestUs;
    }
    else if (values.scenario === 'health') await ctx.measure('health', { ...load, url: `${base}/health` });
    else if (values.scenario === 'usage') await sequentialUsage(base, db.url, auth, seconds);
    else throw new Error(`unknown scenario ${values.scenario}`);
    await child.stop(); // SIGTERM: the graceful shutdown exits, and node writes the profile
  }
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no profile written in ${dir}`);
  console.log(`profile: ${path.join(dir, file)}\n`);
  console.log(summarize(JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Profile, Number(values.top), cpuPerRequestUs));
});

/** The bare proxy under the profiler and the chat scenario's load; its CPU per request. */
async function loadBareProxy(upstreamUrl: string): Promise<number | undefined> {
  const port = await sparePort();
  const proxy = await ctx.startServer('bare proxy', process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--import', 'tsx', path.join(harness.root, 'bench/src/servers/bare-proxy.ts')], { PORT: String(port), UPSTREAM_URL: upstreamUrl, NODE_ENV: 'production' }, `http://127.0.0.1:${port}/health`, { cpu: SERVER_CPU });
  const body = JSON.stringify({ model: 'gpt-fake', stream: false, messages: [{ role: 'user', content: 'Say hello' }] });
  const m = await ctx.measure('chat', { seconds, connections: ctx.connections, url: `http://127.0.0.1:${port}/v1/chat/completions`, method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${UPSTREAM_KEY}` }, body, serverPid: proxy.process.pid! }, 'peer');
  console.log(`bare proxy chat: ${Math.round(m.requestsPerSecond)} req/s, CPU per request ${m.serverCpuPerRequestUs?.toFixed(1)} µs`);
  await proxy.stop(); // SIGTERM: node writes the profile as it exits
  return m.serverCpuPerRequestUs;
}

/**
 * The usage section's read: BENCH_USAGE_EVENTS (1 000 000) events seeded with COPY, then GET /usage
 * for 90 days one call after another (as the bench times it, not saturated) for `seconds`.
 */
async function sequentialUsage(base: string, databaseUrl: string, auth: Record<string, string>, seconds: number): Promise<void> {
  const clientId = ((await (await fetch(`${base}/clients`, { headers: auth })).json()) as { data: { id: string }[] }).data[0]!.id;
  const days = 90;
  ctx.log('seeding usage events with COPY');
  await seedUsage(databaseUrl, { clientId, userId: 'usr_bench', tokenId: 1, events: Number(process.env.BENCH_USAGE_EVENTS ?? 1_000_000), days });
  const to = new Date();
  const from = new Date(to.getTime() - (days - 1) * 86_400_000);
  const url = `${base}/usage?org_id=${clientId}&from=${from.toISOString().slice(0, 10)}&to=${to.toISOString().slice(0, 10)}`;
  ctx.log(`GET /usage, one call after another, for ${seconds} s`);
  const until = performance.now() + seconds * 1000;
  let calls = 0;
  while (performance.now() < until) {
    const res = await fetch(url, { headers: auth });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`GET /usage answered ${res.status}`);
    calls++;
  }
  ctx.log(`${calls} calls`);
}
