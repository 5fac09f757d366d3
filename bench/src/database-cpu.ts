import { readFileSync } from 'node:fs';
import pg from 'pg';

/**
 * CPU time (user + system, ms) of the Postgres backends serving one database so far, per backend
 * pid (pg_stat_activity, read from the server the database is on; /proc/PID/stat, so only on the
 * machine Postgres runs on). The bench keeps Postgres off the server's core (service-placement.ts),
 * so the server's own CPU does not include it; what its backends spend for that server's writes is
 * still part of what a request costs, and this is how the bench sees it.
 */
export async function databaseBackendsCpuMs(databaseUrl: string): Promise<Map<number, number>> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [name]);
    const cpu = new Map<number, number>();
    for (const { pid } of rows) {
      try {
        cpu.set(pid, processCpuMs(pid));
      } catch {
        // A backend that ended between the query and the read spent nothing more.
      }
    }
    return cpu;
  } finally {
    await client.end();
  }
}

/** What the backends spent between two readings; a backend that started in between counts from 0, one that ended is lost. */
export function databaseCpuSpentMs(before: Map<number, number>, after: Map<number, number>): number {
  let spent = 0;
  for (const [pid, ms] of after) spent += ms - (before.get(pid) ?? 0);
  return spent;
}

/**
 * User + system CPU time of a process so far, in ms (/proc/PID/stat counts in clock ticks, 100 a
 * second on Linux); with `thread`, of that thread alone (the process's own pid: its main thread).
 */
export function processCpuMs(pid: number, thread?: number): number {
  const stat = readFileSync(thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces, hence the last ')'): utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
