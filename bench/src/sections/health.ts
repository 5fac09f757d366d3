import path from 'node:path';
import type { Section } from '../context.js';
import { atLeast, median } from '../figures.js';
import type { Measurement } from '../measure.js';
import { SERVER_CPU, sparePort } from '../processes.js';
import { num, table } from '../report.js';

const PAIRS = 3;

/** The run with the median throughput. */
function medianRun(runs: Measurement[]): Measurement {
  return [...runs].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond)[Math.floor(runs.length / 2)]!;
}

/**
 * `GET /api/v1/health` on AIUS against the same route on bare Fastify (no framework, no hooks,
 * no logging: the ceiling), saturated, as three alternating pairs: the ratio drifts most with
 * the machine's state (both sides near 10–30k req/s on one core), so each side's median counts.
 */
export const healthSection: Section = {
  name: 'health',
  async setup(ctx) {
    const aius = await ctx.mainAius();
    ctx.log('starting bare Fastify');
    const barePort = await sparePort();
    const bare = await ctx.startServer(
      'bare Fastify',
      process.execPath,
      ['--import', 'tsx', path.join(ctx.root, 'bench/src/servers/bare-fastify.ts')],
      { PORT: String(barePort), NODE_ENV: 'production' },
      `http://127.0.0.1:${barePort}/api/v1/health`,
      { cpu: SERVER_CPU },
    );
    const load = { seconds: ctx.seconds, connections: ctx.connections };
    return async () => {
      const pairs: [Measurement, Measurement][] = [];
      for (let pair = 1; pair <= PAIRS; pair++) {
        pairs.push([
          await ctx.measure(`AIUS \`GET /api/v1/health\` (pair ${pair})`, { ...load, url: `${aius.base}/health`, serverPid: aius.pid }),
          await ctx.measure(`bare Fastify \`GET /api/v1/health\` (pair ${pair})`, { ...load, url: `http://127.0.0.1:${barePort}/api/v1/health`, serverPid: bare.process.pid }, 'peer'),
        ]);
      }
      const a = medianRun(pairs.map(([x]) => x));
      const b = medianRun(pairs.map(([, y]) => y));
      const ratio = (100 * a.requestsPerSecond) / b.requestsPerSecond;
      ctx.figure('health: AIUS / bare Fastify, saturated throughput', ratio, ' %', atLeast(85, '≥ 85 %'));
      const cpu = (runs: Measurement[]) => median(runs.map((m) => m.serverCpuPerRequestUs ?? NaN));
      const cpuRatio = (100 * cpu(pairs.map(([, y]) => y))) / cpu(pairs.map(([x]) => x));
      // Throughput on a pinned core is the inverse of CPU time per request; this one holds when other work shares the core.
      ctx.figure('health: bare Fastify CPU per request / AIUS CPU per request', cpuRatio, ' %', atLeast(85, '≥ 85 %'));
      ctx.figure('health: AIUS CPU per request', cpu(pairs.map(([x]) => x)), ' µs');
      ctx.figure('health: AIUS saturated req/s', a.requestsPerSecond, '');
      ctx.figure('health: bare Fastify saturated req/s', b.requestsPerSecond, '');
      console.log(
        `\n### Health (medians of ${PAIRS} alternating pairs)\n\n` +
          table(['scenario', 'req/s', 'p50 ms', 'p99 ms', 'server CPU µs per request'], [
            ['AIUS `GET /api/v1/health`', num(a.requestsPerSecond), num(a.p50, 2), num(a.p99, 2), num(cpu(pairs.map(([x]) => x)), 1)],
            ['bare Fastify', num(b.requestsPerSecond), num(b.p50, 2), num(b.p99, 2), num(cpu(pairs.map(([, y]) => y)), 1)],
            ['AIUS / bare Fastify, throughput (target ≥ 85 %)', `${num(ratio)} %`, '', '', `${num(cpuRatio)} % (bare / AIUS)`],
          ]),
      );
    };
  },
};
