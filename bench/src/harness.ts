import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AiusInstance, BenchContext } from './context.js';
import { Figures } from './figures.js';
import { measure, measureStream, type Measurement } from './measure.js';
import { createDatabase, startAiusProcess, startServer, type Child } from './processes.js';
import { placeServices, type ServicePlacement } from './service-placement.js';
import { mintAiusToken } from './sections/aius.js';

/**
 * The context every section runs in: it starts AIUS instances on fresh databases and other
 * servers, stops and drops them all in `cleanup`, collects the rows of the current run and the
 * figures of every run.
 */
export function createHarness(label: string, options: { seconds: number; connections: number }) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const postgres = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const redis = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const children: Child[] = [];
  const drops: (() => Promise<void>)[] = [];
  const figures = new Figures();
  let rows: Measurement[] = [];
  let main: Promise<AiusInstance & { token: string }> | undefined;
  const log = (line: string) => console.error(`[${label}] ${line}`);
  let placement: Promise<ServicePlacement> | undefined;
  /** Postgres and Redis moved off the servers' core (service-placement.ts) before the first server or database. */
  const placed = () =>
    (placement ??= placeServices(postgres, redis).then((p) => {
      log(p.note);
      return p;
    }));

  const startAius = async (extraEnv: Record<string, string> = {}, nodeArgs: string[] = []): Promise<AiusInstance> => {
    await placed();
    const db = await createDatabase(postgres, 'aius_bench');
    drops.push(db.drop);
    const { child, base } = await startAiusProcess({ root, databaseUrl: db.url, redisUrl: redis, label: 'aius-bench', extraEnv, nodeArgs });
    children.push(child);
    const stop = async () => {
      if (children.includes(child)) children.splice(children.indexOf(child), 1);
      if (drops.includes(db.drop)) drops.splice(drops.indexOf(db.drop), 1);
      await child.stop();
      await db.drop();
    };
    return { base, databaseUrl: db.url, pid: child.process.pid!, stop };
  };

  const ctx: BenchContext = {
    seconds: options.seconds,
    connections: options.connections,
    root,
    measure: async (rowLabel, load, subject = 'aius') => {
      log(`measuring ${rowLabel}`);
      const m = await measure(rowLabel, load, subject);
      rows.push(m);
      return m;
    },
    measureStream: async (rowLabel, load, subject = 'aius') => {
      log(`measuring ${rowLabel}`);
      const m = await measureStream(rowLabel, load, subject);
      rows.push(m);
      return m;
    },
    figure: (name, value, unit, target) => figures.record(name, value, unit, target),
    mainAius: () =>
      (main ??= (async () => {
        log('starting AIUS (node apps/api/dist/main.js) on a fresh database');
        const aius = await startAius();
        return { ...aius, token: await mintAiusToken(aius.base) };
      })()),
    startAius,
    createDatabase: async (dbLabel) => {
      await placed();
      const db = await createDatabase(postgres, dbLabel);
      drops.push(db.drop);
      return db;
    },
    startServer: async (...args) => {
      await placed();
      const child = await startServer(...args);
      children.push(child);
      return child;
    },
    log,
  };

  return {
    ctx,
    root,
    figures,
    /** Starts run `n` (0-based) and returns its rows so far (filled as the run goes). */
    beginRun(n: number): Measurement[] {
      figures.beginRun(n);
      rows = [];
      return rows;
    },
    cleanup,
    /** Where Postgres and Redis run (service-placement.ts), once the first server or database has placed them. */
    servicesNote: async () => (await placed()).note,
    /** A tool's whole run: `main`, its error printed if it fails, then cleanup, then exit (0 only when `main` succeeded). */
    async runTool(main: () => Promise<void>): Promise<never> {
      let exitCode = 1;
      try {
        await main();
        exitCode = 0;
      } catch (error) {
        console.error(error instanceof Error ? (error.stack ?? error.message) : error);
      } finally {
        await cleanup();
      }
      process.exit(exitCode);
    },
  };

  async function cleanup(): Promise<void> {
    await Promise.allSettled(children.map((c) => c.stop()));
    await Promise.allSettled(drops.map((d) => d()));
    if (placement) (await placement.catch(() => null))?.restore();
  }
}
