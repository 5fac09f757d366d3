import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { PROJECT_HEADER, type ChatCompletionRequest, type ModelListResponse } from '@aius/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Dispatcher } from 'undici';
import { ApiError } from '../../common/api-error.js';
import type { Principal } from '../../common/principal.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { UsageRecorder } from '../usage/usage-recorder.js';
import { correlate } from './correlation.js';
import { StreamUsageScanner, usageFromBody, type TokenUsage } from './token-usage.js';
import { UpstreamRegistry, type UpstreamRoute } from './upstream-registry.js';

/** Upstream response headers worth handing back to the client besides the content type. */
const PASSED_BACK = ['retry-after', 'x-request-id'] as const;
/** nginx's "client closed request": recorded when the caller left before the answer was complete. */
const CLIENT_CLOSED = 499;
const PROJECT_ID = /^[A-Za-z0-9_-]{1,64}$/;

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
    private readonly usage: UsageRecorder,
  ) {
    if (upstreams.upstreams.length === 0) this.logger.warn('no upstream configured (UPSTREAMS or UPSTREAM_BASE_URL): the chat proxy answers 503');
  }

  async listModels(request: FastifyRequest, reply: FastifyReply): Promise<ModelListResponse> {
    correlate(request, reply);
    const data = await this.upstreams.listModels();
    if (data === null) throw new ApiError('UPSTREAM_UNAVAILABLE');
    return { object: 'list', data };
  }

  async chat({ principal, body, request, reply }: Call): Promise<void> {
    const started = performance.now();
    const correlation = correlate(request, reply);
    const projectId = projectOf(request);
    if (this.upstreams.upstreams.length === 0) throw new ApiError('UPSTREAM_UNAVAILABLE');
    const route = this.upstreams.route(body.model);
    if (!route) throw new ApiError('NOT_FOUND', { message: 'The model does not exist or is not served here' });

    const meter = (status: number, usage: TokenUsage | null) => {
      if (principal.tokenId === undefined || principal.tokenClientId === undefined) return;
      this.usage.record({
        tokenId: principal.tokenId,
        userId: principal.userId,
        clientId: principal.tokenClientId,
        projectId,
        model: body.model,
        promptTokens: usage?.promptTokens ?? 0,
        completionTokens: usage?.completionTokens ?? 0,
        totalTokens: usage?.totalTokens ?? 0,
        latencyMs: Math.round(performance.now() - started),
        status,
        at: Date.now(),
      });
    };

    // The client hanging up aborts the upstream call, whether it is still waiting or streaming.
    const abort = new AbortController();
    const res = reply.raw;
    const onClose = () => {
      if (!res.writableFinished) abort.abort();
    };
    res.once('close', onClose);
    try {
      let upstream: Dispatcher.ResponseData;
      try {
        upstream = await this.send(route, body, request, correlation, abort.signal);
      } catch {
        if (abort.signal.aborted) return meter(CLIENT_CLOSED, null);
        meter(503, null);
        throw new ApiError('UPSTREAM_UNAVAILABLE');
      }
      const contentType = headerValue(upstream.headers['content-type']);
      if (contentType?.startsWith('text/event-stream')) {
        const { status, usage } = await this.relayStream(upstream, contentType, reply, abort.signal);
        return meter(status, usage);
      }
      let answer: Buffer;
      try {
        answer = Buffer.from(await upstream.body.arrayBuffer());
      } catch {
        if (abort.signal.aborted) return meter(CLIENT_CLOSED, null);
        meter(503, null);
        throw new ApiError('UPSTREAM_UNAVAILABLE');
      }
      meter(upstream.statusCode, upstream.statusCode < 300 ? usageFromBody(answer) : null);
      void reply.code(upstream.statusCode).headers(passedBack(upstream.headers));
      await reply.type(contentType ?? 'application/json').send(answer);
    } finally {
      res.off('close', onClose);
    }
  }

  private send(route: UpstreamRoute, body: ChatCompletionRequest, request: FastifyRequest, correlation: Record<string, string>, signal: AbortSignal) {
    const { upstream, model } = route;
    // The client's bytes as sent; re-serialized only when a routing prefix must be stripped.
    const payload = model === body.model && request.rawBody !== undefined ? request.rawBody : JSON.stringify({ ...body, model });
    return upstream.pool.request({
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
      signal,
      headersTimeout: this.config.UPSTREAM_TIMEOUT_MS,
      bodyTimeout: this.config.UPSTREAM_TIMEOUT_MS,
    });
  }

  /**
   * Server-sent events straight from the upstream socket to the client's: each chunk is
   * written as it arrives (nothing is buffered), respecting the client's backpressure.
   * Headers (correlation, rate limit) already set on the reply go out with the stream's.
   */
  private async relayStream(
    upstream: Dispatcher.ResponseData,
    contentType: string,
    reply: FastifyReply,
    signal: AbortSignal,
  ): Promise<{ status: number; usage: TokenUsage | null }> {
    const res = reply.raw;
    reply.hijack();
    res.writeHead(upstream.statusCode, {
      ...(reply.getHeaders() as OutgoingHttpHeaders),
      ...passedBack(upstream.headers),
      'content-type': contentType,
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
    });
    res.flushHeaders();
    const scanner = new StreamUsageScanner();
    try {
      for await (const chunk of upstream.body as AsyncIterable<Buffer>) {
        scanner.push(chunk);
        if (!res.write(chunk)) await drained(res);
      }
      res.end();
      return { status: upstream.statusCode, usage: scanner.usage };
    } catch {
      // A stream cut short must not look complete to the client: drop the connection.
      res.destroy();
      return { status: signal.aborted ? CLIENT_CLOSED : 503, usage: scanner.usage };
    }
  }
}

/** The optional project label; scoped to the token's client when recorded (see README). */
function projectOf(request: FastifyRequest): string | null {
  const value = request.headers[PROJECT_HEADER];
  if (value === undefined || value === '') return null;
  if (typeof value !== 'string' || !PROJECT_ID.test(value)) throw new ApiError('INVALID_REQUEST', { message: `Invalid ${PROJECT_HEADER} header` });
  return value;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function passedBack(headers: Dispatcher.ResponseData['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of PASSED_BACK) {
    const value = headerValue(headers[name]);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
