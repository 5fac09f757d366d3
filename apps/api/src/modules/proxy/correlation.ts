import { randomUUID } from 'node:crypto';
import { CORRELATION_HEADERS } from '@aius/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';

const MAX_LENGTH = 256;

/**
 * Echoes the caller's correlation headers, or generates the missing ones (spec §8), on the
 * reply; the same values are forwarded upstream so both sides' logs line up.
 */
export function correlate(request: FastifyRequest, reply: FastifyReply): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of CORRELATION_HEADERS) {
    const sent = request.headers[name];
    headers[name] = typeof sent === 'string' && sent !== '' && sent.length <= MAX_LENGTH ? sent : randomUUID();
  }
  void reply.headers(headers);
  return headers;
}
