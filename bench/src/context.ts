import type { Target } from './figures.js';
import type { Load, Measurement, StreamMeasurement, Subject } from './measure.js';
import type { Child, startServer } from './processes.js';

/** An AIUS instance the bench started (production build, fresh database). */
export interface AiusInstance {
  /** e.g. http://127.0.0.1:PORT/api/v1 */
  base: string;
  databaseUrl: string;
  pid: number;
  /** Stops it and drops its database now (else both happen at the end of the bench). */
  stop(): Promise<void>;
}

/** What a bench section gets: a way to start servers and to measure against them. */
export interface BenchContext {
  /** Measured seconds per load run and the concurrency the sections use. */
  seconds: number;
  connections: number;
  /** The repository root. */
  root: string;
  /**
   * One load run, added to the run's table. `subject` says whose row it is: `aius` (the
   * default) rows fail the bench when a request is lost or answered 5xx; `peer` rows (Portkey,
   * better-auth, bare baselines, direct calls) report their errors in their row only.
   */
  measure(label: string, load: Load, subject?: Subject): Promise<Measurement>;
  /** Streamed calls, saturated (measure.ts `measureStream`), added to the run's table like `measure`. */
  measureStream(label: string, load: Load, subject?: Subject): Promise<StreamMeasurement>;
  /** A figure of this run, summarised over the runs (median and range) at the end. */
  figure(name: string, value: number, unit: string, target?: Target): void;
  /** The shared plain AIUS (no upstream) with a minted bearer token, started on first use. */
  mainAius(): Promise<AiusInstance & { token: string }>;
  /** Another AIUS (production build, fresh database) with extra settings (and node options); stopped at the end of the bench. */
  startAius(extraEnv?: Record<string, string>, nodeArgs?: string[]): Promise<AiusInstance>;
  /** A fresh database on the bench's Postgres server, dropped at the end of the bench. */
  createDatabase(label: string): Promise<{ url: string }>;
  /** startServer (processes.ts), with the child stopped at the end of the bench. */
  startServer(...args: Parameters<typeof startServer>): Promise<Child>;
  log(line: string): void;
}

/**
 * A part of the bench that `--only` can select. `setup` starts what it needs once; the round it
 * returns is measured once per run (`--runs N`) and prints its own table.
 */
export interface Section {
  name: string;
  setup(ctx: BenchContext): Promise<() => Promise<void>>;
}
