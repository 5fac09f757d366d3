import path from 'node:path';
import type { Section } from '../context.js';
import { atLeast, below } from '../figures.js';
import { SERVER_CPU, sparePort } from '../processes.js';
import { num, table } from '../report.js';

/**
 * Authenticated `GET /api/v1/clients`: AIUS with a bearer token against better-auth 1.7.25 with
 * `@better-auth/api-key` (its own database), saturated; then AIUS at a fixed BENCH_RATE (1 000 req/s).
 */
export const clientsSection: Section = {
  name: 'clients',
  async setup(ctx) {
    const aius = await ctx.mainAius();
    const rate = Number(process.env.BENCH_RATE ?? 1000);
    ctx.log('starting better-auth + @better-auth/api-key on its own database');
    const peerDb = await ctx.createDatabase('aius_bench_better_auth');
    const peerPort = await sparePort();
    const peer = await ctx.startServer(
      'better-auth',
      process.execPath,
      ['--import', 'tsx', path.join(ctx.root, 'bench/src/servers/better-auth-peer.ts')],
      { PORT: String(peerPort), DATABASE_URL: peerDb.url, NODE_ENV: 'production' },
      `http://127.0.0.1:${peerPort}/health`,
      { cpu: SERVER_CPU },
    );
    const peerKey = peer.output.find((l) => l.startsWith('BENCH_KEY='))?.slice('BENCH_KEY='.length);
    if (!peerKey) throw new Error('better-auth peer printed no API key');
    const load = { seconds: ctx.seconds, connections: ctx.connections };
    const bearer = { authorization: `Bearer ${aius.token}` };
    return async () => {
      const own = await ctx.measure('AIUS `GET /api/v1/clients` (bearer), saturated', { ...load, url: `${aius.base}/clients`, headers: bearer });
      const other = await ctx.measure(
        'better-auth + api-key `GET /clients` (API key), saturated',
        { ...load, url: `http://127.0.0.1:${peerPort}/api/v1/clients`, headers: { authorization: `Bearer ${peerKey}` } },
        'peer',
      );
      const fixed = await ctx.measure(`AIUS \`GET /api/v1/clients\` (bearer) at ${rate} req/s`, { ...load, rate, url: `${aius.base}/clients`, headers: bearer });
      ctx.figure('clients: AIUS / better-auth, saturated throughput', own.requestsPerSecond / other.requestsPerSecond, '×', atLeast(1, '> 1×'));
      ctx.figure('clients: better-auth p99 / AIUS p99, saturated', other.p99 / own.p99, '×', atLeast(1, '> 1×'));
      ctx.figure(`clients: AIUS p99 at ${rate} req/s`, fixed.p99, ' ms', below(10, '< 10 ms'));
      console.log(
        `\n### Authenticated \`GET /clients\`\n\n` +
          table(['comparison', 'value', 'target'], [
            ['AIUS / better-auth, saturated throughput', `${num(own.requestsPerSecond / other.requestsPerSecond, 2)}×`, '> 1'],
            ['better-auth / AIUS, saturated p99', `${num(other.p99 / own.p99, 2)}×`, '> 1'],
            [`AIUS p99 at ${rate} req/s (achieved ${num(fixed.requestsPerSecond, 1)} req/s)`, `${num(fixed.p99, 1)} ms`, '< 10 ms'],
          ]),
      );
    };
  },
};
