import type { FastifyInstance } from 'fastify';
import type { Principal } from './principal.js';

/** A bearer token the verifier already knew to be live when the request arrived: a hint, not an authentication. */
export interface KnownBearer {
  readonly token: string;
  readonly tokenId: number;
  readonly userId: string;
}

/** A user's client-list version as read from Redis, with the membership epoch read before it. */
export interface ListVersion {
  version: string;
  epoch: string | null;
}

/** A named quota: `limit` requests per `windowSeconds`. */
export interface RatePolicy {
  /** The policy name the IETF headers carry (`per-ip`, `per-account`, `per-token`). */
  name: string;
  limit: number;
  windowSeconds: number;
}

/** One limiter decision. */
export interface RateDecision {
  allowed: boolean;
  /** Requests still allowed right now after this one (0 when refused). */
  remaining: number;
  /** Milliseconds until the key is back to a full quota. */
  resetMs: number;
  /** Milliseconds until one more request would be allowed (0 when allowed). */
  retryAfterMs: number;
  policy: RatePolicy;
}

/**
 * What the arrival step learned about a request before any handler runs, and who the credential
 * check then found: the one value a request carries (`request.arrival`), written in a declared
 * order and read by plain code (services take its fields, never the request).
 */
export interface Arrival {
  /**
   * The matched route's pattern (`/api/v1/projects/:id`), undefined when no route matched. Read
   * once here: Fastify's `request.routeOptions` getter builds a twelve-field object on every read,
   * and five parts of a request's path want the pattern.
   */
  readonly route: string | undefined;
  /** Set by the bearer prefetch: the request's bearer, when already known live. */
  bearer: KnownBearer | null;
  /** Set by the client-list version step: `GET /clients` by a known bearer, its version read beside the limiter's call. */
  clientListVersion: Promise<ListVersion | null> | null;
  /** Set by the limiter: the per-IP decision on this request (and, after a per-token check, the one its headers name). */
  rateDecision: RateDecision | null;
  /** Set by the limiter: the per-token decision already taken for `bearer`'s token. */
  tokenDecision: { tokenId: number; decision: RateDecision } | null;
  /** Set by the credential check. */
  principal: Principal | null;
}

/** The part of an arriving request the contributors read (Fastify's request has it; no framework type needed). */
export interface ArrivingRequest {
  /** The request id (Fastify's, from `genReqId`). */
  readonly id: string;
  readonly method: string;
  readonly url: string;
  readonly ip: string;
  readonly headers: { readonly authorization?: string };
}

/** A refusal a contributor answers with instead of letting the request go on (the limiter's 429). */
export interface ArrivalRefusal {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** What a contributor may do to the answer before the handler runs: add headers (the request id, the limiter's). */
export interface ArrivalReply {
  header(name: string, value: string): unknown;
  headers(values: Record<string, string>): unknown;
}

/**
 * One named step of the arrival. Synchronous steps return nothing; a step that must wait returns a
 * promise, resolving with a refusal to answer the request with, or nothing to go on.
 */
export interface ArrivalContributor {
  readonly name: string;
  arrive(request: ArrivingRequest, arrival: Arrival, reply: ArrivalReply): void | Promise<ArrivalRefusal | void>;
  /** Called instead of the generic error log when `arrive` throws or rejects; the request goes on either way. */
  failed?(error: unknown): void;
}

/**
 * The arrival step: ONE onRequest hook (after routing, before body parsing, guards and handlers)
 * that gives each request its Arrival and runs the contributors in the order given. The order is
 * the design: the bearer prefetch first (its marker read, and the client-list version read after
 * it, leave in the same auto-pipelined Redis write as the limiter's script), the limiter last.
 * A contributor that fails is skipped, never turned into a 500 (each one degrades on its own:
 * the limiter fails open, the reads fall back to the slow path).
 */
export function installArrival(fastify: FastifyInstance, contributors: readonly ArrivalContributor[], onError: (name: string, error: unknown) => void): void {
  const fail = (contributor: ArrivalContributor, error: unknown) => (contributor.failed ? contributor.failed(error) : onError(contributor.name, error));
  // Null until the hook runs (a request refused before routing never gets one).
  fastify.decorateRequest('arrival', null as unknown as Arrival);
  fastify.addHook('onRequest', (request, reply, done) => {
    const arrival: Arrival = { route: request.routeOptions.url, bearer: null, clientListVersion: null, rateDecision: null, tokenDecision: null, principal: null };
    request.arrival = arrival;
    const next = (i: number): void => {
      for (; i < contributors.length; i++) {
        const contributor = contributors[i]!;
        let pending: void | Promise<ArrivalRefusal | void>;
        try {
          pending = contributor.arrive(request, arrival, reply);
        } catch (error) {
          fail(contributor, error);
          continue;
        }
        if (pending === undefined) continue;
        const from = i + 1;
        pending.then(
          (refusal) => {
            if (!refusal) return next(from);
            void reply.code(refusal.status).headers(refusal.headers).type('application/json; charset=utf-8').send(refusal.body);
          },
          (error: unknown) => {
            fail(contributor, error);
            next(from);
          },
        );
        return;
      }
      done();
    };
    next(0);
  });
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set on every request by the arrival step (see installArrival). */
    arrival: Arrival;
  }
}
