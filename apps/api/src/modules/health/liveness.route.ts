import { Injectable } from '@nestjs/common';
import { API_BASE, routes } from '@aius/contracts';
import type { FastifyInstance } from 'fastify';

/**
 * GET /health (liveness), registered on Fastify directly instead of through a Nest controller,
 * as the chat proxy is (see ChatRoute). The route answers a constant and needs nothing Nest's
 * per-request machinery adds (router proxy, execution context, guard chain, response
 * controller): without it the route runs only Fastify and the hooks every route has (request id,
 * arrival with its per-IP limit, which is off for this route, metrics and the request log).
 * The answer is the contract's schema applied once, to the constant, and serialized once.
 */
@Injectable()
export class LivenessRoute {
  install(fastify: FastifyInstance): void {
    const def = routes.health;
    const body = JSON.stringify(def.response.parse({ status: 'ok' }));
    fastify.route({
      method: def.method,
      url: `${API_BASE}${def.path}`,
      handler: (_request, reply) => reply.type('application/json; charset=utf-8').send(body),
    });
  }
}
