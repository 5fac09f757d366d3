import type { BenchContext, Section } from '../context.js';
import { median } from '../figures.js';
import type { Load, Measurement } from '../measure.js';
import { recordingCost, summarize } from '../metrics-recording.js';
import { sparePort } from '../processes.js';
import { mintAiusToken } from './aius.js';
import { startUpstream, UPSTREAM_KEY } from './proxy.js';

const CHAT_BODY = JSON.stringify({ model: 'gpt-fake', messages: [{ role: 'user', content: 'Say hello' }] });

interface Instance {
  base: string;
  pid: number;
  headers: Record<string, string>;
  /** The metrics endpoint, on the instance with metrics on. */
  metricsUrl?: string;
}

interface Scenario {
  /** Its name in BENCH_METRICS_SCENARIOS. */
  key: string;
  name: string;
  load: (i: Instance) => Load;
}

/**
 * What recording metrics costs on the hot paths: two AIUS instances from the same build, one
 * with METRICS_PORT set (every request, limiter decision, cache lookup and upstream call
 * recorded) and one without (nothing recorded, no hook installed), measured on the same
 * scenarios as BENCH_METRICS_PAIRS (3) alternating pairs — on then off, then off then on — so
 * the machine's drift falls on both sides alike. The figure is each pair's on/off ratio
 * (throughput) and on − off difference (p50, p99), reported as the median over the pairs.
 * Saturated runs also give the server's CPU time per answered request, on and off: throughput
 * follows whatever else runs on the machine, CPU time per request hardly does.
 * The metrics endpoint is scraped after every "on" run, as Prometheus would, and its request
 * counter must have grown by the requests answered (so "on" really recorded them).
 * A third instance, metrics off too, is measured in every pair as a control: its ratio to "off"
 * is what two identical instances differ by on this machine (where each landed in memory, which
 * one the kernel favours), the floor below which an on/off difference is not a measurable cost.
 */
export const metricsSection: Section = { name: 'metrics', setup };

