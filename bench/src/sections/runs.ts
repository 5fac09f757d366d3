import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import type { BenchContext, Section } from '../context.js';
import { below } from '../figures.js';
import type { Measurement } from '../measure.js';
import { LOADGEN_CPU, sparePort } from '../processes.js';
import { mintAiusToken } from './aius.js';

const UPSTREAM_KEY = 'sk-bench-upstream';
const SYSTEM_PROMPT = 'You are the bench agent.';
const TOOL = { type: 'function', function: { name: 'bash', description: 'Run a command', parameters: { type: 'object', properties: { command: { type: 'string' } } } } };
const USER = [{ role: 'user', content: 'Run the tool until you are done.' }];
/** Unmeasured runs first (JIT, connection pools). */
const WARMUP_RUNS = 3;
/** Sockets opened at once while filling the idle runs. */
const OPEN_BATCH = 200;

type Message = Record<string, unknown>;
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/**
 * The run loop (spec §9), against the fake upstream in a process of its own:
 * 1. one run of BENCH_RUN_ROUNDS tool round-trips through AIUS (socket, token re-check, quota,
 *    metering, run record) against the same BENCH_RUN_ROUNDS + 1 upstream calls made directly
 *    with the same growing conversation, BENCH_RUN_REPEATS times each, alternating; the figure is
 *    what AIUS adds per upstream call (target: < 1 ms at p50);
 * 2. BENCH_RUN_IDLE (10 000) idle open runs (each waiting for a tool result, kept alive by
 *    pings): the instance's RSS (target < 1 GiB), and `GET /clients` at BENCH_RATE beside them
 *    against the same without them (target: no effect on its p99).
 */
async function measureRunLoop(ctx: BenchContext): Promise<Measurement[]> {
  const env = process.env;
  const rounds = Number(env.BENCH_RUN_ROUNDS ?? 10);
  const repeats = Number(env.BENCH_RUN_REPEATS ?? 30);
  const idle = Number(env.BENCH_RUN_IDLE ?? 10_000);
  const rate = Number(env.BENCH_RATE ?? 1000);
  const model = `fake-tools-${rounds}`;

  ctx.log('starting the fake upstream (runs)');
  const upstreamPort = await sparePort();
  const upstreamUrl = `http://127.0.0.1:${upstreamPort}/v1`;
  await ctx.startServer(
    'fake upstream (runs)',
    process.execPath,
    ['--import', 'tsx', path.join(ctx.root, 'bench/src/servers/fake-upstream.ts')],
    { PORT: String(upstreamPort), NODE_ENV: 'production' },
    `${upstreamUrl}/models`,
    { cpu: LOADGEN_CPU },
  );
  const dir = await mkdtemp(path.join(tmpdir(), 'aius-bench-agents-'));
  const agentFile = path.join(dir, 'agents.json');
  await writeFile(
    agentFile,
    JSON.stringify({
      prompts: [{ name: 'build', text: SYSTEM_PROMPT }],
      tools: [{ name: 'bash', schema_json: JSON.stringify(TOOL) }],
      agents: [{ name: 'build', prompt_name: 'build', tool_names: ['bash'] }],
    }),
  );
  ctx.log('starting AIUS for the run loop (AGENT_CONFIG_FILE)');
  const aius = await ctx.startAius({
    UPSTREAMS: JSON.stringify([{ name: 'fake', base_url: upstreamUrl, api_key: UPSTREAM_KEY }]),
    AGENT_CONFIG_FILE: agentFile,
    RUN_MAX_ITERATIONS: String(rounds + 5),
    RUN_MAX_OPEN_PER_TOKEN: String(idle + 100),
  });
  const token = await mintAiusToken(aius.base);
  const socketUrl = `${aius.base.replace('http', 'ws')}/runs/ws`;

  ctx.log(`measuring ${repeats} runs of ${rounds} tool round-trips, through AIUS and direct`);
  const added: number[] = [];
  const totals = { aius: [] as number[], direct: [] as number[] };
  for (let i = 0; i < WARMUP_RUNS + repeats; i++) {
    const viaAius = await timedRun(socketUrl, token, model);
    const direct = await directLoop(upstreamUrl, model, rounds);
    if (i < WARMUP_RUNS) continue;
    totals.aius.push(viaAius);
    totals.direct.push(direct);
    added.push((viaAius - direct) / (rounds + 1));
  }
  added.sort((a, b) => a - b);

  ctx.log(`GET /clients at ${rate} req/s without open runs`);
  const clients = { url: `${aius.base}/clients`, headers: { authorization: `Bearer ${token}` }, seconds: ctx.seconds, connections: ctx.connections, rate };
  const before = await ctx.measure(`AIUS \`GET /clients\` at ${rate} req/s, no open runs`, clients);
  ctx.log(`opening ${idle} idle runs`);
  const rssBefore = rssMiB(aius.pid);
  const sockets = await openIdleRuns(socketUrl, token, `fake-tools-1`, idle);
  const rssIdle = rssMiB(aius.pid);
  const beside = await ctx.measure(`AIUS \`GET /clients\` at ${rate} req/s beside ${sockets.length} idle runs`, clients);
  const stillOpen = sockets.filter((s) => s.readyState === WebSocket.OPEN).length;
  for (const s of sockets) s.terminate();

  const ms = (v: number) => v.toFixed(2);
  ctx.figure('runs: added by AIUS per upstream call, p50', percentile(added, 50), ' ms', below(1, '< 1 ms'));
  ctx.figure('runs: AIUS RSS with the idle runs', rssIdle, ' MiB', below(1024, '< 1 GiB'));
  const sortedA = [...totals.aius].sort((a, b) => a - b);
  const sortedD = [...totals.direct].sort((a, b) => a - b);
  console.log(`\n### Run loop\n`);
  console.log(`| scenario | p50 | p99 |\n|---|---:|---:|`);
  console.log(`| one run, ${rounds} tool round-trips (${rounds + 1} upstream calls), through AIUS, ms | ${ms(percentile(sortedA, 50))} | ${ms(percentile(sortedA, 99))} |`);
  console.log(`| the same ${rounds + 1} upstream calls made directly, ms | ${ms(percentile(sortedD, 50))} | ${ms(percentile(sortedD, 99))} |`);
  console.log(`| added by AIUS per upstream call, ms (target < 1 at p50) | ${ms(percentile(added, 50))} | ${ms(percentile(added, 99))} |`);
  console.log(`\n| idle open runs | opened | still open after the load | AIUS RSS before → with them (MiB, target < 1024) | \`GET /clients\` p99 without → beside (ms) |\n|---:|---:|---:|---:|---:|`);
  console.log(`| ${idle} | ${sockets.length} | ${stillOpen} | ${rssBefore} → ${rssIdle} | ${ms(before.p99)} → ${ms(beside.p99)} |`);
  return [before, beside];
}

