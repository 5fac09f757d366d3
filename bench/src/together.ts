import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { median } from './figures.js';
import { createHarness } from './harness.js';
import { requireWrk } from './loadgen/wrk.js';
import { type Load, saturatedTogether, warmUpSaturated } from './measure.js';
import { parseBuild, startAiusProcess } from './processes.js';
import { type Profile, selfShares } from './profile-summary.js';
import { benchUser, CREDITS_ENV } from './sections/credits.js';
import { startUpstream, UPSTREAM_KEY } from './sections/proxy.js';

/**
 * `pnpm --filter @aius/bench together [--rounds 6] [--seconds 10] [--sets 2] [--warmup 20] [--cpu-prof] [--node-args=…] --builds apps/api/dist+credits,apps/api/dist,apps/api/dist`:
 * the chat proxy through each AIUS build given, all saturated AT THE SAME TIME on the servers'
 * shared core (one wrk each), in rounds; each build's throughput relative to the second one's
 * (the reference), per round, and its CPU per call.
 * Why together: on this shared machine a fresh process of the same build runs up to 2× slower than
 * another for tens of seconds (its whole process, user and system time alike), so builds measured
 * one after another compare the host's moods as much as the builds. Saturated side by side on one
 * core, the scheduler gives each process an equal share of the same CPU at the same moments, and
 * the throughput ratio is the inverse ratio of their CPU per call under identical conditions.
 * `--sets`: how many times every instance is started afresh (one process's JIT luck spread over
 * several). `--warmup`: seconds every instance of a set is first saturated, all at once, unmeasured
 * (0: each warmed alone until its throughput settles, as every saturated bench run is). `--cpu-prof`: every instance runs under `node --cpu-prof`, and the frames whose self time
 * per call differs most between the first build and the reference are listed (both profiled at the
 * same moments, so the host's slow spells weigh on both alike). `--node-args=...`: node options for
 * every instance (a diagnostic, e.g. V8's collector flags). Builds and their settings are written as in `cpu` (`dir+credits+NAME=value`);
 * `+credits` grants the bench user's client the largest balance, as the credits section does.
 */
const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '6' },
    seconds: { type: 'string', default: '10' },
    sets: { type: 'string', default: '2' },
    warmup: { type: 'string', default: '20' },
    builds: { type: 'string', default: 'apps/api/dist+credits,apps/api/dist,apps/api/dist' },
    'cpu-prof': { type: 'boolean', default: false },
    'node-args': { type: 'string', default: '' },
    top: { type: 'string', default: '25' },
  },
});
requireWrk();
process.env.BENCH_WARMUP_MAX_SECONDS ??= '15';
const seconds = Number(values.seconds);
const harness = createHarness('together', { seconds, connections: Number(process.env.BENCH_CONNECTIONS ?? 50) });
const { ctx } = harness;
const CHAT_BODY = JSON.stringify({ model: 'gpt-fake', messages: [{ role: 'user', content: 'Say hello' }] });

