import type { IncomingHttpHeaders } from 'node:http';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { PROJECT_HEADER, projectLabel, type ChatCompletionRequest, type ModelListResponse } from '@aius/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../../common/api-error.js';
import type { Principal } from '../../common/principal.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { correlate } from './correlation.js';
import { usageFromBody, type TokenUsage } from './token-usage.js';
import { exchange, headerValue } from './upstream-exchange.js';
import { UpstreamMeter } from './upstream-meter.js';
import { UpstreamRegistry } from './upstream-registry.js';

/** Upstream response headers worth handing back to the client besides the content type. */
const PASSED_BACK = ['retry-after', 'x-request-id'] as const;
/** nginx's "client closed request": recorded when the caller left before the answer was complete. */
const CLIENT_CLOSED = 499;

interface Call {
  principal: Principal;
  body: ChatCompletionRequest;
  request: FastifyRequest;
  reply: FastifyReply;
}

/**
 * The chat proxy (spec §8): forwards the client's JSON bytes to the routed upstream with the
 * server's key, streams or relays the answer, and meters the call off the request path.
 */
@Injectable()
export class ProxyService {
  private readonly logger = new Logger('Proxy');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly upstreams: UpstreamRegistry,
    private readonly meter: UpstreamMeter,
  ) {
    if (upstreams.upstreams.length === 0) this.logger.warn('no upstream configured (UPSTREAMS or UPSTREAM_BASE_URL): the chat proxy answers 503');
  }

  async listModels(request: FastifyRequest, reply: FastifyReply): Promise<ModelListResponse> {
    correlate(request, reply);
    return { object: 'list', data: await this.upstreams.listModels() };
  }

  async chat({ principal, body, request, reply }: Call): Promise<void> {
    const started = performance.now();
    const correlation = correlate(request, reply);
    const projectId = projectOf(request);
    if (this.upstreams.upstreams.length === 0) throw new ApiError('UPSTREAM_UNAVAILABLE');
    const route = this.upstreams.route(body.model);
    if (!route) throw new ApiError('NOT_FOUND', { message: 'The model does not exist or is not served here' });

    const { upstream, model } = route;
    const meter = (status: number, tokens: TokenUsage | null, errorType: string | null = status >= 400 ? String(status) : null) =>
      this.meter.record(principal, { provider: upstream.name, model: body.model, status, errorType, tokens, latencyMs: performance.now() - started, projectId });

    // The client's bytes as sent; re-serialized only when a routing prefix must be stripped.
    const payload = model === body.model && request.rawBody !== undefined ? request.rawBody : JSON.stringify({ ...body, model });
    const result = await exchange(
      upstream.pool,
      {
        method: 'POST',
        path: `${upstream.basePath}/chat/completions`,
        headers: {
          'content-type': 'application/json',
          accept: request.headers.accept ?? '*/*',
          // Never relay a compressed body to a client that asked for identity (spec §1).
          'accept-encoding': 'identity',
          ...correlation,
          ...(upstream.authorization ? { authorization: upstream.authorization } : {}),
        },
        body: payload,
        headersTimeout: this.config.UPSTREAM_TIMEOUT_MS,
        bodyTimeout: this.config.UPSTREAM_TIMEOUT_MS,
      },
      reply,
      passedBack,
    );
    switch (result.kind) {
      case 'client-gone':
        // Nobody to answer: tell Fastify the reply is dealt with rather than left unsent.
        reply.hijack();
        return meter(CLIENT_CLOSED, result.usage, 'client_closed');
      case 'failed':
        meter(503, null, 'unreachable');
        throw new ApiError('UPSTREAM_UNAVAILABLE');
      case 'stream':
        // 503 here: the upstream broke off the stream.
        return meter(result.status, result.usage, result.status === 503 ? 'unreachable' : null);
      case 'answer': {
        meter(result.status, result.status < 300 ? usageFromBody(result.body) : null);
        void reply.code(result.status).headers(passedBack(result.headers));
        await reply.type(headerValue(result.headers['content-type']) ?? 'application/json').send(result.body);
      }
    }
  }
}

/** The optional project label; scoped to the token's client when recorded (see README). */
function projectOf(request: FastifyRequest): string | null {
  const value = request.headers[PROJECT_HEADER];
  if (value === undefined || value === '') return null;
  const label = projectLabel.safeParse(value);
  if (!label.success) throw new ApiError('INVALID_REQUEST', { message: `Invalid ${PROJECT_HEADER} header` });
  return label.data;
}

function passedBack(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of PASSED_BACK) {
    const value = headerValue(headers[name]);
    if (value !== undefined) out[name] = value;
  }
  return out;
}
