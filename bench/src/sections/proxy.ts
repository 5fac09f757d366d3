import { createRequire } from 'node:module';
import path from 'node:path';
import type { BenchContext, Section } from '../context.js';
import { atLeast, below } from '../figures.js';
import type { Load, Measurement } from '../measure.js';
import { LOADGEN_CPU, SERVER_CPU, sparePort } from '../processes.js';
import { num, table } from '../report.js';
import { mintAiusToken } from './aius.js';

export const UPSTREAM_KEY = 'sk-bench-upstream';
const CHAT_BODY = JSON.stringify({ model: 'gpt-fake', messages: [{ role: 'user', content: 'Say hello' }] });

export interface Target {
  name: string;
  url: string;
  headers: Record<string, string>;
  /** Whose row it is: only AIUS's rows fail the bench on a lost request or a 5xx. */
  subject: 'aius' | 'peer';
  pid?: number;
}

/** The fake OpenAI-compatible upstream in a process of its own on the load generator's core; `words` chunks per stream. */
export async function startUpstream(ctx: BenchContext, name: string, words?: number): Promise<string> {
  const port = await sparePort();
  const url = `http://127.0.0.1:${port}/v1`;
  await ctx.startServer(
    name,
    process.execPath,
    ['--import', 'tsx', path.join(ctx.root, 'bench/src/servers/fake-upstream.ts')],
    { PORT: String(port), NODE_ENV: 'production', ...(words !== undefined && { FAKE_WORDS: String(words) }) },
    `${url}/models`,
    { cpu: LOADGEN_CPU }, // not under test: it shares the load generator's core
  );
  return url;
}

/**
 * AIUS (bearer, limits, metering on), the bare pass-through proxy and Portkey in front of
 * `upstreamUrl`, each with the headers its chat call needs, and the upstream called directly.
 */
export async function proxyTargets(ctx: BenchContext, upstreamUrl: string, aiusEnv: Record<string, string> = {}): Promise<Target[]> {
  const upstreams = JSON.stringify([{ name: 'fake', base_url: upstreamUrl, api_key: UPSTREAM_KEY, models: ['gpt-fake'] }]);
  const aius = await ctx.startAius({ UPSTREAMS: upstreams, ...aiusEnv });
  const token = await mintAiusToken(aius.base);

  const barePort = await sparePort();
  const bare = await ctx.startServer(
    'bare proxy',
    process.execPath,
    ['--import', 'tsx', path.join(ctx.root, 'bench/src/servers/bare-proxy.ts')],
    { PORT: String(barePort), UPSTREAM_URL: upstreamUrl, NODE_ENV: 'production' },
    `http://127.0.0.1:${barePort}/health`,
    { cpu: SERVER_CPU },
  );

  const portkeyPort = await sparePort();
  const portkeyMain = path.join(path.dirname(createRequire(import.meta.url).resolve('@portkey-ai/gateway/package.json')), 'build/start-server.js');
  const portkey = await ctx.startServer('Portkey', process.execPath, [portkeyMain, `--port=${portkeyPort}`, '--headless'], { NODE_ENV: 'production' }, `http://127.0.0.1:${portkeyPort}/`, {
    cpu: SERVER_CPU,
  });

  const json = { 'content-type': 'application/json' };
  const upstreamAuth = { ...json, authorization: `Bearer ${UPSTREAM_KEY}` };
  return [
    { name: 'direct', url: `${upstreamUrl}/chat/completions`, headers: upstreamAuth, subject: 'peer' },
    { name: 'bare proxy', url: `http://127.0.0.1:${barePort}/v1/chat/completions`, headers: upstreamAuth, subject: 'peer', pid: bare.process.pid },
    { name: 'AIUS', url: `${aius.base}/chat/completions`, headers: { ...json, authorization: `Bearer ${token}` }, subject: 'aius', pid: aius.pid },
    {
      name: 'Portkey',
      url: `http://127.0.0.1:${portkeyPort}/v1/chat/completions`,
      headers: { ...upstreamAuth, 'x-portkey-provider': 'openai', 'x-portkey-custom-host': upstreamUrl },
      subject: 'peer',
      pid: portkey.process.pid,
    },
  ];
}