/** The run loop (`--only runs`): it starts its own servers each round (its idle sockets are not reusable). */
export const runsSection: Section = {
  name: 'runs',
  setup: async (ctx) => async () => {
    await measureRunLoop(ctx);
  },
};

/** One run as the CLI drives it, answering every tool call at once; ms from start to run_completed. */
function timedRun(url: string, token: string, model: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    let started = 0;
    ws.on('open', () => {
      ws.send(JSON.stringify({ type: 'auth', token }));
      started = performance.now();
      ws.send(JSON.stringify({ type: 'start', messages: USER, model }));
    });
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { type: string; tool_call_id?: string; status?: string; detail?: string };
      if (frame.type === 'tool_call') ws.send(JSON.stringify({ type: 'tool_result', tool_call_id: frame.tool_call_id, result: 'ok' }));
      else if (frame.type === 'run_completed') resolve(performance.now() - started);
      else if (frame.type === 'error') reject(new Error(`run failed: ${frame.detail}`));
    });
    ws.on('close', (code) => (code === 1000 ? undefined : reject(new Error(`run socket closed ${code}`))));
    ws.on('error', reject);
  });
}

/** The same upstream calls without AIUS: the agent's system prompt and tool, the conversation growing by each turn. */
async function directLoop(upstreamUrl: string, model: string, rounds: number): Promise<number> {
  const messages: Message[] = [{ role: 'system', content: SYSTEM_PROMPT }, ...USER];
  const started = performance.now();
  for (let call = 0; call <= rounds; call++) {
    const res = await fetch(`${upstreamUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${UPSTREAM_KEY}` },
      body: JSON.stringify({ model, messages, tools: [TOOL], stream: false }),
    });
    const body = (await res.json()) as { choices: { message: { content: string | null; tool_calls?: { id: string }[] } }[] };
    const message = body.choices[0]!.message;
    messages.push({ role: 'assistant', ...message });
    for (const c of message.tool_calls ?? []) messages.push({ role: 'tool', tool_call_id: c.id, content: 'ok' });
  }
  return performance.now() - started;
}

/** Opens `count` runs that each stop at their first tool call and wait (never answered). */
async function openIdleRuns(url: string, token: string, model: string, count: number): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  for (let done = 0; done < count; done += OPEN_BATCH) {
    const batch = Array.from({ length: Math.min(OPEN_BATCH, count - done) }, () => idleRun(url, token, model).catch(() => null));
    for (const s of await Promise.all(batch)) if (s) sockets.push(s);
  }
  return sockets;
}

function idleRun(url: string, token: string, model: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on('open', () => {
      ws.send(JSON.stringify({ type: 'auth', token }));
      ws.send(JSON.stringify({ type: 'start', messages: USER, model }));
    });
    ws.on('message', (data) => {
      if ((JSON.parse(data.toString()) as { type: string }).type === 'tool_call') resolve(ws);
    });
    ws.on('close', (code) => reject(new Error(`closed ${code}`)));
    ws.on('error', reject);
  });
}

/** Resident memory of a process, MiB (Linux). */
function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Math.round(Number(line?.split(/\s+/)[1] ?? 0) / 1024);
}
