import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/**
 * Where a request came from, as plain values a service may keep (a session row, an audit event):
 * the client's address (`request.ip`, which honours TRUSTED_PROXIES) and its User-Agent header.
 */
export interface RequestOrigin {
  ip?: string;
  userAgent?: string;
}

export function originOf(request: Pick<FastifyRequest, 'ip' | 'headers'>): RequestOrigin {
  return { ip: request.ip, userAgent: request.headers['user-agent'] };
}

/** The handler's RequestOrigin, so controllers hand services values, never the Fastify request. */
export const CallerOrigin = createParamDecorator((_: unknown, ctx: ExecutionContext): RequestOrigin => originOf(ctx.switchToHttp().getRequest<FastifyRequest>()));
