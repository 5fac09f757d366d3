/**
 * What a database error means, recognised in one place: Prisma's codes (P…), Postgres's SQLSTATEs
 * and the driver's connection errors, however deeply they are wrapped. The API maps the answers to
 * the spec's codes (apps/api/src/common/database-refusals.ts); batched writers decide from them
 * whether to retry or to isolate a row.
 */

export interface ErrorLike {
  code?: unknown;
  name?: unknown;
  message?: unknown;
  cause?: unknown;
  meta?: { driverAdapterError?: unknown };
}

/**
 * Whether the error, or any error it wraps, matches. Prisma 7 keeps the driver's error under
 * `cause`, or for raw queries (P2010) under `meta.driverAdapterError`, whose own `cause` holds
 * the Postgres code: both are followed.
 */
export function anyCause(error: unknown, matches: (e: ErrorLike) => boolean): boolean {
  const pending: unknown[] = [error];
  for (let seen = 0; pending.length > 0 && seen < 10; seen++) {
    const err = pending.shift();
    if (!err || typeof err !== 'object') continue;
    const e = err as ErrorLike;
    if (matches(e)) return true;
    pending.push(e.cause, e.meta?.driverAdapterError);
  }
  return false;
}

/**
 * Postgres/driver codes meaning "the database is not answering (in time)". 57014 is a
 * statement cancelled by statement_timeout (PrismaService sets it to its timeout).
 */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'EPIPE',
  'P1001', 'P1002', 'P1008', 'P1017', 'P2024', '57P01', '57P03', '57014', '08000', '08001', '08003', '08004', '08006',
]);

const UNREACHABLE_MESSAGE =
  /(Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED|Can't reach database server|Query read timeout|DatabaseNotReachable|terminating connection)/i;

/** True for errors that mean "Postgres is not there right now" rather than a bug. */
export function isDatabaseUnavailable(error: unknown): boolean {
  return anyCause(
    error,
    (e) =>
      (typeof e.code === 'string' && UNREACHABLE_CODES.has(e.code)) ||
      e.name === 'PrismaClientInitializationError' ||
      (typeof e.message === 'string' && UNREACHABLE_MESSAGE.test(e.message)),
  );
}

/** Deadlock and serialization failures: the same statement may well succeed a moment later. */
const CONFLICT_CODES = new Set(['40001', '40P01']);

/** An outage or a lock conflict: worth retrying as it is, never a reason to drop a row. */
export function isTransient(error: unknown): boolean {
  return isDatabaseUnavailable(error) || anyCause(error, (e) => typeof e.code === 'string' && CONFLICT_CODES.has(e.code));
}

/**
 * A statement the database refused because of the data, not a bug in the statement:
 * - `unique`: a unique key is taken (P2002, 23505);
 * - `missing`: the row to change is gone (P2025);
 * - `foreign-key`: a row it refers to is gone, or still referred to (P2003, 23503).
 */
export type DatabaseRefusal = 'unique' | 'missing' | 'foreign-key';

const REFUSALS: Record<string, DatabaseRefusal> = { P2002: 'unique', '23505': 'unique', P2025: 'missing', P2003: 'foreign-key', '23503': 'foreign-key' };

export function refusalOf(error: unknown): DatabaseRefusal | null {
  let found: DatabaseRefusal | null = null;
  anyCause(error, (e) => {
    found = typeof e.code === 'string' ? (REFUSALS[e.code] ?? null) : null;
    return found !== null;
  });
  return found;
}
