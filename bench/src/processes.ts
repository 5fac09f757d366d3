import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { createDatabase as createTestDatabase } from '@aius/test-support';

/** Whether `command` is an executable file in one of PATH's directories. */
export function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => {
    try {
      accessSync(path.join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** The core every server under test runs on, and the one the load generator and the fake upstream share. */
export const SERVER_CPU = 0;
export const LOADGEN_CPU = 1;

let pinningState: { enabled: boolean; note: string } | undefined;

/**
 * Whether processes the bench starts are pinned with `taskset` (servers under test on
 * SERVER_CPU, the load generator and the fake upstream on LOADGEN_CPU), and a line saying so
 * for the report. Off with BENCH_PIN=0, on a machine with one CPU, or without `taskset`.
 * Postgres and Redis, the machine's services, are moved by service-placement.ts.
 */
export function pinning(): { enabled: boolean; note: string } {
  if (pinningState) return pinningState;
  if (process.env.BENCH_PIN === '0') pinningState = { enabled: false, note: 'unpinned (BENCH_PIN=0)' };
  else if (availableParallelism() < 2) pinningState = { enabled: false, note: 'unpinned: this machine has only 1 CPU' };
  else if (!onPath('taskset')) pinningState = { enabled: false, note: 'unpinned: `taskset` (util-linux) is not on PATH' };
  else
    pinningState = {
      enabled: true,
      note: `pinned with taskset: servers under test on CPU ${SERVER_CPU}, load generator and fake upstream on CPU ${LOADGEN_CPU}`,
    };
  return pinningState;
}

/** `command args` run on `cpu` (`taskset -c cpu command args`), or as it is when pinning is off. */
export function pinned(cpu: number, command: string, args: string[]): { command: string; args: string[] } {
  return pinning().enabled ? { command: 'taskset', args: ['-c', String(cpu), command, ...args] } : { command, args };
}

/** A free TCP port on loopback (the servers under test each get their own). */
export async function sparePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface Child {
  process: ChildProcess;
  /** Lines the child printed (stdout and stderr), for error reports. */
  output: string[];
  stop(): Promise<void>;
}

/**
 * Starts a server process on core `placement.cpu` (see `pinned`) and waits until `readyUrl`
 * answers 200 (or the process dies). taskset execs the command, so the child's pid is the server's.
 */
export async function startServer(
  name: string,
  command: string,
  args: string[],
  env: Record<string, string>,
  readyUrl: string,
  placement: { cpu: number },
): Promise<Child> {
  const run = pinned(placement.cpu, command, args);
  const child = spawn(run.command, run.args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const collect = (chunk: Buffer) => {
    output.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (output.length > 200) output.splice(0, output.length - 200);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
    });
  };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    const ok = await fetch(readyUrl).then((r) => r.ok, () => false);
    if (ok) return { process: child, output, stop };
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error(`${name} did not start:\n${output.slice(-30).join('\n')}`);
}

/** A fresh database on the machine's Postgres, dropped at the end of the run. */
export function createDatabase(serverUrl: string, label: string): Promise<{ url: string; drop(): Promise<void> }> {
  return createTestDatabase({ server: serverUrl, prefix: label });
}

/**
 * One build as the `cpu` and `together` tools spell it, `dir+credits+NAME=value…`: the entry
 * point `dir/main.js` under `root`, whether `+credits` was asked for (each tool sets credits up
 * its own way), and the other settings as environment variables.
 */
export function parseBuild(root: string, build: string): { main: string; credits: boolean; env: Record<string, string> } {
  const [dir, ...settings] = build.split('+');
  const main = path.resolve(root, dir!, 'main.js');
  if (!existsSync(main)) throw new Error(`no ${main}`);
  const env = Object.fromEntries(settings.filter((s) => s !== 'credits').map((s) => [s.slice(0, s.indexOf('=')), s.slice(s.indexOf('=') + 1)]));
  return { main, credits: settings.includes('credits'), env };
}

const UNTHROTTLED = String(1_000_000_000);

/**
 * AIUS from its production build (`apps/api/dist/main.js` under `root`) on `databaseUrl`, with
 * a private Redis key prefix and the per-IP and per-token limits raised so the load generator
 * (one address) is not throttled; `extraEnv` adds settings (e.g. UPSTREAMS).
 */
export async function startAiusProcess(options: {
  root: string;
  databaseUrl: string;
  redisUrl: string;
  label: string;
  nodeArgs?: string[];
  extraEnv?: Record<string, string>;
  /** Another build's entry point (default `apps/api/dist/main.js` under `root`). */
  main?: string;
}): Promise<{ child: Child; base: string }> {
  const port = await sparePort();
  const base = `http://127.0.0.1:${port}/api/v1`;
  const child = await startServer(
    'AIUS',
    process.execPath,
    [...(options.nodeArgs ?? []), options.main ?? path.join(options.root, 'apps/api/dist/main.js')],
    {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      DATABASE_URL: options.databaseUrl,
      REDIS_URL: options.redisUrl,
      REDIS_PREFIX: `${options.label}:${randomBytes(4).toString('hex')}:`,
      SESSION_SECRET: randomBytes(32).toString('hex'),
      RATE_LIMIT_DEFAULT_PER_MINUTE: UNTHROTTLED,
      RATE_LIMIT_TOKEN_PER_MINUTE: UNTHROTTLED,
      ...options.extraEnv,
    },
    `${base}/health`,
    { cpu: SERVER_CPU },
  );
  return { child, base };
}
