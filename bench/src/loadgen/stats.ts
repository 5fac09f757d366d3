/** What every load run reports, whichever generator ran it. */
export interface LoadStats {
  /** Latencies in ms (fractional). */
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** Responses answered, and how many of them were not 2xx. */
  answered: number;
  non2xx: number;
  status5xx: number;
  /** Socket errors and timeouts: requests that got no answer at all. */
  errors: number;
  timeouts: number;
}

/** The LoadStats fields of a generator's result (which carries more). */
export function loadStats(r: LoadStats): LoadStats {
  const { p50, p90, p99, max, answered, non2xx, status5xx, errors, timeouts } = r;
  return { p50, p90, p99, max, answered, non2xx, status5xx, errors, timeouts };
}
