import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOADGEN_CPU, onPath, pinned } from '../processes.js';
import { runForJsonLine } from './child.js';
import type { LoadStats } from './stats.js';

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'wrk.lua');

/** Exits with a one-line message unless `wrk` is on PATH (call before starting anything). */
export function requireWrk(): void {
  if (onPath('wrk')) return;
  console.error('wrk is not on PATH: install it with `apt-get install wrk` (the saturated runs use it).');
  process.exit(1);
}

export interface WrkSpec {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  connections: number;
  seconds: number;
  timeoutSeconds: number;
}

/** Latencies in ms (wrk measures in µs); errors are connect, read and write errors. */
export interface WrkResult extends LoadStats {
  requestsPerSecond: number;
  seconds: number;
  /** wrk's CPU time (user + system) over the run, as a fraction of one core. */
  cpu: number;
}

/** `h m s` as bash's `times` prints it (e.g. `0m1.234s`), in seconds. */
function clock(text: string): number {
  const m = /^(\d+)m([\d.]+)s$/.exec(text);
  return m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
}

/**
 * One closed-loop, saturated run: `wrk -t1 -c<connections> -d<seconds>s` with wrk.lua, on the load
 * generator's core. bash runs it and then its `times` builtin, whose second line is the CPU time of
 * the shell's children: wrk's own (taskset execs wrk).
 */
export async function runWrk(spec: WrkSpec): Promise<WrkResult> {
  const run = pinned(LOADGEN_CPU, 'wrk', [
    '-t1',
    `-c${spec.connections}`,
    `-d${spec.seconds}s`,
    '--timeout',
    `${spec.timeoutSeconds}s`,
    '-s',
    script,
    ...Object.entries(spec.headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]),
    spec.url,
  ]);
  const { json, stderr } = await runForJsonLine('wrk', 'bash', ['-c', '"$@"; rc=$?; times >&2; exit $rc', 'bash', run.command, ...run.args], {
    env: { ...process.env, WRK_METHOD: spec.method, WRK_BODY: spec.body ?? '' },
  });
  const result = JSON.parse(json) as Omit<WrkResult, 'cpu'>;
  const children = stderr.trim().split('\n').at(-1)?.trim().split(/\s+/) ?? [];
  const cpuSeconds = clock(children[0] ?? '') + clock(children[1] ?? '');
  return { ...result, cpu: cpuSeconds / result.seconds };
}
