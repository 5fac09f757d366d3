import type { Load, Measurement } from './measure.js';
import type { Child, startServer } from './processes.js';

/** What a bench section gets: the running AIUS and a way to measure against it. */
export interface BenchContext {
  /** e.g. http://127.0.0.1:PORT/api/v1 */
  aiusBase: string;
  /** A valid `aius_…` bearer token for a user with one client. */
  token: string;
  /** Measured seconds per load run and the concurrency the other sections use. */
  seconds: number;
  connections: number;
  /** The repository root. */
  root: string;
  measure(label: string, load: Load): Promise<Measurement>;
  /** Another AIUS (production build, fresh database) with extra settings; stopped at the end of the run. */
  startAius(extraEnv?: Record<string, string>): Promise<{ base: string; databaseUrl: string; pid: number }>;
  /** startServer (processes.ts), with the child stopped at the end of the run. */
  startServer(...args: Parameters<typeof startServer>): Promise<Child>;
  log(line: string): void;
}
