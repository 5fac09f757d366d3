import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { ArrivalContributor } from '../common/arrival.js';

export const REQUEST_ID_HEADER = 'x-request-id';
/** A caller's id is kept only when it is short and plain (it is echoed and logged). */
const ACCEPTABLE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's `X-Request-Id` when acceptable, else a new one: correlates a call across proxies and logs. */
export function requestId(request: IncomingMessage): string {
  const sent = request.headers[REQUEST_ID_HEADER];
  return typeof sent === 'string' && ACCEPTABLE_ID.test(sent) ? sent : randomUUID();
}

/**
 * Fastify's request logging, reduced to one line per request, written when the answer has
 * gone out: method, route template, status, latency, request id (bound by Fastify), client
 * IP, the credential kind and API token id. Never a header, a query string or a body: those
 * can carry secrets. Errors are logged where they are handled (ApiExceptionFilter), with
 * their stack and causes, under the same request id.
 */
export class RequestLog extends LogController {
  private observer: CompletionObserver | null = null;

  constructor() {
    super({ requestIdLogLabel: 'request_id' });
  }

  /**
   * Also hands every answered request to `observer` (the metrics' request series), whatever the
   * log level. Fastify calls this controller once per answer anyway, so observing here adds no
   * hook to every route's chain (an `onResponse` hook of its own would run for every request).
   */
  observeCompletions(observer: CompletionObserver): void {
    this.observer = observer;
  }

  override incomingRequest(): void {}

  override requestCompleted(_error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    // No arrival when the request never reached the hooks (a malformed URL).
    const arrival = request.arrival;
    const route = arrival ? arrival.route : request.routeOptions.url;
    this.observer?.(request, reply, route);
    if (!(request.log as Logger).isLevelEnabled('info')) return;
    const principal = arrival?.principal;
    request.log.info(
      {
        method: request.method,
        route: route ?? null,
        ...(route === undefined && { path: request.url.split('?')[0] }),
        status: reply.statusCode,
        latency_ms: Math.round(reply.elapsedTime * 100) / 100,
        ip: request.ip,
        credential: principal?.via ?? 'none',
        ...(principal?.tokenId !== undefined && { token_id: principal.tokenId }),
      },
      'request',
    );
  }
}

/** Sees each answered request once it has gone out, with its route pattern (undefined: no route matched). */
export type CompletionObserver = (request: FastifyRequest, reply: FastifyReply, route: string | undefined) => void;

/**
 * Every answer carries its request id: the arrival step's first contributor, so a refusal by a
 * later one (the limiter's 429) carries it too. A step of the one arrival hook rather than a hook
 * of its own: each Fastify hook costs every request of every route a turn of the hook runner.
 */
export const echoRequestId: ArrivalContributor = {
  name: 'request id',
  arrive(request, _arrival, reply) {
    reply.header(REQUEST_ID_HEADER, request.id);
  },
};
