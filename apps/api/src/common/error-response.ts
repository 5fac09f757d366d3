import { HttpException } from '@nestjs/common';
import { ERRORS, type ErrorKey } from '@aius/contracts';
import { ApiError } from './api-error.js';
import { allowedMethods } from './route-matcher.js';

export interface ErrorResponse {
  status: number;
  body: { detail: string | { code: string; message: string } };
  headers?: Record<string, string>;
  /** Set when the failure is a bug (or an outage) worth a server-side log line. */
  unexpected?: unknown;
}

function envelope(key: ErrorKey, status?: number, message?: string): ErrorResponse {
  const def = ERRORS[key];
  const text = message ?? def.message;
  return {
    status: status ?? def.status,
    body: def.envelope === 'string' ? { detail: def.message } : { detail: { code: key, message: text } },
  };
}

/**
 * Postgres/driver codes meaning "the database is not answering (in time)". 57014 is a
 * statement cancelled by statement_timeout (PrismaService sets it to DB_TIMEOUT_MS).
 */
const DB_UNREACHABLE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'EPIPE',
  'P1001', 'P1002', 'P1008', 'P1017', 'P2024', '57P01', '57P03', '57014', '08000', '08001', '08003', '08004', '08006',
]);

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

const UNREACHABLE_MESSAGE =
  /(Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED|Can't reach database server|Query read timeout|DatabaseNotReachable|terminating connection)/i;

/** True for errors that mean "Postgres is not there right now" rather than a bug. */
export function isDatabaseUnavailable(error: unknown): boolean {
  return anyCause(
    error,
    (e) =>
      (typeof e.code === 'string' && DB_UNREACHABLE_CODES.has(e.code)) ||
      e.name === 'PrismaClientInitializationError' ||
      (typeof e.message === 'string' && UNREACHABLE_MESSAGE.test(e.message)),
  );
}

/** Maps anything thrown while serving a request to its status, envelope and headers. */
export function toErrorResponse(exception: unknown, method: string, url: string): ErrorResponse {
  if (exception instanceof ApiError) {
    // Some errors carry headers of their own (a 429's Retry-After and rate-limit fields).
    const headers = (exception as ApiError & { headers?: Record<string, string> }).headers;
    return { ...envelope(exception.key, exception.status, exception.message), ...(headers && { headers }) };
  }

  const fastifyError = exception as { code?: unknown; statusCode?: unknown };
  const status =
    exception instanceof HttpException
      ? exception.getStatus()
      : typeof fastifyError.statusCode === 'number'
        ? fastifyError.statusCode
        : undefined;

  if (status === 404 || status === 405) {
    const allowed = allowedMethods(url);
    if (allowed.length > 0 && !allowed.includes(method.toUpperCase())) {
      return { ...envelope('METHOD_NOT_ALLOWED'), headers: { allow: allowed.join(', ') } };
    }
    return envelope('ROUTE_NOT_FOUND');
  }
  // Body parsing and framework-level request errors (bad JSON, wrong content type, too large).
  if (status !== undefined && status >= 400 && status < 500) {
    if (status === 401) return envelope('UNAUTHENTICATED');
    if (status === 403) return envelope('NO_ACCESS');
    if (status === 429) return envelope('RATE_LIMIT_EXCEEDED');
    if (status === 413) return envelope('PAYLOAD_TOO_LARGE');
    return envelope('INVALID_REQUEST');
  }
  if (isDatabaseUnavailable(exception)) return { ...envelope('ACCOUNT_SERVICE_UNAVAILABLE'), unexpected: exception };
  return { ...envelope('INTERNAL_ERROR'), unexpected: exception };
}
