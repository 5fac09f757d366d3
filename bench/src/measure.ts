import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FixedRateResult, FixedRateSpec } from './loadgen/fixed-rate.js';
import type { StreamResult, StreamSpec } from './loadgen/stream.js';
import { runForJsonLine } from './loadgen/child.js';
import { loadStats, type LoadStats } from './loadgen/stats.js';
import { runWrk } from './loadgen/wrk.js';
import { LOADGEN_CPU, pinned } from './processes.js';
import { databaseBackendsCpuMs, databaseCpuSpentMs, processCpuMs } from './database-cpu.js';

export interface Load {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Seconds of measured load (after an unmeasured warm-up of a quarter of it). */
  seconds: number;
  /** Connections of a saturated run (wrk); a fixed-rate run opens as many as it needs. */
  connections: number;
  /** Fixed arrival rate (req/s), open loop; omitted = saturated, as fast as the server answers. */
  rate?: number;
  /** The server's process: a saturated run then reports its CPU time per answered request. */
  serverPid?: number;
  /** The server's database: a saturated run then reports what its Postgres backends spent per answered request. */
  databaseUrl?: string;
}

/** Whose row: AIUS's own (a lost request or a 5xx fails the bench) or a peer's or baseline's (reported in its row). */
export type Subject = 'aius' | 'peer';

export interface Measurement extends LoadStats {
  label: string;
  subject: Subject;
  /** Saturated: responses per second. Fixed rate: requests sent per second (the achieved rate). */
  requestsPerSecond: number;
  /** The requested rate of a fixed-rate run, and its pacing: the most requests sent within any 10 ms (even pacing: rate / 100). */
  targetRate?: number;
  maxSentIn10ms?: number;
  /** The load generator's CPU over the measured run, as a fraction of one core. */
  generatorCpu: number;
  /**
   * With `serverPid`, saturated runs: the server's CPU time (user + system) per answered request
   * over the measured run, in µs. Unlike throughput it barely moves when other processes
   * compete for the core, so it can compare two servers on a busy machine.
   */
  serverCpuPerRequestUs?: number;
  /** With `databaseUrl`, saturated runs: the CPU time of the Postgres backends serving that database per answered request, in µs. */
  databaseCpuPerRequestUs?: number;
}

const TIMEOUT_SECONDS = 10;
const fixedRateScript = path.join(path.dirname(fileURLToPath(import.meta.url)), 'loadgen/fixed-rate.ts');
const benchDir = path.resolve(path.dirname(fixedRateScript), '../..');

export const warmupSeconds = (seconds: number) => Math.max(1, Math.round(seconds / 4));
export const MIN_SATURATED_WARMUP_SECONDS = 8;

/**
 * Both load generators run in processes of their own, pinned to the load generator's core, so
 * they never share an event loop with this orchestrator or a core with the servers under test.
 *
 * Fixed-rate runs are open loop, with loadtest's `requestsPerSecond` (see loadgen/fixed-rate.ts).
 * Not autocannon's `overallRate`: it splits the rate into a per-connection quota per second; each
 * connection sends its quota back to back as fast as answers come (Client.prototype._doRequest
 * counts `reqsMadeThisSecond` and pauses at the quota) and then idles until a 1-second
 * setInterval resets the counter (lib/httpClient.js in autocannon 8), so "p99 at 1000 req/s" was
 * a saturated burst for part of every second and idle for the rest. loadtest rather than a pacer
 * written here because it is a maintained npm tool that sends on a timer regardless of answers;
 * the usual open-loop generators (wrk2, vegeta, k6) cannot be installed on this machine: they are
 * neither Debian packages nor on npm.
 *
 * Saturated runs are closed loop with wrk (loadgen/wrk.ts): a C generator that needs far less CPU
 * per request than a JavaScript one, leaving the servers their core.
 */
