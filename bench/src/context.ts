import type { Load, Measurement } from './measure.js';

/** What a bench section gets: the running AIUS and a way to measure against it. */
export interface BenchContext {
  /** e.g. http://127.0.0.1:PORT/api/v1 */
  aiusBase: string;
  /** A valid `aius_…` bearer token for a user with one client. */
  token: string;
  /** Measured seconds per load run and the concurrency the other sections use. */
  seconds: number;
  connections: number;
  measure(label: string, load: Load): Promise<Measurement>;
}
