import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { ERRORS } from '@aius/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toErrorResponse } from './error-response.js';

/**
 * Errors Fastify raises before a request reaches Nest (a malformed URL escape such as
 * `/projects/%ZZ`) or on the raw socket (headers too large, a garbled request line) bypass
 * the exception filter. These two handlers give them the same envelope as everything else.
 */
export function frameworkErrors(error: Error, request: FastifyRequest, reply: FastifyReply): void {
  const response = toErrorResponse(error, request.method, request.url);
  void reply.code(response.status).type('application/json; charset=utf-8').send(response.body);
}

export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  // 431 keeps its standard meaning for proxies; the body is the contract's INVALID_REQUEST.
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const body = JSON.stringify({ detail: { code: 'INVALID_REQUEST', message: ERRORS.INVALID_REQUEST.message } });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
