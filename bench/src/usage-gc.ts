import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createHarness } from './harness.js';
import { startAiusProcess, type Child } from './processes.js';
import { mintAiusToken } from './sections/aius.js';
import { seedUsage } from './sections/usage-seed.js';
import { num, table } from './report.js';

/**
 * `pnpm --filter @aius/bench usage-gc [--calls 2000] [--rounds 2] [--builds apps/api/dist,apps/api/dist-before] [--node-args=--single-threaded-gc]`:
 * the usage section's read (GET /usage for 90 days, one call after another) against each AIUS build
 * given, started with `--trace-gc-nvp`, in alternating rounds; per round, what does not move with the
 * machine's load: young (scavenge) and full (mark-compact) collections, their pauses, bytes allocated
 * and promoted per call, and the server's CPU time per call, beside the latencies (which do move).
 * BENCH_USAGE_EVENTS (default 30 000) are seeded: the read depends on days × models, not on events.
 */
const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '2' },
    builds: { type: 'string', default: 'apps/api/dist' },
    'node-args': { type: 'string', default: '' },
  },
});
const calls = Number(values.calls);
const harness = createHarness('usage-gc', { seconds: 1, connections: 1 });
const { ctx } = harness;
const DAYS = 90;

interface Target {
  name: string;
  child: Child;
  url: string;
  auth: Record<string, string>;
}

/** utime + stime of a process, in ms (Linux /proc; clock ticks of 10 ms). */
const cpuMs = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
};

/** The `--trace-gc-nvp` lines the child printed since `output` was emptied, summed per kind. */
function collections(lines: string[]) {
  const sum = { scavenges: 0, scavengeMs: 0, scavengeMaxMs: 0, fulls: 0, fullMs: 0, allocated: 0, promoted: 0 };
  // A pipe chunk can end mid-line: a trace line starts with `[pid:isolate]`, anything else continues the one before.
  const whole = lines.reduce<string[]>((all, l) => (l.startsWith('[') || all.length === 0 ? all.push(l) : (all[all.length - 1] += l), all), []);
  for (const line of whole) {
    const field = (name: string) => Number(new RegExp(`\\b${name}=([\\d.]+)`).exec(line)?.[1] ?? 0);
    const kind = /\bgc=(\w+)/.exec(line)?.[1];
    if (kind === 's') {
      sum.scavenges++;
      sum.scavengeMs += field('pause');
      sum.scavengeMaxMs = Math.max(sum.scavengeMaxMs, field('pause'));
      sum.promoted += field('promoted');
    } else if (kind === 'mc' || kind === 'mmc') {
      sum.fulls++;
      sum.fullMs += field('pause');
    } else continue;
    sum.allocated += field('allocated');
  }
  return sum;
}

await harness.runTool(async () => {
  const targets: Target[] = [];
  for (const build of values.builds.split(',')) {
    const main = path.resolve(harness.root, build, 'main.js');
    if (!existsSync(main)) throw new Error(`no ${main}`);
    const db = await ctx.createDatabase('aius_usage_gc');
    const nodeArgs = ['--trace-gc-nvp', ...values['node-args'].split(' ').filter(Boolean)];
    const { child, base } = await startAiusProcess({ root: harness.root, databaseUrl: db.url, redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379', label: 'aius-usage-gc', main, nodeArgs });
    const auth = { authorization: `Bearer ${await mintAiusToken(base)}` };
    const clientId = ((await (await fetch(`${base}/clients`, { headers: auth })).json()) as { data: { id: string }[] }).data[0]!.id;
    await seedUsage(db.url, { clientId, userId: 'usr_bench', tokenId: 1, events: Number(process.env.BENCH_USAGE_EVENTS ?? 30_000), days: DAYS });
    const to = new Date();
    const from = new Date(to.getTime() - (DAYS - 1) * 86_400_000);
    const url = `${base}/usage?org_id=${clientId}&from=${from.toISOString().slice(0, 10)}&to=${to.toISOString().slice(0, 10)}`;
    targets.push({ name: `${build}${values['node-args'] ? ` ${values['node-args']}` : ''}`, child, url, auth });
  }
  const call = async (t: Target) => {
    const res = await fetch(t.url, { headers: t.auth });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`GET /usage answered ${res.status}`);
  };
  for (const t of targets) for (let i = 0; i < 300; i++) await call(t);

  const rows: string[][] = [];
  for (let round = 1; round <= Number(values.rounds); round++) {
    for (const t of targets) {
      const load = readFileSync('/proc/loadavg', 'utf8').split(' ')[0]!;
      t.child.output.splice(0); // the child keeps its last 200 lines: a round prints a few dozen
      const cpu0 = cpuMs(t.child.process.pid!);
      const times: number[] = [];
      for (let i = 0; i < calls; i++) {
        const started = performance.now();
        await call(t);
        times.push(performance.now() - started);
      }
      const cpu = cpuMs(t.child.process.pid!) - cpu0;
      await new Promise((r) => setTimeout(r, 200)); // the last trace lines reach the pipe
      const gc = collections(t.child.output);
      times.sort((a, b) => a - b);
      const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
      rows.push([
        String(round), t.name, load,
        num(at(0.5), 2), num(at(0.99), 2), num(times.at(-1)!, 1),
        `${gc.scavenges} · ${num(gc.scavengeMs, 0)} ms (max ${num(gc.scavengeMaxMs, 1)})`,
        `${gc.fulls} · ${num(gc.fullMs, 0)} ms`,
        num(gc.allocated / calls / 1024, 0), num(gc.scavenges ? gc.promoted / gc.scavenges / 1024 : 0, 0),
        num((cpu * 1000) / calls, 0),
      ]);
    }
  }
  console.log(`\n### GET /usage, ${DAYS} days, ${num(calls)} sequential calls per round\n\n${table(
    ['round', 'build', 'load (1 min)', 'p50 ms', 'p99 ms', 'max ms', 'scavenges · pause', 'full GCs · pause', 'KB allocated / call', 'KB promoted / scavenge', 'server CPU µs / call'],
    rows,
  )}`);
});
