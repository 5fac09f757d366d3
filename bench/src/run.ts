import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchContext } from './context.js';
import { requireWrk } from './loadgen/wrk.js';
import { measure, type Measurement } from './measure.js';
import { createDatabase, pinning, SERVER_CPU, sparePort, startAiusProcess, startServer, type Child } from './processes.js';
import { printReport } from './report.js';
import { mintAiusToken } from './sections/aius.js';
// Hook: the chat-proxy section is the proxy helper's (see sections/proxy.ts).
import { proxySection } from './sections/proxy.js';
import { metricsSection } from './sections/metrics.js';
import { runsSection } from './sections/runs.js';

/**
 * `pnpm bench`: AIUS (production build, real Postgres and Redis, rate limiting on but with
 * limits raised so the load is not throttled) against bare Fastify and against better-auth
 * with its API-key plugin, in one run on one machine. Saturated runs use wrk, fixed-rate runs
 * loadtest (open loop), each in a process of its own on CPU 1 while the servers under test run
 * on CPU 0 (see measure.ts and processes.ts). Knobs: BENCH_SECONDS (measured seconds per run,
 * default 10), BENCH_CONNECTIONS (50, saturated runs), BENCH_RATE (fixed-rate run, 1000 req/s),
 * BENCH_PIN (0 = no CPU pinning), BENCH_DATABASE_URL (a Postgres server; fresh databases are
 * created and dropped), BENCH_REDIS_URL.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const env = process.env;
const seconds = Number(env.BENCH_SECONDS ?? 10);
const connections = Number(env.BENCH_CONNECTIONS ?? 50);
const fixedRate = Number(env.BENCH_RATE ?? 1000);
const HEALTH_PAIRS = 3;

/** The run with the median throughput, relabelled. */
function median(runs: Measurement[], label: string): Measurement {
  const sorted = [...runs].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
  return { ...sorted[Math.floor(sorted.length / 2)]!, label };
}
const postgres = env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const redis = env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

requireWrk();
const apiMain = path.join(root, 'apps/api/dist/main.js');
if (!existsSync(apiMain)) {
  console.error(`No production build at ${apiMain}: run \`pnpm build\` (the root \`pnpm bench\` does it first).`);
  process.exit(1);
}

const children: Child[] = [];
const cleanups: (() => Promise<void>)[] = [];
async function cleanup(): Promise<void> {
  await Promise.allSettled(children.map((c) => c.stop()));
  await Promise.allSettled(cleanups.map((c) => c()));
}
process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));

/** AIUS from its production build on a fresh database; `extraEnv` adds settings (e.g. UPSTREAMS). */
async function startAius(extraEnv: Record<string, string> = {}): Promise<{ base: string; databaseUrl: string; pid: number }> {
  const db = await createDatabase(postgres, 'aius_bench');
  cleanups.push(db.drop);
  const { child, base } = await startAiusProcess({ root, databaseUrl: db.url, redisUrl: redis, label: 'aius-bench', extraEnv });
  children.push(child);
  return { base, databaseUrl: db.url, pid: child.process.pid! };
}

try {
  const log = (line: string) => console.error(`[bench] ${line}`);
  log(pinning().note);

  log('starting AIUS (node apps/api/dist/main.js) on a fresh database');
  const { base: aiusBase } = await startAius();
  const token = await mintAiusToken(aiusBase);

  log('starting bare Fastify');
  const barePort = await sparePort();
  children.push(
    await startServer(
      'bare Fastify',
      process.execPath,
      ['--import', 'tsx', path.join(root, 'bench/src/servers/bare-fastify.ts')],
      { PORT: String(barePort), NODE_ENV: 'production' },
      `http://127.0.0.1:${barePort}/api/v1/health`,
      { cpu: SERVER_CPU },
    ),
  );

  log('starting better-auth + @better-auth/api-key on its own database');
  const peerDb = await createDatabase(postgres, 'aius_bench_better_auth');
  cleanups.push(peerDb.drop);
  const peerPort = await sparePort();
  const peer = await startServer(
    'better-auth',
    process.execPath,
    ['--import', 'tsx', path.join(root, 'bench/src/servers/better-auth-peer.ts')],
    { PORT: String(peerPort), DATABASE_URL: peerDb.url, NODE_ENV: 'production' },
    `http://127.0.0.1:${peerPort}/health`,
    { cpu: SERVER_CPU },
  );
  children.push(peer);
  const peerKey = peer.output.find((l) => l.startsWith('BENCH_KEY='))?.slice('BENCH_KEY='.length);
  if (!peerKey) throw new Error('better-auth peer printed no API key');

  const bearer = { authorization: `Bearer ${token}` };
  const load = { seconds, connections };
  const rows: Measurement[] = [];
  const run = async (label: string, l: Parameters<typeof measure>[1]) => {
    log(`measuring ${label}`);
    const m = await measure(label, l);
    rows.push(m);
    return m;
  };

  // The health ratio is the most drift-prone figure (both sides near 10-30k req/s on one
  // core), so it is measured as three alternating pairs and each side's median is reported.
  const healthPairs: [Measurement, Measurement][] = [];
  for (let pair = 1; pair <= HEALTH_PAIRS; pair++) {
    log(`measuring health, pair ${pair} of ${HEALTH_PAIRS}`);
    healthPairs.push([
      await measure(`AIUS \`GET /api/v1/health\` (run ${pair})`, { ...load, url: `${aiusBase}/health` }),
      await measure(`bare Fastify \`GET /api/v1/health\` (run ${pair})`, { ...load, url: `http://127.0.0.1:${barePort}/api/v1/health` }),
    ]);
    rows.push(...healthPairs[pair - 1]!);
  }
  const aiusHealth = median(healthPairs.map(([a]) => a), `AIUS \`GET /api/v1/health\` (median of ${HEALTH_PAIRS} runs)`);
  const bareHealth = median(healthPairs.map(([, b]) => b), `bare Fastify \`GET /api/v1/health\` (median of ${HEALTH_PAIRS} runs)`);
  const aiusAuth = await run('AIUS `GET /api/v1/clients` (bearer)', { ...load, url: `${aiusBase}/clients`, headers: bearer });
  const peerAuth = await run('better-auth + api-key `GET /clients` (API key)', {
    ...load,
    url: `http://127.0.0.1:${peerPort}/api/v1/clients`,
    headers: { authorization: `Bearer ${peerKey}` },
  });
  const fixed = await run(`AIUS \`GET /api/v1/clients\` (bearer) at a fixed ${fixedRate} req/s`, {
    seconds,
    connections,
    rate: fixedRate,
    url: `${aiusBase}/clients`,
    headers: bearer,
  });

  const ctx: BenchContext = {
    aiusBase,
    token,
    seconds,
    connections,
    root,
    measure: (label, l) => run(label, l),
    startAius,
    startServer: async (...args) => {
      const child = await startServer(...args);
      children.push(child);
      return child;
    },
    log,
  };
  await proxySection(ctx);
  if (env.BENCH_RUNS !== '0') await runsSection(ctx);
  if (env.BENCH_METRICS !== '0') await metricsSection(ctx);

  printReport({ rows, aiusAuth, aiusHealth, bareHealth, peerAuth, fixed, fixedRate, seconds, connections, pinning: pinning().note });
  const lost = rows.reduce((n, r) => n + r.status5xx + r.errors + r.timeouts, 0);
  process.exitCode = lost === 0 ? 0 : 1;
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await cleanup();
}