async function setup(ctx: BenchContext): Promise<() => Promise<void>> {
  const pairs = Number(process.env.BENCH_METRICS_PAIRS ?? 3);
  const rate = Number(process.env.BENCH_PROXY_RATE ?? 500);

  ctx.log('starting the fake upstream (metrics)');
  const upstreamUrl = await startUpstream(ctx, 'fake upstream (metrics)');
  const upstreams = JSON.stringify([{ name: 'fake', base_url: upstreamUrl, api_key: UPSTREAM_KEY, models: ['gpt-fake'] }]);
  const metricsPort = await sparePort();
  ctx.log('starting AIUS with metrics on (METRICS_PORT) and AIUS with metrics off');
  // BENCH_METRICS_ON_ENV (`K=V,K=V`): settings of the "on" instance only, e.g. METRICS_PROCESS=false.
  const onEnv = Object.fromEntries((process.env.BENCH_METRICS_ON_ENV ?? '').split(',').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  if (Object.keys(onEnv).length > 0) ctx.log(`metrics on with ${JSON.stringify(onEnv)}`);
  const on = await instance(ctx, { UPSTREAMS: upstreams, METRICS_PORT: String(metricsPort), METRICS_HOST: '127.0.0.1', ...onEnv });
  on.metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  const off = await instance(ctx, { UPSTREAMS: upstreams });
  const control = await instance(ctx, { UPSTREAMS: upstreams });

  const { seconds, connections } = ctx;
  const json = { 'content-type': 'application/json' };
  const all: Scenario[] = [
    { key: 'health', name: '`GET /health`, saturated', load: (i) => ({ url: `${i.base}/health`, seconds, connections, serverPid: i.pid }) },
    { key: 'clients', name: '`GET /clients` (bearer), saturated', load: (i) => ({ url: `${i.base}/clients`, headers: i.headers, seconds, connections, serverPid: i.pid }) },
    {
      key: 'chat-rate',
      name: `chat completion at ${rate} req/s`,
      load: (i) => ({ url: `${i.base}/chat/completions`, method: 'POST', headers: { ...i.headers, ...json }, body: CHAT_BODY, seconds, connections, rate }),
    },
    {
      key: 'chat-saturated',
      name: 'chat completion, saturated',
      load: (i) => ({ url: `${i.base}/chat/completions`, method: 'POST', headers: { ...i.headers, ...json }, body: CHAT_BODY, seconds, connections, serverPid: i.pid }),
    },
  ];
  // BENCH_METRICS_SCENARIOS (`health,clients,chat-rate,chat-saturated`): a subset, e.g. only the fixed-rate chat runs.
  const chosen = (process.env.BENCH_METRICS_SCENARIOS ?? '').split(',').filter(Boolean);
  const unknown = chosen.filter((k) => !all.some((s) => s.key === k));
  if (unknown.length > 0) throw new Error(`BENCH_METRICS_SCENARIOS: unknown ${unknown.join(', ')} (known: ${all.map((s) => s.key).join(', ')})`);
  const scenarios = chosen.length === 0 ? all : all.filter((s) => chosen.includes(s.key));

  return async () => {
    const results = scenarios.map(() => ({ on: [] as Measurement[], off: [] as Measurement[], control: [] as Measurement[] }));
    for (let pair = 1; pair <= pairs; pair++) {
      for (const [s, scenario] of scenarios.entries()) {
        const order: ['on' | 'off' | 'control', Instance][] =
          pair % 2 === 1 ? [['on', on], ['off', off], ['control', control]] : [['control', control], ['off', off], ['on', on]];
        for (const [side, target] of order) {
          const recordedBefore = side === 'on' ? await requestsRecorded(on) : 0;
          const m = await ctx.measure(`metrics ${side}: ${scenario.name} (pair ${pair})`, scenario.load(target));
          if (side === 'on') {
            const recorded = (await requestsRecorded(on)) - recordedBefore;
            if (recorded < m.answered) throw new Error(`metrics on: ${m.answered} requests answered but only ${recorded} recorded`);
          }
          results[s]![side].push(m);
        }
      }
    }

    // The step metrics add to every request, timed alone in this process (metrics-recording.ts).
    const step = summarize(await recordingCost(ctx.root));
    const ns = (values: number[]) => `${median(values).toFixed(1)} (${values.map((v) => v.toFixed(1)).join(', ')})`;
    console.log('\n### Metrics recording: the request log\'s completion step alone, in process (ns per request, alternating rounds)\n');
    console.log('| off | on | on − off (each round) | control − off (each round) |');
    console.log('|---:|---:|---:|---:|');
    console.log(`| ${step.off.toFixed(1)} | ${step.on.toFixed(1)} | ${ns(step.onMinusOff)} | ${ns(step.controlMinusOff)} |`);
    ctx.figure('metrics: recording step in process, on − off', median(step.onMinusOff), ' ns');
    ctx.figure('metrics: recording step in process, control − off', median(step.controlMinusOff), ' ns');

    const ms = (v: number) => v.toFixed(2);
    console.log(`\n### Metrics recording: on vs off, and a second "off" instance as the control (${pairs} alternating pairs, medians)\n`);
    console.log(
      '| scenario | off: req/s · p50 · p99 ms | on: req/s · p50 · p99 ms | on/off req/s (each pair) | control/off req/s (each pair) | p50 on − off, ms (control − off) | p99 on − off, ms | server CPU per request off → on, µs (on − off, each pair) | CPU control − off, µs (each pair) |',
    );
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const [s, scenario] of scenarios.entries()) {
      const { on: o, off: f, control: c } = results[s]!;
      const ratios = (list: Measurement[]) => list.map((m, i) => m.requestsPerSecond / f[i]!.requestsPerSecond);
      const cell = (list: Measurement[]) =>
        `${Math.round(median(list.map((m) => m.requestsPerSecond)))} · ${ms(median(list.map((m) => m.p50)))} · ${ms(median(list.map((m) => m.p99)))}`;
      const cpu = (list: Measurement[]) => list.map((m) => m.serverCpuPerRequestUs ?? NaN);
      const cpuDiffs = (list: Measurement[]) => cpu(list).map((v, i) => v - cpu(f)[i]!);
      const withPairs = (values: number[], digits: number) => `${median(values).toFixed(digits)} (${values.map((v) => v.toFixed(digits)).join(', ')})`;
      const p50 = (list: Measurement[]) => median(list.map((m, i) => m.p50 - f[i]!.p50));
      const measuredCpu = !Number.isNaN(cpu(o)[0]);
      console.log(
        `| ${scenario.name} | ${cell(f)} | ${cell(o)} | ${withPairs(ratios(o), 3)} | ${withPairs(ratios(c), 3)} | ${ms(p50(o))} (${ms(p50(c))}) | ` +
          `${ms(median(o.map((m, i) => m.p99 - f[i]!.p99)))} | ` +
          (measuredCpu ? `${median(cpu(f)).toFixed(1)} → ${median(cpu(o)).toFixed(1)} (${cpuDiffs(o).map((d) => d.toFixed(1)).join(', ')}) | ${withPairs(cpuDiffs(c), 1)} |` : '— | — |'),
      );
      ctx.figure(`metrics: on / off throughput, ${scenario.name}`, median(ratios(o)), '×');
      ctx.figure(`metrics: control / off throughput, ${scenario.name}`, median(ratios(c)), '×');
      ctx.figure(`metrics: p50 on − off, ${scenario.name}`, p50(o), ' ms');
      ctx.figure(`metrics: p50 control − off, ${scenario.name}`, p50(c), ' ms');
      if (measuredCpu) {
        ctx.figure(`metrics: server CPU per request on − off, ${scenario.name}`, median(cpuDiffs(o)), ' µs');
        ctx.figure(`metrics: server CPU per request control − off, ${scenario.name}`, median(cpuDiffs(c)), ' µs');
      }
    }
  };
}

async function instance(ctx: BenchContext, env: Record<string, string>): Promise<Instance> {
  const { base, pid } = await ctx.startAius(env);
  return { base, pid, headers: { authorization: `Bearer ${await mintAiusToken(base)}` } };
}

/** The instance's `aius_http_requests_total`, summed over its series. */
async function requestsRecorded(i: Instance): Promise<number> {
  const text = await (await fetch(i.metricsUrl!)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('aius_http_requests_total{'))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}
