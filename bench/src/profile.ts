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
/** Fastify's request-lifecycle files: a hook calls the rest of the lifecycle from its own stack (see summarize). */
const FASTIFY_LIFECYCLE = /\/fastify\/(fastify\.js|lib\/(hooks|handle-request|content-type-parser|route)\.js)$/;

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

interface Profile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

/**
 * Self time per frame (function, file, line), as a share of the busy samples, largest first; with
 * the run's CPU per request, each share also in µs per request (the profile also holds the boot and
 * the warm-up, a few % of it, so these µs are approximate).
 */
function summarize(profile: Profile, top: number, cpuPerRequestUs?: number): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
  const self = new Map<string, number>();
  /** Each self-time key's file, kept apart: a function's name may hold spaces and slashes (V8 names a regexp's code after its pattern). */
  const fileOf = new Map<string, string>();
  // Each busy sample charged to the nearest AIUS file on its stack: what that file costs with the
  // library and Node work it calls (its AIUS callees charged to themselves).
  const nearest = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]!)!;
    const dt = profile.timeDeltas[i] ?? 0;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${url.replace(/^file:\/\//, '').replace(/^.*node_modules\/\.pnpm\/[^/]+\/node_modules\//, '').replace(/^.*\/apps\/api\//, 'apps/api/')}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'} ${where}`.trim();
    self.set(key, (self.get(key) ?? 0) + dt);
    fileOf.set(key, where);
    total += dt;
    if (functionName === '(idle)' || functionName === '(program)') continue;
    let owner = 'Node, HTTP parsing, GC (no AIUS or Fastify frame on the stack)';
    for (let id: number | undefined = node.id; id !== undefined; id = parentOf.get(id)) {
      const frameUrl = byId.get(id)!.callFrame.url;
      const file = /\/apps\/api\/dist\/(.*\.js)$/.exec(frameUrl)?.[1];
      if (file && file !== 'main.js') {
        owner = file;
        break;
      }
      // A hook calls the rest of the request's lifecycle from its own stack: stopping at Fastify's
      // lifecycle frames keeps that work off the hook's file.
      if (FASTIFY_LIFECYCLE.test(frameUrl)) {
        owner = 'Fastify request lifecycle (hooks, routing, body reading; no AIUS frame below it)';
        break;
      }
    }
    nearest.set(owner, (nearest.get(owner) ?? 0) + dt);
  }
  const idle = (self.get('(idle)') ?? 0) + (self.get('(program)') ?? 0);
  const busy = total - idle;
  const rows = [...self].filter(([k]) => k !== '(idle)' && k !== '(program)').sort((a, b) => b[1] - a[1]).slice(0, top);
  // The same self time by where the code lives: AIUS's own files, each package, Node's internals.
  const owners = new Map<string, number>();
  for (const [k, v] of self) {
    if (k === '(idle)' || k === '(program)') continue;
    const where = fileOf.get(k)!;
    const owner = where === '' ? 'native / GC' : where.startsWith('apps/api/') ? where.replace(/:\d+$/, '') : where.startsWith('node:') ? 'node internals' : where.includes('/') ? where.split('/')[0]!.startsWith('@') ? where.split('/').slice(0, 2).join('/') : where.split('/')[0]! : 'native / GC';
    owners.set(owner, (owners.get(owner) ?? 0) + v);
  }
  const pct = (v: number) => ((100 * v) / busy).toFixed(1) + (cpuPerRequestUs === undefined ? '' : ` | ${((v / busy) * cpuPerRequestUs).toFixed(1)}`);
  const unit = cpuPerRequestUs === undefined ? '' : ' | µs per request';
  const align = cpuPerRequestUs === undefined ? '' : '---:|';
  return [
    `Busy ${((100 * busy) / total).toFixed(0)} % of the profile (the rest idle). Shares below are of the busy time.`,
    '',
    `| self %${unit} | frame |`,
    `|---:|${align}---|`,
    ...rows.map(([k, v]) => `| ${pct(v)} | \`${k}\` |`),
    '',
    `| self %${unit} | where |`,
    `|---:|${align}---|`,
    ...[...owners].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, v]) => `| ${pct(v)} | ${k} |`),
    '',
    `| with callees %${unit} | nearest AIUS file on the stack |`,
    `|---:|${align}---|`,
    ...[...nearest].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, v]) => `| ${pct(v)} | ${k} |`),
  ].join('\n');
}
