import autocannon from 'autocannon';

export interface Load {
  url: string;
  headers?: Record<string, string>;
  /** Seconds of measured load (after an unmeasured warm-up of a quarter of it). */
  seconds: number;
  connections: number;
  /** Fixed arrival rate over all connections (req/s); omitted = as fast as the server answers. */
  overallRate?: number;
}

export interface Measurement {
  label: string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  /** Responses answered, and how many of them were not 2xx. */
  answered: number;
  non2xx: number;
  status5xx: number;
  /** Socket errors and timeouts: requests that got no answer at all. */
  errors: number;
  timeouts: number;
}

function fire(load: Load, seconds: number): Promise<autocannon.Result> {
  return autocannon({
    url: load.url,
    headers: load.headers,
    connections: load.connections,
    duration: seconds,
    overallRate: load.overallRate,
    timeout: 10,
  });
}

/** Runs autocannon in this process against a server in another one. */
export async function measure(label: string, load: Load): Promise<Measurement> {
  await fire(load, Math.max(1, Math.round(load.seconds / 4))); // JIT, pools and caches warm
  const r = await fire(load, load.seconds);
  return {
    label,
    requestsPerSecond: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    answered: r['1xx'] + r['2xx'] + r['3xx'] + r['4xx'] + r['5xx'],
    non2xx: r.non2xx,
    status5xx: r['5xx'],
    errors: r.errors,
    timeouts: r.timeouts,
  };
}
