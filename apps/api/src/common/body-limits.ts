import { API_BASE, DEFAULT_BODY_LIMIT, routes, type RouteDef } from '@aius/contracts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** After a 413, at most this much more of the refused body is read and discarded before the socket is cut. */
const DISCARD_AT_MOST = 16 * 1024 * 1024;

const limits = new Map<string, number>(
  Object.values(routes as Record<string, RouteDef>).map((def) => [`${def.method} ${API_BASE}${def.path}`, def.bodyLimit ?? DEFAULT_BODY_LIMIT]),
);

/**
 * Request-body limits as data: each route of the contract gets its own `bodyLimit` (or
 * DEFAULT_BODY_LIMIT) as Fastify's route option, so one route can take more than the rest.
 * Call before any route is registered.
 *
 * A body over the limit is answered 413 PAYLOAD_TOO_LARGE (structured), as soon as its
 * Content-Length says so or once the limit has been read. The rest of the body is then read
 * and discarded (up to DISCARD_AT_MOST) instead of closing the connection under a client that
 * is still sending: that close is what turned the answer into a connection reset (EPIPE /
 * ECONNRESET) on the client side before it could read it.
 */
export function installBodyLimits(fastify: FastifyInstance): void {
  fastify.addHook('onRoute', (options) => {
    const methods = Array.isArray(options.method) ? options.method : [options.method];
    const limit = methods.map((m) => limits.get(`${m} ${options.url}`)).find((l) => l !== undefined);
    options.bodyLimit ??= limit ?? DEFAULT_BODY_LIMIT;
  });
}

/** For the 413 answer (called by the exception filter, so no hook runs on every request). */
export function discardRefusedBody(request: FastifyRequest, reply: FastifyReply): void {
  // Complete: nothing left to read. Destroyed: a route's own parser gave up on the stream
  // (the artifact upload's pipeline), so nothing can read the rest; Connection: close stays.
  if (request.raw.complete || request.raw.destroyed) return;
  // Fastify asks for Connection: close here; keeping the connection lets Node read the rest
  // of the body off the socket before the next request, instead of resetting it.
  reply.removeHeader('connection');
  let discarded = 0;
  request.raw.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > DISCARD_AT_MOST) request.raw.socket.destroy();
  });
  request.raw.resume();
}
