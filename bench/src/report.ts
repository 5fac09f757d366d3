import { MIN_SATURATED_WARMUP_SECONDS, warmupSeconds, type Measurement } from './measure.js';

export const num = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** A markdown table. */
export function table(header: string[], rows: string[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** Requests AIUS's own rows lost (errors, timeouts) or answered 5xx: the bench fails on any. */
export const aiusLost = (rows: Measurement[]) => rows.filter((m) => m.subject === 'aius').reduce((n, m) => n + m.status5xx + m.errors + m.timeouts, 0);
const peerLost = (rows: Measurement[]) => rows.filter((m) => m.subject === 'peer').reduce((n, m) => n + m.status5xx + m.errors + m.timeouts, 0);

/**
 * Every load run of one bench run, as a markdown table the README can take as it is, then
 * the one check that fails the bench: no request AIUS lost or answered 5xx. A peer's or a
 * baseline's errors show in its own row and never fail the bench.
 */
export function printRunReport(r: { run: number; runs: number; rows: Measurement[]; seconds: number; connections: number; pinning: string; load: string }): void {
  const cpus = r.rows.map((m) => m.generatorCpu);
  const lost = aiusLost(r.rows);
  const lines = [
    '',
    `### All load runs of run ${r.run} of ${r.runs} (machine load at its start: ${r.load})`,
    '',
    table(
      ['scenario', 'whose', 'req/s', 'p50 ms', 'p99 ms', 'answered', 'non-2xx', '5xx', 'errors + timeouts'],
      r.rows.map((m) => [
        m.label,
        m.subject === 'aius' ? 'AIUS' : 'peer / baseline',
        num(m.requestsPerSecond),
        num(m.p50, 2),
        num(m.p99, 2),
        num(m.answered),
        num(m.non2xx),
        num(m.status5xx),
        num(m.errors + m.timeouts),
      ]),
    ),
    '',
    `Requests AIUS lost or answered 5xx in this run: ${num(lost)} (target 0: ${lost === 0 ? 'met' : '**missed**'}). ` +
      `Peers and baselines: ${num(peerLost(r.rows))} (reported in their rows, not counted).`,
    `Saturated runs: wrk -t1 -c${r.connections}; fixed-rate runs: loadtest at an even, open-loop arrival rate (connections opened as needed), ` +
      `latency per request to the last byte. ${r.seconds} s measured per run, after a warm-up: fixed-rate runs ${warmupSeconds(r.seconds)} s, saturated runs at least ${Math.max(warmupSeconds(r.seconds), MIN_SATURATED_WARMUP_SECONDS)} s and on until throughput settles; ` +
      `node ${process.version}; AIUS with rate limiting on (limits raised so the load is not throttled), Postgres and Redis on the same machine.`,
    ...(r.rows.some((m) => m.targetRate)
      ? [`Fixed-rate pacing: at most ${r.rows.filter((m) => m.targetRate).map((m) => `${m.maxSentIn10ms} (${num(m.targetRate! / 100)})`).join(', ')} requests sent in any 10 ms (even pacing in brackets).`]
      : []),
    `${r.pinning[0]!.toUpperCase()}${r.pinning.slice(1)}` + (cpus.length ? `; load generator CPU per run: ${num(100 * Math.min(...cpus))}–${num(100 * Math.max(...cpus))} % of its core.` : '.'),
  ];
  console.log(lines.join('\n'));
}
