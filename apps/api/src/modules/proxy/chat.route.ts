import { Injectable } from '@nestjs/common';
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { API_BASE, PROJECT_HEADER, routes } from '@aius/contracts';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ContractPipe } from '../../common/contract-pipe.js';
import { CredentialCheck } from '../../common/credential-check.js';
import { RateLimitService } from '../rate-limit/rate-limit.service.js';
import { correlate } from './correlation.js';
import { ProxyService, projectOf } from './proxy.service.js';
import type { AnswerSink } from './upstream-exchange.js';

/**
 * POST /chat/completions, registered on Fastify directly instead of through a Nest controller.
 * It is the gateway's hot path, and Nest's per-request machinery (router proxy, the guard and
 * interceptor chain through rxjs, parameter factories) was a measurable share of its CPU for
 * nothing this route needs. The contract is kept by the same parts the Nest routes use: the
 * Fastify hooks (per-IP limit, bearer prefetch) run as for every route, CredentialCheck applies
 * the route's `auth`, ContractPipe its body schema, and anything thrown reaches Nest's exception
 * filter through Fastify's error handler, which Nest installs for the whole instance. This file is
 * the route's HTTP side: ProxyService gets plain values and an AnswerSink.
 *
 * Order: credential (401s), then the token's quota (429), then the body (400s): the quota
 * counts every call whose credential is accepted (see RateLimitService).
 */
@Injectable()
export class ChatRoute {
  constructor(
    private readonly credentials: CredentialCheck,
    private readonly rateLimits: RateLimitService,
    private readonly proxy: ProxyService,
  ) {}

  install(fastify: FastifyInstance): void {
    const def = routes.chatCompletions;
    const body = new ContractPipe(def.body);
    fastify.route({
      method: def.method,
      url: `${API_BASE}${def.path}`,
      handler: async (request, reply) => {
        // A warm token's credential and quota are decided in this tick (both were prepared on
        // arrival); anything else waits for the same checks' promises, with the same answers.
        const principal = this.credentials.authenticateNow(def, request) ?? (await this.credentials.authenticate(def, request));
        if (principal.tokenId !== undefined) {
          const taken = this.rateLimits.consumeToken(principal.tokenId, request.arrival);
          const headers = taken instanceof Promise ? await taken : taken;
          if (headers) void reply.headers(headers);
        }
        const parsed = body.transform(request.body);
        const correlation = correlate(request, reply);
        await this.proxy.chat({
          principal,
          body: parsed,
          rawBody: request.rawBody,
          accept: request.headers.accept,
          projectId: projectOf(request.headers[PROJECT_HEADER]),
          correlation,
          answer: new FastifyAnswer(reply),
        });
      },
    });
  }
}

/** The Fastify reply as the proxy's AnswerSink. */
class FastifyAnswer implements AnswerSink {
  constructor(private readonly reply: FastifyReply) {}

  get raw(): ServerResponse {
    return this.reply.raw;
  }

  takeOver(): void {
    this.reply.hijack();
  }

  /**
   * The reply's headers so far, then `headers` (which win over them), handed to Node as name/value
   * pairs rather than spread into one more object: Node stores pairs without its per-key
   * own-property walk, measured 7.4-8.3 -> 2.5-2.6 us of CPU for a chat answer's ten headers.
   */
  writeHead(status: number, headers: Record<string, string | number>): ServerResponse {
    const own = this.reply.getHeaders();
    const pairs: (string | number | string[])[] = [];
    for (const name in own) {
      const value = own[name];
      if (value !== undefined && headers[name] === undefined) pairs.push(name, value);
    }
    for (const name in headers) pairs.push(name, headers[name]!);
    this.reply.hijack();
    return this.reply.raw.writeHead(status, pairs as unknown as OutgoingHttpHeaders);
  }

  /**
   * Written to the Node response directly, as a stream's answer is, not through `reply.send`: the
   * body is bytes already complete, so Fastify's send pipeline (content-type sniffing, onSend hook
   * runner, header bookkeeping) and awaiting the reply as a thenable (one more promise and two
   * listeners on the response, resolved at 'finish') were per-call work for nothing. The request's
   * onResponse steps (request log line, metrics) still run: Fastify listens on the response's
   * 'finish', hijacked or not.
   */
  send(status: number, headers: Record<string, string>, contentType: string, body: Buffer): void {
    this.writeHead(status, { ...headers, 'content-type': contentType, 'content-length': body.length }).end(body);
  }
}