export async function measure(label: string, load: Load, subject: Subject = 'aius'): Promise<Measurement> {
  const request = requestOf(load);
  const warmup = warmupSeconds(load.seconds);
  if (load.rate !== undefined) {
    const r = await runFixedRate({ ...request, rate: load.rate, seconds: load.seconds, warmupSeconds: warmup, timeoutSeconds: TIMEOUT_SECONDS });
    return {
      label,
      subject,
      requestsPerSecond: r.rate,
      ...loadStats(r),
      targetRate: r.targetRate,
      maxSentIn10ms: r.maxSentIn10ms,
      generatorCpu: r.cpu,
    };
  }
  const wrk = { ...request, connections: load.connections, timeoutSeconds: TIMEOUT_SECONDS };
  await warmUpSaturated(load);
  const cpuBefore = load.serverPid === undefined ? 0 : processCpuMs(load.serverPid);
  const databaseBefore = load.databaseUrl === undefined ? undefined : await databaseBackendsCpuMs(load.databaseUrl);
  const r = await runWrk({ ...wrk, seconds: load.seconds });
  const databaseCpuMs = databaseBefore && databaseCpuSpentMs(databaseBefore, await databaseBackendsCpuMs(load.databaseUrl!));
  return {
    label,
    subject,
    requestsPerSecond: r.requestsPerSecond,
    ...loadStats(r),
    generatorCpu: r.cpu,
    ...(load.serverPid !== undefined && r.answered > 0 && { serverCpuPerRequestUs: ((processCpuMs(load.serverPid) - cpuBefore) * 1000) / r.answered }),
    ...(databaseCpuMs !== undefined && r.answered > 0 && { databaseCpuPerRequestUs: (databaseCpuMs * 1000) / r.answered }),
  };
}

/** One saturated load's share of a run beside others (`saturatedTogether`). */
export interface TogetherResult extends LoadStats {
  requestsPerSecond: number;
  /** With `serverPid`: the server's CPU time per answered request over the run, µs; and its main thread's alone (the rest is V8's and libuv's helper threads). */
  serverCpuPerRequestUs?: number;
  mainThreadCpuPerRequestUs?: number;
}

/**
 * Every load saturated at the same time for `loads[0].seconds` (one wrk each, all on the load
 * generator's core), after no warm-up of its own (warm each first with `warmUpSaturated`). Servers
 * on one pinned core then share it at the same moments, so the ratio of their throughputs is the
 * inverse ratio of their CPU per request under identical conditions, which measuring them one
 * after another on this shared machine is not (a fresh process can run 2× slower than another for
 * tens of seconds).
 */
export async function saturatedTogether(loads: readonly Load[]): Promise<TogetherResult[]> {
  const seconds = loads[0]!.seconds;
  const cpuBefore = loads.map((l) => (l.serverPid === undefined ? 0 : processCpuMs(l.serverPid)));
  const mainBefore = loads.map((l) => (l.serverPid === undefined ? 0 : processCpuMs(l.serverPid, l.serverPid)));
  const runs = await Promise.all(loads.map((l) => runWrk({ ...requestOf(l), connections: l.connections, timeoutSeconds: TIMEOUT_SECONDS, seconds })));
  return runs.map((r, i) => {
    const pid = loads[i]!.serverPid;
    return {
      requestsPerSecond: r.requestsPerSecond,
      ...loadStats(r),
      ...(pid !== undefined &&
        r.answered > 0 && {
          serverCpuPerRequestUs: ((processCpuMs(pid) - cpuBefore[i]!) * 1000) / r.answered,
          mainThreadCpuPerRequestUs: ((processCpuMs(pid, pid) - mainBefore[i]!) * 1000) / r.answered,
        }),
    };
  });
}

/** The request a load sends, as the load generators take it. */
function requestOf(load: Load) {
  return { url: load.url, method: load.method ?? 'GET', headers: load.headers ?? {}, body: load.body };
}