await harness.runTool(async () => {
  const upstreamUrl = await startUpstream(ctx, 'fake upstream');
  const upstreams = JSON.stringify([{ name: 'fake', base_url: upstreamUrl, api_key: UPSTREAM_KEY, models: ['gpt-fake'] }]);
  const builds = values.builds.split(',');
  const ratios = builds.map(() => [] as number[]);
  const cpu = builds.map(() => [] as number[]);
  const mainThread = builds.map(() => [] as number[]);
  /** Per build, each set's profile directory (--cpu-prof). */
  const profiles = builds.map(() => [] as string[]);
  for (let set = 1; set <= Number(values.sets); set++) {
    const loads: Load[] = [];
    const stops: (() => Promise<void>)[] = [];
    for (const build of builds) {
      const { main, credits, env } = parseBuild(harness.root, build);
      const db = await ctx.createDatabase('aius_together');
      const profileDir = values['cpu-prof'] ? mkdtempSync(path.join(tmpdir(), 'aius-together-prof-')) : undefined;
      if (profileDir) profiles[loads.length]!.push(profileDir);
      const { child, base } = await startAiusProcess({
        root: harness.root,
        databaseUrl: db.url,
        redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
        label: 'aius-together',
        main,
        nodeArgs: [...values['node-args'].split(' ').filter(Boolean), ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])],
        extraEnv: { UPSTREAMS: upstreams, ...(credits && CREDITS_ENV), ...env },
      });
      stops.push(() => child.stop());
      const { headers } = await benchUser(base, credits);
      loads.push({ url: `${base}/chat/completions`, method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: CHAT_BODY, seconds, connections: ctx.connections, serverPid: child.process.pid! });
    }
    // Warmed together too (--warmup seconds, all at once): JIT tiers settle under the same load they are measured in, and a set costs one warm-up, not one per build.
    if (Number(values.warmup) > 0) await saturatedTogether(loads.map((l) => ({ ...l, seconds: Number(values.warmup) })));
    else for (const load of loads) await warmUpSaturated(load);
    for (let round = 1; round <= Number(values.rounds); round++) {
      const results = await saturatedTogether(loads);
      for (const [b, r] of results.entries()) {
        if (r.non2xx > 0 || r.errors > 0) throw new Error(`${builds[b]}: ${r.non2xx} non-2xx, ${r.errors} errors`);
        ratios[b]!.push(r.requestsPerSecond / results[1]!.requestsPerSecond);
        cpu[b]!.push(r.serverCpuPerRequestUs!);
        mainThread[b]!.push(r.mainThreadCpuPerRequestUs!);
      }
      ctx.log(`set ${set}, round ${round}: ${results.map((r, b) => `${builds[b]} ${Math.round(r.requestsPerSecond)} req/s ${r.serverCpuPerRequestUs!.toFixed(0)} µs (main thread ${r.mainThreadCpuPerRequestUs!.toFixed(0)})`).join(' · ')}`);
    }
    // SIGTERM: the graceful shutdown exits, and node writes the profile.
    for (const stop of stops) await stop();
  }
  console.log(`| build | throughput / ${builds[1]}, median | each round | CPU µs per call, median | of it the main thread's | the other threads' |`);
  console.log('|---|---:|---|---:|---:|---:|');
  for (const [b, build] of builds.entries()) {
    const others = cpu[b]!.map((c, i) => c - mainThread[b]![i]!);
    console.log(`| ${build} | ${median(ratios[b]!).toFixed(3)} | ${ratios[b]!.map((r) => r.toFixed(3)).join(', ')} | ${median(cpu[b]!).toFixed(1)} | ${median(mainThread[b]!).toFixed(1)} | ${median(others).toFixed(1)} |`);
  }
  if (!values['cpu-prof']) return;
  const first = perCall(profiles[0]!, median(cpu[0]!));
  const reference = perCall(profiles[1]!, median(cpu[1]!));
  const frames = [...new Set([...first.keys(), ...reference.keys()])].map((k) => ({ k, a: first.get(k) ?? 0, b: reference.get(k) ?? 0 }));
  frames.sort((x, y) => Math.abs(y.a - y.b) - Math.abs(x.a - x.b));
  console.log(`\n| frame | ${builds[0]} µs per call | ${builds[1]} µs per call | difference |`);
  console.log('|---|---:|---:|---:|');
  for (const f of frames.slice(0, Number(values.top))) console.log(`| \`${f.k}\` | ${f.a.toFixed(2)} | ${f.b.toFixed(2)} | ${(f.a - f.b).toFixed(2)} |`);
});

/** Each build's frames in µs per call (profile shares, averaged over its sets, times its median CPU per call). */
function perCall(dirs: string[], cpuPerCallUs: number): Map<string, number> {
  const sum = new Map<string, number>();
  for (const dir of dirs) {
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error(`no profile written in ${dir}`);
    for (const [k, share] of selfShares(JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Profile)) sum.set(k, (sum.get(k) ?? 0) + (share * cpuPerCallUs) / dirs.length);
  }
  return sum;
}