/**
 * The chat proxy (`--only chat`), all against one fake OpenAI-compatible upstream (its own
 * process): called directly, through the bare pass-through proxy (Fastify + undici, nothing
 * else: what a Node proxy can do at best here), through AIUS (bearer auth, per-token rate limit
 * and usage metering on), and through the Portkey gateway (`@portkey-ai/gateway`, routed with
 * `x-portkey-custom-host`). For each: throughput at saturation, then p50/p99 at a fixed
 * BENCH_PROXY_RATE (500 req/s). Then, as a diagnostic, AIUS without Redis at that rate.
 */
export const proxySection: Section = {
  name: 'chat',
  async setup(ctx) {
    const rate = Number(process.env.BENCH_PROXY_RATE ?? 500);
    ctx.log('starting the fake upstream, AIUS with it configured, the bare proxy and Portkey');
    const upstreamUrl = await startUpstream(ctx, 'fake upstream');
    const targets = await proxyTargets(ctx, upstreamUrl);

    // Diagnostic, not a target: the same call on an AIUS with no Redis (one instance, limits and
    // revocation per instance), to show what the shared Redis round trip costs at this rate.
    ctx.log('starting AIUS without Redis (diagnostic)');
    const solo = await ctx.startAius({
      REDIS_URL: '',
      UPSTREAMS: JSON.stringify([{ name: 'fake', base_url: upstreamUrl, api_key: UPSTREAM_KEY, models: ['gpt-fake'] }]),
    });
    const soloTarget: Target = {
      name: 'AIUS without Redis',
      url: `${solo.base}/chat/completions`,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await mintAiusToken(solo.base)}` },
      subject: 'aius',
    };
    for (const t of [...targets, soloTarget]) await expectOk(t);

    return async () => {
      const results = new Map<string, { saturated: Measurement; fixed: Measurement }>();
      for (const t of targets) {
        const load: Load = { url: t.url, method: 'POST', headers: t.headers, body: CHAT_BODY, seconds: ctx.seconds, connections: ctx.connections, serverPid: t.pid };
        const saturated = await ctx.measure(`chat completion, ${t.name}, saturated`, load, t.subject);
        const fixed = await ctx.measure(`chat completion, ${t.name}, at ${rate} req/s`, { ...load, rate }, t.subject);
        results.set(t.name, { saturated, fixed });
      }
      const soloLoad: Load = { url: soloTarget.url, method: 'POST', headers: soloTarget.headers, body: CHAT_BODY, seconds: ctx.seconds, connections: ctx.connections, rate };
      const soloFixed = await ctx.measure(`chat completion, ${soloTarget.name}, at ${rate} req/s (diagnostic)`, soloLoad);
      report(ctx, results, rate, soloFixed);
    };
  },
};

export async function expectOk(t: Target, body = CHAT_BODY, expect = '"usage"'): Promise<void> {
  const res = await fetch(t.url, { method: 'POST', headers: t.headers, body });
  const text = await res.text();
  if (res.status !== 200 || !text.includes(expect)) throw new Error(`${t.name}: ${res.status} ${text.slice(0, 300)}`);
}

function report(ctx: BenchContext, results: Map<string, { saturated: Measurement; fixed: Measurement }>, rate: number, withoutRedis: Measurement): void {
  const direct = results.get('direct')!;
  const bare = results.get('bare proxy')!;
  const aius = results.get('AIUS')!;
  const portkey = results.get('Portkey')!;
  const throughput = (100 * aius.saturated.requestsPerSecond) / bare.saturated.requestsPerSecond;
  const p99 = aius.saturated.p99 / bare.saturated.p99;
  const addedOverBare = aius.fixed.p50 - bare.fixed.p50;
  ctx.figure('chat: AIUS / bare proxy, saturated throughput', throughput, ' %', atLeast(80, '≥ 80 %'));
  ctx.figure('chat: AIUS p99 / bare proxy p99, saturated', p99, '×', below(2, '≤ 2×'));
  ctx.figure(`chat: AIUS p50 − bare proxy p50 at ${rate} req/s`, addedOverBare, ' ms', below(0.3, '< 0.3 ms'));
  ctx.figure(`chat: AIUS p50 − direct p50 at ${rate} req/s`, aius.fixed.p50 - direct.fixed.p50, ' ms', below(1, '< 1 ms'));
  ctx.figure('chat: AIUS / Portkey, saturated throughput', aius.saturated.requestsPerSecond / portkey.saturated.requestsPerSecond, '×', atLeast(5, '≥ 5×'));
  ctx.figure('chat: AIUS saturated req/s', aius.saturated.requestsPerSecond, '');
  ctx.figure('chat: bare proxy saturated req/s', bare.saturated.requestsPerSecond, '');
  // Undefined when a saturated run answered nothing (its row says so): the run's other figures still count.
  const aiusCpu = aius.saturated.serverCpuPerRequestUs;
  const bareCpu = bare.saturated.serverCpuPerRequestUs;
  const cpuRatio = aiusCpu !== undefined && bareCpu !== undefined ? (100 * bareCpu) / aiusCpu : undefined;
  // Throughput on a pinned core is the inverse of CPU time per request; this one holds when other work shares the core.
  if (cpuRatio !== undefined) ctx.figure('chat: bare proxy CPU per request / AIUS CPU per request, saturated', cpuRatio, ' %', atLeast(80, '≥ 80 %'));
  if (aiusCpu !== undefined) ctx.figure('chat: AIUS CPU per request, saturated', aiusCpu, ' µs');
  if (bareCpu !== undefined) ctx.figure('chat: bare proxy CPU per request, saturated', bareCpu, ' µs');
  const us = (v: number | undefined) => (v === undefined ? 'not measured' : num(v, 1));
  const errs = (m: Measurement) => num(m.status5xx + m.errors + m.timeouts);
  console.log(
    `\n### Chat completion (fake upstream)\n\n` +
      table(
        ['target', 'saturated req/s', 'saturated p50 · p99 ms', `p50 · p99 ms at ${rate} req/s`, `p50 added vs direct at ${rate} req/s`, '5xx + lost (sat. / fixed)'],
        [...results].map(([name, r]) => [
          name,
          num(r.saturated.requestsPerSecond),
          `${num(r.saturated.p50, 2)} · ${num(r.saturated.p99, 2)}`,
          `${num(r.fixed.p50, 2)} · ${num(r.fixed.p99, 2)}`,
          name === 'direct' ? '—' : num(r.fixed.p50 - direct.fixed.p50, 2),
          `${errs(r.saturated)} / ${errs(r.fixed)}`,
        ]),
      ) +
      '\n\n' +
      table(
        ['comparison', 'value', 'target'],
        [
          ['AIUS / bare proxy, saturated throughput', `${num(throughput)} %`, '≥ 80 %'],
          ['bare proxy / AIUS, server CPU per request, saturated', `${cpuRatio === undefined ? '—' : `${num(cpuRatio)} %`} (${us(bareCpu)} / ${us(aiusCpu)} µs)`, '≥ 80 %'],
          ['AIUS p99 / bare proxy p99, saturated', `${num(p99, 2)}×`, '≤ 2×'],
          [`AIUS p50 − bare proxy p50 at ${rate} req/s`, `${num(addedOverBare, 2)} ms`, '< 0.3 ms'],
          [`AIUS p50 − direct p50 at ${rate} req/s`, `${num(aius.fixed.p50 - direct.fixed.p50, 2)} ms`, '< 1 ms'],
          [`(diagnostic) AIUS without Redis, p50 − direct p50 at ${rate} req/s`, `${num(withoutRedis.p50 - direct.fixed.p50, 2)} ms`, '—'],
          ['AIUS / Portkey, saturated throughput', `${num(aius.saturated.requestsPerSecond / portkey.saturated.requestsPerSecond, 2)}×`, '≥ 5×'],
        ],
      ) +
      `\n\nFixed-rate runs (loadtest, open loop) sent ${[...results.values()].map((r) => num(r.fixed.requestsPerSecond, 1)).join(' / ')} req/s of the ${rate} requested.`,
  );
}