/** `load` saturated, unmeasured, until its throughput settles (as every saturated measurement does first): to warm a fresh server. */
export async function warmUpSaturated(load: Load): Promise<void> {
  const request = requestOf(load);
  await warmUp((seconds) => runWrk({ ...request, connections: load.connections, timeoutSeconds: TIMEOUT_SECONDS, seconds }).then((w) => w.requestsPerSecond), warmupSeconds(load.seconds));
}

/**
 * Saturating load until throughput stops climbing: at least 8 s (or `minSeconds`), then
 * 2-second runs until two in a row agree within 5 % (at most 40 s in all). A fixed short
 * warm-up is unfair to servers whose JIT takes longer to settle: Portkey climbs from ~300 to
 * ~900 req/s over its first 15 s here, and AIUS health from ~9k to ~20k over its first 10 s.
 */
async function warmUp(run: (seconds: number) => Promise<number>, minSeconds: number): Promise<void> {
  const first = Math.max(minSeconds, MIN_SATURATED_WARMUP_SECONDS);
  // On a machine loaded by other work throughput never settles within 5 %: BENCH_WARMUP_MAX_SECONDS caps the wait.
  const max = Number(process.env.BENCH_WARMUP_MAX_SECONDS ?? 40);
  await run(first);
  let previous = await run(2);
  for (let spent = first + 2; spent < max; spent += 2) {
    const current = await run(2);
    if (Math.abs(current - previous) <= 0.05 * Math.max(current, previous)) return;
    previous = current;
  }
}

/** loadgen/fixed-rate.ts in a child process on the load generator's core; its warm-up is in the same run. */
async function runFixedRate(spec: FixedRateSpec): Promise<FixedRateResult> {
  const run = pinned(LOADGEN_CPU, process.execPath, ['--import', 'tsx', fixedRateScript, JSON.stringify(spec)]);
  const { json } = await runForJsonLine('fixed-rate load generator', run.command, run.args, { cwd: benchDir });
  return JSON.parse(json) as FixedRateResult;
}

export interface StreamMeasurement extends Measurement {
  chunksPerSecond: number;
  chunksPerStream: number;
  ttfbP50: number;
  ttfbP99: number;
}

const streamScript = path.join(path.dirname(fixedRateScript), 'stream.ts');

/**
 * Streamed calls, saturated (closed loop, `load.connections` callers, loadgen/stream.ts in a
 * process of its own on the load generator's core), after a warm-up in the same run of at
 * least MIN_SATURATED_WARMUP_SECONDS. `requestsPerSecond` is streams completed per second.
 */
export async function measureStream(label: string, load: Load, subject: Subject = 'aius'): Promise<StreamMeasurement> {
  const spec: StreamSpec = {
    url: load.url,
    headers: load.headers ?? {},
    body: load.body ?? '',
    connections: load.connections,
    seconds: load.seconds,
    warmupSeconds: Math.max(warmupSeconds(load.seconds), MIN_SATURATED_WARMUP_SECONDS),
    timeoutSeconds: TIMEOUT_SECONDS,
  };
  const cpuBefore = () => (load.serverPid === undefined ? 0 : processCpuMs(load.serverPid));
  const run = pinned(LOADGEN_CPU, process.execPath, ['--import', 'tsx', streamScript, JSON.stringify(spec)]);
  const before = cpuBefore();
  const { json } = await runForJsonLine('stream load generator', run.command, run.args, { cwd: benchDir });
  const r = JSON.parse(json) as StreamResult;
  return {
    label,
    subject,
    requestsPerSecond: r.streamsPerSecond,
    ...loadStats(r),
    generatorCpu: r.cpu,
    chunksPerSecond: r.chunksPerSecond,
    chunksPerStream: r.chunksPerStream,
    ttfbP50: r.ttfbP50,
    ttfbP99: r.ttfbP99,
    // Over warm-up and window both: a per-request figure, so the mix does not matter much.
    ...(load.serverPid !== undefined && r.answered > 0 && { serverCpuPerRequestUs: ((cpuBefore() - before) * 1000) / (r.answered * (1 + spec.warmupSeconds / spec.seconds)) }),
  };
}
