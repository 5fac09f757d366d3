import http from 'node:http';
import type { LoadStats } from './stats.js';

/**
 * One closed-loop, saturated run of streamed calls, in a process of its own (the bench starts it
 * pinned to the load generator's core): `node --import tsx stream.ts '<StreamSpec as JSON>'`.
 * `connections` callers each send a request, read the stream to its end, and send the next, over
 * keep-alive connections. Per call: time to the first byte of the body (the first chunk) and to
 * the last; the server-sent events (`data:` lines) received are counted. The first
 * `warmupSeconds` are sent but not measured. Prints one JSON line (StreamResult).
 */
export interface StreamSpec {
  url: string;
  headers: Record<string, string>;
  body: string;
  connections: number;
  seconds: number;
  warmupSeconds: number;
  timeoutSeconds: number;
}

export interface StreamResult extends LoadStats {
  /** Streams completed per second of the measured window. */
  streamsPerSecond: number;
  /** Server-sent events received per second of the window. */
  chunksPerSecond: number;
  /** Events per completed stream (the same for every call of one target). */
  chunksPerStream: number;
  /** Time to the first body byte, ms. */
  ttfbP50: number;
  ttfbP99: number;
  /** This process's CPU time over the window, as a fraction of one core. */
  cpu: number;
}

async function run(spec: StreamSpec): Promise<StreamResult> {
  const url = new URL(spec.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: spec.connections });
  const headers = { ...spec.headers, 'content-length': String(Buffer.byteLength(spec.body)) };
  const started = performance.now();
  const windowStart = started + spec.warmupSeconds * 1000;
  const windowEnd = windowStart + spec.seconds * 1000;
  const ttfb: number[] = [];
  const total: number[] = [];
  let chunks = 0;
  let answered = 0;
  let non2xx = 0;
  let status5xx = 0;
  let errors = 0;
  let timeouts = 0;
  let cpuAtStart: NodeJS.CpuUsage | undefined;

  const one = () =>
    new Promise<void>((resolve) => {
      const at = performance.now();
      const measured = at >= windowStart;
      if (measured) cpuAtStart ??= process.cpuUsage();
      let first = 0;
      let events = 0;
      const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers, agent, timeout: spec.timeoutSeconds * 1000 }, (res) => {
        res.on('data', (chunk: Buffer) => {
          if (first === 0) first = performance.now();
          for (let i = chunk.indexOf('data:'); i !== -1; i = chunk.indexOf('data:', i + 5)) events++;
        });
        res.on('end', () => {
          if (measured) {
            const status = res.statusCode ?? 0;
            answered++;
            if (status < 200 || status > 299) non2xx++;
            if (status >= 500) status5xx++;
            ttfb.push((first || performance.now()) - at);
            total.push(performance.now() - at);
            chunks += events;
          }
          resolve();
        });
        res.on('error', () => {
          if (measured) errors++;
          resolve();
        });
      });
      req.on('timeout', () => {
        if (measured) timeouts++;
        req.destroy();
        resolve();
      });
      req.on('error', () => {
        if (measured) errors++;
        resolve();
      });
      req.end(spec.body);
    });

  const caller = async () => {
    while (performance.now() < windowEnd) await one();
  };
  await Promise.all(Array.from({ length: spec.connections }, caller));
  const cpu = process.cpuUsage(cpuAtStart);
  const seconds = (performance.now() - windowStart) / 1000;
  agent.destroy();
  const q = (list: number[], p: number) => {
    const sorted = [...list].sort((a, b) => a - b);
    return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
  };
  return {
    streamsPerSecond: answered / seconds,
    chunksPerSecond: chunks / seconds,
    chunksPerStream: answered === 0 ? 0 : chunks / answered,
    ttfbP50: q(ttfb, 0.5),
    ttfbP99: q(ttfb, 0.99),
    p50: q(total, 0.5),
    p90: q(total, 0.9),
    p99: q(total, 0.99),
    max: q(total, 1),
    answered,
    non2xx,
    status5xx,
    errors,
    timeouts,
    cpu: (cpu.user + cpu.system) / 1e6 / seconds,
  };
}

try {
  const result = await run(JSON.parse(process.argv[2] ?? '') as StreamSpec);
  process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
} catch (error) {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
}
