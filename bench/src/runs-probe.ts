import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchContext } from './context.js';
import { requireWrk } from './loadgen/wrk.js';
import { measure } from './measure.js';
import { createDatabase, startAiusProcess, startServer, type Child } from './processes.js';
import { runsSection } from './sections/runs.js';

/**
 * `pnpm --filter @aius/bench probe:runs`: the run-loop section alone (sections/runs.ts), with
 * its knobs (BENCH_RUN_ROUNDS, BENCH_RUN_REPEATS, BENCH_RUN_IDLE, BENCH_RATE, BENCH_SECONDS),
 * for a quick check without the whole `pnpm bench`. Needs a production build.
 */
requireWrk();
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const children: Child[] = [];
const drops: (() => Promise<void>)[] = [];
const log = (line: string) => console.error(`[runs-probe] ${line}`);
try {
  const ctx: BenchContext = {
    aiusBase: '',
    token: '',
    seconds: Number(process.env.BENCH_SECONDS ?? 5),
    connections: Number(process.env.BENCH_CONNECTIONS ?? 50),
    root,
    measure: (label, load) => {
      log(`measuring ${label}`);
      return measure(label, load);
    },
    startAius: async (extraEnv = {}) => {
      const db = await createDatabase(process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres', 'aius_runs_probe');
      drops.push(db.drop);
      const { child, base } = await startAiusProcess({ root, databaseUrl: db.url, redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379', label: 'aius-runs-probe', extraEnv });
      children.push(child);
      return { base, databaseUrl: db.url, pid: child.process.pid! };
    },
    startServer: async (...args) => {
      const child = await startServer(...args);
      children.push(child);
      return child;
    },
    log,
  };
  await runsSection(ctx);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await Promise.allSettled(children.map((c) => c.stop()));
  await Promise.allSettled(drops.map((d) => d()));
}
