import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchContext } from './context.js';
import { requireWrk } from './loadgen/wrk.js';
import { measure } from './measure.js';
import { createDatabase, startAiusProcess, startServer, type Child } from './processes.js';

/**
 * Runs one bench section alone (`probe:runs`, `probe:metrics`): a BenchContext whose AIUS
 * instances and servers are stopped, and databases dropped, when the section is done. Needs a
 * production build. BENCH_SECONDS defaults to 5 here.
 */
export async function probeSection(name: string, section: (ctx: BenchContext) => Promise<unknown>): Promise<void> {
  requireWrk();
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const children: Child[] = [];
  const drops: (() => Promise<void>)[] = [];
  const log = (line: string) => console.error(`[${name}] ${line}`);
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
        const db = await createDatabase(process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres', `aius_${name.replaceAll('-', '_')}`);
        drops.push(db.drop);
        const { child, base } = await startAiusProcess({ root, databaseUrl: db.url, redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379', label: `aius-${name}`, extraEnv });
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
    await section(ctx);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  } finally {
    await Promise.allSettled(children.map((c) => c.stop()));
    await Promise.allSettled(drops.map((d) => d()));
  }
}
