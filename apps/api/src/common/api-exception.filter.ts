import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toErrorResponse } from './error-response.js';

/** Every failure leaves through here, as one of the two `detail` envelopes (spec §2). */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const response = toErrorResponse(exception, request.method, request.url);
    if (response.unexpected !== undefined) {
      // Only method and path: query strings and bodies may carry secrets.
      const where = `${request.method} ${request.url.split('?')[0]}`;
      if (response.status === 503) this.logger.warn(`${where}: database unreachable (${describe(response.unexpected)})`);
      else this.logger.error(`${where}: ${describe(response.unexpected)}`, (response.unexpected as Error)?.stack);
    }
    if (reply.sent) return;
    if (response.headers) void reply.headers(response.headers);
    void reply.status(response.status).type('application/json; charset=utf-8').send(response.body);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message.split('\n')[0]}` : String(error);
}
