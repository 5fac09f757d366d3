import { MIN_SATURATED_WARMUP_SECONDS, warmupSeconds, type Measurement } from './measure.js';

interface Report {
  rows: Measurement[];
  aiusAuth: Measurement;
  aiusHealth: Measurement;
  bareHealth: Measurement;
  peerAuth: Measurement;
  fixed: Measurement;
  fixedRate: number;
  seconds: number;
  connections: number;
  /** How the processes were pinned (processes.ts `pinning().note`). */
  pinning: string;
}

const num = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const ratio = (a: number, b: number) => (b === 0 ? 'n/a' : `${num(a / b, 2)}×`);
const mark = (ok: boolean) => (ok ? 'met' : '**missed**');
const cpuRange = (rows: Measurement[]) => {
  const cpus = rows.map((m) => m.generatorCpu);
  return `${num(100 * Math.min(...cpus))}–${num(100 * Math.max(...cpus))} %`;
};

/** A markdown table the README can take as it is, then the ratios and targets. */
export function printReport(r: Report): void {
  const lines = [
    `| scenario | req/s | p50 ms | p99 ms | answered | non-2xx | errors + timeouts |`,
    `|---|---:|---:|---:|---:|---:|---:|`,
    ...r.rows.map(
      (m) =>
        `| ${m.label} | ${num(m.requestsPerSecond)} | ${num(m.p50, 1)} | ${num(m.p99, 1)} | ${num(m.answered)} | ${num(m.non2xx)} | ${num(m.errors + m.timeouts)} |`,
    ),
    '',
    `| comparison | value | target |`,
    `|---|---:|---|`,
    `| AIUS health / bare Fastify health, throughput | ${num((100 * r.aiusHealth.requestsPerSecond) / r.bareHealth.requestsPerSecond)} % | ≥ 50 %: ${mark(r.aiusHealth.requestsPerSecond >= 0.5 * r.bareHealth.requestsPerSecond)} |`,
    `| AIUS / better-auth, authenticated throughput | ${ratio(r.aiusAuth.requestsPerSecond, r.peerAuth.requestsPerSecond)} | > 1: ${mark(r.aiusAuth.requestsPerSecond > r.peerAuth.requestsPerSecond)} |`,
    `| better-auth / AIUS, authenticated p99 | ${ratio(r.peerAuth.p99, r.aiusAuth.p99)} | > 1: ${mark(r.aiusAuth.p99 < r.peerAuth.p99)} |`,
    `| AIUS authenticated p99 at ${num(r.fixedRate)} req/s | ${num(r.fixed.p99, 1)} ms | < 10 ms: ${mark(r.fixed.p99 < 10)} |`,
    `| requests lost or answered 5xx (all runs) | ${num(r.rows.reduce((n, m) => n + m.status5xx + m.errors + m.timeouts, 0))} | 0: ${mark(r.rows.every((m) => m.status5xx + m.errors + m.timeouts === 0))} |`,
    `| rate achieved by the fixed-rate run | ${num(r.fixed.requestsPerSecond, 1)} req/s | ${num(r.fixedRate)} ± 2 %: ${mark(Math.abs(r.fixed.requestsPerSecond - r.fixedRate) <= 0.02 * r.fixedRate)} |`,
    `| non-2xx at ${num(r.fixedRate)} req/s | ${num(r.fixed.non2xx)} | 0: ${mark(r.fixed.non2xx === 0)} |`,
    '',
    `Saturated runs: wrk -t1 -c${r.connections}; fixed-rate runs: loadtest at an even, open-loop arrival rate (connections opened as needed), ` +
      `latency per request to the last byte. ${r.seconds} s measured per run, after a warm-up: fixed-rate runs ${warmupSeconds(r.seconds)} s, saturated runs at least ${Math.max(warmupSeconds(r.seconds), MIN_SATURATED_WARMUP_SECONDS)} s and on until throughput settles; ` +
      `node ${process.version}; AIUS with rate limiting on (limits raised so the load is not throttled), Postgres and Redis on the same machine.`,
    `Fixed-rate pacing: at most ${r.rows.filter((m) => m.targetRate).map((m) => `${m.maxSentIn10ms} (${num(m.targetRate! / 100)})`).join(', ')} requests sent in any 10 ms (even pacing in brackets).`,
    `${r.pinning[0]!.toUpperCase()}${r.pinning.slice(1)}; load generator CPU per run: ${cpuRange(r.rows)} of its core.`,
  ];
  console.log(lines.join('\n'));
}
