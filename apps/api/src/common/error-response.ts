import { HttpException } from '@nestjs/common';
import { ERRORS, type ErrorKey } from '@aius/contracts';
import { isDatabaseUnavailable } from '@aius/db';
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
