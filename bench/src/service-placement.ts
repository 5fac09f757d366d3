import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import pg from 'pg';
import { LOADGEN_CPU, pinning } from './processes.js';

/** Where the bench put Postgres and Redis, and how to put them back. */
export interface ServicePlacement {
  /** For the report, e.g. "Postgres and Redis on CPU 1". */
  note: string;
  /** Gives every process moved (and every Postgres backend started since) its affinity from before. */
  restore(): void;
}

/**
 * Moves the machine's Postgres and Redis off the servers' core, onto the load generator's, for
 * the bench's life. They are the servers' dependencies, not what is measured: left unpinned, the
 * scheduler runs them on the server's core whenever it likes, and the server's throughput and CPU
 * per request then carry some of Postgres's work for it (metering and ledger writes: ~10 µs of
 * Postgres CPU per chat call with credits on) and whatever else Postgres does meanwhile
 * (autovacuum, checkpoints). In a deployment Postgres has a machine of its own; its CPU per
 * request is reported on its own where a section measures it (database-cpu.ts).
 *
 * Only a local Postgres and Redis can be moved (their pids are found from the server: a backend's
 * parent is the postmaster, whose children inherit its affinity, so later backends follow; Redis
 * answers its `process_id`), and only by a user allowed to (root, or their owner). Otherwise, or
 * with BENCH_PIN_SERVICES=0, or when pinning is off, they are left as they are and the note says so.
 */
export async function placeServices(postgresUrl: string, redisUrl: string): Promise<ServicePlacement> {
  const left = (why: string): ServicePlacement => ({ note: `Postgres and Redis unpinned (${why})`, restore: () => {} });
  if (!pinning().enabled) return left('pinning is off');
  if (process.env.BENCH_PIN_SERVICES === '0') return left('BENCH_PIN_SERVICES=0');
  const moved: { name: string; restore: () => void }[] = [];
  const skipped: string[] = [];
  for (const [name, find] of [
    ['Postgres', () => postmasterPid(postgresUrl)],
    ['Redis', () => redisPid(redisUrl)],
  ] as const) {
    try {
      const pid = await find();
      if (pid === null) {
        skipped.push(`${name}: not a process of this machine`);
        continue;
      }
      moved.push({ name, restore: name === 'Postgres' ? moveTree(pid, LOADGEN_CPU) : move([pid], LOADGEN_CPU) });
    } catch (error) {
      skipped.push(`${name}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    }
  }
  const on = moved.map((m) => m.name).join(' and ');
  const note = [on && `${on} on CPU ${LOADGEN_CPU} with the load generator`, skipped.length > 0 && `not moved: ${skipped.join('; ')}`].filter(Boolean).join('; ');
  return {
    note,
    restore: () => {
      for (const m of moved.splice(0)) m.restore();
    },
  };
}

async function postmasterPid(url: string): Promise<number | null> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const backend = rows[0]!.pid;
    // A pid from another pid namespace (Postgres in a container) may name some other process here.
    if (!isProcess(backend, 'postgres')) return null;
    const postmaster = parentOf(backend);
    return isProcess(postmaster, 'postgres') ? postmaster : null;
  } finally {
    await client.end();
  }
}

async function redisPid(url: string): Promise<number | null> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  // The failure reaches the caller through connect()'s rejection; this keeps ioredis from also printing it.
  redis.on('error', () => {});
  try {
    await redis.connect();
    const match = /process_id:(\d+)/.exec(await redis.info('server'));
    return match && isProcess(Number(match[1]), 'redis-server') ? Number(match[1]) : null;
  } finally {
    redis.disconnect();
  }
}

/** Whether PID is a process of this machine whose name starts with `name` (/proc/PID/comm). */
function isProcess(pid: number, name: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith(name);
  } catch {
    return false;
  }
}

/** The parent pid from /proc/PID/status. */
function parentOf(pid: number): number {
  return Number(/^PPid:\s+(\d+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
}

function childrenOf(parent: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (parentOf(Number(entry)) === parent) pids.push(Number(entry));
    } catch {
      // Gone since the listing.
    }
  }
  return pids;
}

/** The process and its children now on `cpu`; its restore puts back the parent's mask, on the children that exist then too. */
function moveTree(parent: number, cpu: number): () => void {
  const mask = affinity(parent);
  move([parent, ...childrenOf(parent)], cpu);
  return () => setAffinity([parent, ...childrenOf(parent)], mask);
}

/** The processes (all their threads) on `cpu`; the restore puts back each one's mask from before. */
function move(pids: number[], cpu: number): () => void {
  const before = pids.map((pid) => [pid, affinity(pid)] as const);
  const restore = () => {
    for (const [pid, mask] of before) setAffinity([pid], mask);
  };
  try {
    setAffinity(pids, (1 << cpu).toString(16), true);
  } catch (error) {
    restore();
    throw error;
  }
  return restore;
}

/** A process's affinity mask (hex, as taskset prints and takes it). */
function affinity(pid: number): string {
  return /:\s*([0-9a-f]+)\s*$/.exec(execFileSync('taskset', ['-p', String(pid)], { encoding: 'utf8' }))![1]!;
}

/** Sets the mask on every thread of each process; one that has exited meanwhile is skipped unless `strict` (the first move must work). */
function setAffinity(pids: number[], mask: string, strict = false): void {
  for (const pid of pids) {
    try {
      execFileSync('taskset', ['-a', '-p', mask, String(pid)], { stdio: 'ignore' });
    } catch (error) {
      if (strict && existsSync(`/proc/${pid}`)) throw new Error(`taskset could not move pid ${pid} (not allowed?)`, { cause: error });
    }
  }
}
