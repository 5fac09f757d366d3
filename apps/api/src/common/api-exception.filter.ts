import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { discardRefusedBody } from './body-limits.js';
import { toErrorResponse } from './error-response.js';

/** How often, at most, an outage of the database is logged while requests keep meeting it. */
const OUTAGE_LOG_INTERVAL_MS = 10_000;

/** Every failure leaves through here, as one of the two `detail` envelopes (spec §2). */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  // An outage meets every request: one line per interval, counting the rest, not one per 503.
  private outageLoggedAt = -Infinity;
  private outageUnlogged = 0;

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const response = toErrorResponse(exception, request.method, request.url);
    if (response.unexpected !== undefined) {
      // Only method and path: query strings and bodies may carry secrets.
      const where = `${request.method} ${request.url.split('?')[0]}`;
      // Through the request's logger, so the line carries its request id; `err` keeps the stack and causes.
      if (response.status === 503) this.logOutage(request, `${where}: database unreachable (${describe(response.unexpected)})`);
      else request.log.error({ err: response.unexpected }, `${where}: ${describe(response.unexpected)}`);
    }
    if (reply.sent) return;
    if (response.status === 413) discardRefusedBody(request, reply);
    if (response.headers) void reply.headers(response.headers);
    void reply.status(response.status).type('application/json; charset=utf-8').send(response.body);
  }

  private logOutage(request: FastifyRequest, line: string): void {
    const now = Date.now();
    if (now - this.outageLoggedAt < OUTAGE_LOG_INTERVAL_MS) {
      this.outageUnlogged++;
      return;
    }
    const more = this.outageUnlogged > 0 ? ` (${this.outageUnlogged} more answered 503 for it since the last line)` : '';
    request.log.warn(line + more);
    this.outageLoggedAt = now;
    this.outageUnlogged = 0;
  }
}

function describe(error: unknown): string {
  // Prisma's messages open with the call site and source lines and end with the cause.
  const lines = error instanceof Error ? error.message.split('\n').filter((line) => line.trim() !== '') : [];
  return error instanceof Error ? `${error.name}: ${lines.at(-1)?.trim() ?? ''}` : String(error);
}
