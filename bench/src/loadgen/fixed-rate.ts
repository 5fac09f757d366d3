import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import * as loadtestModule from 'loadtest';
import type { LoadStats } from './stats.js';

/**
 * One open-loop, fixed-rate load run, in a process of its own (the bench starts it pinned to
 * the load generator's core, see measure.ts): `node --import tsx fixed-rate.ts '<FixedRateSpec as JSON>'`.
 * Prints one JSON line (FixedRateResult) on stdout and exits.
 *
 * The pacing is loadtest's `requestsPerSecond` mode: a timer fires every 1000/rate ms
 * (lib/hrtimer.js, catching up with setImmediate when it falls behind) and each tick sends a
 * request on a free client, adding a client (its own keep-alive socket) when every client has a
 * request in flight (lib/pool.js); so arrivals do not wait for answers, and `concurrency` plays
 * no part in this mode. The first `warmupSeconds` are sent but not measured; the same clients and
 * sockets go on into the measured window.
 *
 * Latency and status are taken here, per request, from a `requestGenerator` wrapper, not from
 * loadtest's `statusCallback`: in loadtest 8.2.1 `result.requestElapsed` is whole milliseconds
 * (lib/latency.js divides a BigInt of nanoseconds by 1 000 000n), and requests still in flight
 * when the run stops are dropped without a callback, which would cut the slowest ones off the
 * tail. Here every request sent in the window is timed to its last byte with
 * process.hrtime.bigint(), waiting after the stop for those still in flight (up to the timeout);
 * any still unanswered then count as errors.
 */

export interface FixedRateSpec {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  /** Requests per second to send, evenly paced. */
  rate: number;
  /** Measured seconds, after `warmupSeconds` of the same load that is not measured. */
  seconds: number;
  warmupSeconds: number;
  timeoutSeconds: number;
}

/**
 * Latencies are of the answered requests sent in the window; timeouts are requests still
 * unanswered after the timeout.
 */
export interface FixedRateResult extends LoadStats {
  targetRate: number;
  /** Requests sent in the measured window per second of it (the achieved arrival rate). */
  rate: number;
  /** Requests sent in the window (answered, errors and timeouts together). */
  count: number;
  /** TCP connections loadtest opened over the whole run (it adds them as needed). */
  connections: number;
  /** Pacing: the most requests sent within any 10 ms of the window (even pacing: rate / 100). */
  maxSentIn10ms: number;
  /** This process's CPU time over the window, as a fraction of one core. */
  cpu: number;
}

type RequestFn = (params: RequestOptions, callback: (res: IncomingMessage) => void) => ClientRequest;
interface LoadTestOptions {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  contentType?: string;
  requestsPerSecond: number;
  maxSeconds: number;
  timeout: number;
  agentKeepAlive: boolean;
  quiet: boolean;
  // loadtest 8.2.1 calls it as (options, params, request, callback); its index.d.ts names them otherwise.
  requestGenerator(options: unknown, params: RequestOptions, request: RequestFn, callback: (res: IncomingMessage) => void): ClientRequest;
}
// loadtest's bundled index.d.ts types the callback API only; this is the promise API it also has.
const { loadTest } = loadtestModule as unknown as { loadTest(options: LoadTestOptions): Promise<unknown> };

interface Sent {
  at: bigint;
  settled: boolean;
}

async function run(spec: FixedRateSpec): Promise<FixedRateResult> {
  const started = process.hrtime.bigint();
  const windowStart = started + BigInt(Math.round(spec.warmupSeconds * 1e9));
  let cpuAtWindowStart: NodeJS.CpuUsage | undefined;
  const sent: Sent[] = [];
  const latencies: number[] = [];
  let answered = 0;
  let non2xx = 0;
  let status5xx = 0;
  let errors = 0;
  let timeouts = 0;
  let connections = 0;
  const sockets = new WeakSet<object>();

  const track = (req: ClientRequest) => {
    req.on('socket', (socket) => {
      if (!sockets.has(socket)) {
        sockets.add(socket);
        connections++;
      }
    });
    const at = process.hrtime.bigint();
    if (at < windowStart) return; // warm-up: sent, not measured
    cpuAtWindowStart ??= process.cpuUsage();
    const s: Sent = { at, settled: false };
    sent.push(s);
    const settle = (outcome: 'error' | 'timeout' | IncomingMessage) => {
      if (s.settled) return;
      s.settled = true;
      if (outcome === 'error') errors++;
      else if (outcome === 'timeout') timeouts++;
      else {
        latencies.push(Number(process.hrtime.bigint() - at) / 1e6);
        answered++;
        const status = outcome.statusCode ?? 0;
        if (status < 200 || status > 299) non2xx++;
        if (status >= 500) status5xx++;
      }
    };
    let response: IncomingMessage | undefined;
    req.on('response', (res) => {
      response = res;
      res.on('end', () => settle(res)); // loadtest reads the body; this listener runs after it
    });
    req.on('timeout', () => {
      settle('timeout');
      req.destroy();
    });
    req.on('error', () => settle('error'));
    req.on('close', () => settle(response?.complete ? response : 'error'));
  };

  const contentType = Object.entries(spec.headers).find(([k]) => k.toLowerCase() === 'content-type')?.[1];
  const headers = Object.fromEntries(Object.entries(spec.headers).filter(([k]) => k.toLowerCase() !== 'content-type'));
  // loadtest writes the body without a Content-Length (so chunked); give it one, as real clients do.
  if (spec.body !== undefined) headers['content-length'] = String(Buffer.byteLength(spec.body));

  await loadTest({
    url: spec.url,
    method: spec.method,
    headers,
    body: spec.body,
    // loadtest sets its own Content-Type header (text/plain unless told), overriding one in `headers`.
    contentType,
    requestsPerSecond: spec.rate,
    maxSeconds: spec.warmupSeconds + spec.seconds,
    timeout: spec.timeoutSeconds * 1000,
    agentKeepAlive: true,
    quiet: true,
    requestGenerator: (_options, params, request, callback) => {
      const req = request(params, callback);
      track(req);
      return req;
    },
  });
  const stopped = process.hrtime.bigint();
  const cpu = process.cpuUsage(cpuAtWindowStart);
  const windowSeconds = Number(stopped - windowStart) / 1e9;

  // Requests sent in the window and still in flight finish (or time out) before the count.
  const deadline = Date.now() + (spec.timeoutSeconds + 1) * 1000;
  while (sent.some((s) => !s.settled) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  errors += sent.filter((s) => !s.settled).length;

  latencies.sort((a, b) => a - b);
  const at = (q: number) => (latencies.length === 0 ? 0 : latencies[Math.max(0, Math.ceil(q * latencies.length) - 1)]!);
  let maxSentIn10ms = 0;
  for (let i = 0, j = 0; i < sent.length; i++) {
    while (sent[i]!.at - sent[j]!.at >= 10_000_000n) j++;
    maxSentIn10ms = Math.max(maxSentIn10ms, i - j + 1);
  }
  return {
    targetRate: spec.rate,
    rate: sent.length / windowSeconds,
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    max: latencies[latencies.length - 1] ?? 0,
    count: sent.length,
    answered,
    non2xx,
    status5xx,
    errors,
    timeouts,
    connections,
    maxSentIn10ms,
    cpu: (cpu.user + cpu.system) / 1e6 / windowSeconds,
  };
}

try {
  const result = await run(JSON.parse(process.argv[2] ?? '') as FixedRateSpec);
  process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0)); // keep-alive sockets would hold the process open
} catch (error) {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
}
