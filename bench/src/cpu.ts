import path from 'node:path';
import { parseArgs } from 'node:util';
import { createHarness } from './harness.js';
import { requireWrk } from './loadgen/wrk.js';
import { measure } from './measure.js';
import { parseBuild, SERVER_CPU, sparePort, startAiusProcess } from './processes.js';
import { mintAiusToken } from './sections/aius.js';
import { CREDITS_ENV } from './sections/credits.js';
import { startUpstream, UPSTREAM_KEY } from './sections/proxy.js';

/**
 * `pnpm --filter @aius/bench cpu [--rounds 5] [--seconds 3] [--builds apps/api/dist,apps/api/dist-before] [--routes health,chat]`:
 * CPU time per request (the server's user + system time over a saturated wrk run, divided by the
 * answers) of `GET /health` and of the chat proxy, for each AIUS build given and for the bare
 * baselines (bare Fastify; the bare proxy; bare Fastify answering the chat POST itself, whose
 * difference from the bare proxy is the exchange's cost alone), all started once and measured in
 * alternating rounds.
 * On a machine other work shares, throughput moves with the load but CPU per request much less,
 * and alternating rounds spread what remains over every server alike: this is the before/after
 * check for per-request work on the hot paths. Each build is a directory with AIUS's `main.js`
 * inside the repository (so its packages resolve), e.g. a copy of `apps/api/dist` kept before a change.
 * A build may carry settings after `+` (`apps/api/dist+REDIS_URL=`), to compare one build's configurations;
 * `+credits` is BILLING_MODE=credits with the credits section's prices and a default plan large
 * enough that the minted token's client never runs out (MODEL_PRICES' commas cannot go in `--builds`).
 */
const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '5' }, seconds: { type: 'string', default: '3' }, builds: { type: 'string', default: 'apps/api/dist' }, routes: { type: 'string', default: 'health,chat' } },
});
requireWrk();
process.env.BENCH_WARMUP_MAX_SECONDS ??= '4';
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const harness = createHarness('cpu', { seconds, connections: Number(process.env.BENCH_CONNECTIONS ?? 50) });
const { ctx } = harness;
let exitCode = 1;
const stops: (() => Promise<void>)[] = [];
try {
  const upstreamUrl = await startUpstream(ctx, 'fake upstream');
  const upstreams = JSON.stringify([{ name: 'fake', base_url: upstreamUrl, api_key: UPSTREAM_KEY, models: ['gpt-fake'] }]);
  const chatBody = JSON.stringify({ model: 'gpt-fake', messages: [{ role: 'user', content: 'Say hello' }] });
  const json = { 'content-type': 'application/json' };
  interface Target {
    name: string;
    pid: number;
    health: string;
    chat: { url: string; headers: Record<string, string> };
  }
  const targets: Target[] = [];
  for (const build of values.builds.split(',')) {
    const { main, credits, env } = parseBuild(harness.root, build);
    if (credits) Object.assign(env, CREDITS_ENV, { BILLING_DEFAULT_MONTHLY_QUOTA_CREDITS: '100000000' });
    const db = await ctx.createDatabase('aius_cpu');
    const { child, base } = await startAiusProcess({ root: harness.root, databaseUrl: db.url, redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379', label: 'aius-cpu', main, extraEnv: { UPSTREAMS: upstreams, ...env } });
    stops.push(() => child.stop());
    const token = await mintAiusToken(base);
    targets.push({ name: `AIUS ${build}`, pid: child.process.pid!, health: `${base}/health`, chat: { url: `${base}/chat/completions`, headers: { ...json, authorization: `Bearer ${token}` } } });
  }
  const fastifyPort = await sparePort();
  const fastify = await ctx.startServer('bare Fastify', process.execPath, ['--import', 'tsx', path.join(harness.root, 'bench/src/servers/bare-fastify.ts')], { PORT: String(fastifyPort), NODE_ENV: 'production' }, `http://127.0.0.1:${fastifyPort}/api/v1/health`, { cpu: SERVER_CPU });
  const proxyPort = await sparePort();
  const proxy = await ctx.startServer('bare proxy', process.execPath, ['--import', 'tsx', path.join(harness.root, 'bench/src/servers/bare-proxy.ts')], { PORT: String(proxyPort), UPSTREAM_URL: upstreamUrl, NODE_ENV: 'production' }, `http://127.0.0.1:${proxyPort}/health`, { cpu: SERVER_CPU });
  const bareHealth = { name: 'bare Fastify', pid: fastify.process.pid!, url: `http://127.0.0.1:${fastifyPort}/api/v1/health` };
  // The chat call answered by bare Fastify itself (no upstream): splits the bare proxy's cost into request handling and exchange.
  const bareFixed = { name: 'bare Fastify, fixed answer', pid: fastify.process.pid!, url: `http://127.0.0.1:${fastifyPort}/api/v1/chat/completions`, headers: json };
  const bareChat = { name: 'bare proxy', pid: proxy.process.pid!, url: `http://127.0.0.1:${proxyPort}/v1/chat/completions`, headers: { ...json, authorization: `Bearer ${UPSTREAM_KEY}` } };

  const results = new Map<string, number[]>();
  const record = (key: string, us: number | undefined) => results.set(key, [...(results.get(key) ?? []), us ?? NaN]);
  const load = { seconds, connections: ctx.connections };
  for (let round = 0; round < rounds; round++) {
    // Alternate the order each round, so a drift of the machine's speed does not favour one side.
    const routes = values.routes.split(',');
    const health = !routes.includes('health') ? [] : [...targets.map((t) => ({ name: t.name, pid: t.pid, url: t.health })), bareHealth];
    const chat = !routes.includes('chat') ? [] : [...targets.map((t) => ({ name: t.name, pid: t.pid, ...t.chat })), bareChat, bareFixed];
    if (round % 2) {
      health.reverse();
      chat.reverse();
    }
    for (const t of health) {
      const m = await measure(`health ${t.name}`, { ...load, url: t.url, serverPid: t.pid }, 'peer');
      if (m.non2xx || m.errors) throw new Error(`health ${t.name}: ${m.non2xx} non-2xx, ${m.errors} errors`);
      record(`health | ${t.name}`, m.serverCpuPerRequestUs);
    }
    for (const t of chat) {
      const m = await measure(`chat ${t.name}`, { ...load, url: t.url, method: 'POST', headers: t.headers, body: chatBody, serverPid: t.pid }, 'peer');
      if (m.non2xx || m.errors) throw new Error(`chat ${t.name}: ${m.non2xx} non-2xx, ${m.errors} errors`);
      record(`chat | ${t.name}`, m.serverCpuPerRequestUs);
    }
    ctx.log(`round ${round + 1} of ${rounds} done`);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log('| route | server | CPU µs per request, median | each round |');
  console.log('|---|---|---:|---|');
  for (const [key, xs] of results) console.log(`| ${key} | ${median(xs).toFixed(1)} | ${xs.map((x) => x.toFixed(1)).join(', ')} |`);
  exitCode = 0;
} catch (error) {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
} finally {
  for (const stop of stops) await stop();
  await harness.cleanup();
}
process.exit(exitCode);
