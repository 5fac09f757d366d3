import type { IncomingHttpHeaders } from 'node:http';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { PROJECT_HEADER, projectLabel, type ChatCompletionRequest, type Model } from '@aius/contracts';
import { ApiError } from '../../common/api-error.js';
import { mayCallModel, type Principal } from '../../common/principal.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { usageFromBody, type TokenUsage } from './token-usage.js';
import { exchange, headerValue, type AnswerSink } from './upstream-exchange.js';
import { UpstreamMeter } from './upstream-meter.js';
import { UpstreamRegistry } from './upstream-registry.js';

/** Upstream response headers worth handing back to the client besides the content type. */
const PASSED_BACK = ['retry-after', 'x-request-id'] as const;
/** nginx's "client closed request": recorded when the caller left before the answer was complete. */
const CLIENT_CLOSED = 499;

/** One chat call, as plain values: who, what, and where the answer goes. */
export interface ChatCall {
  principal: Principal;
  body: ChatCompletionRequest;
  /** The JSON body as the client sent it (forwarded untouched when no routing prefix must be stripped). */
  rawBody: string | undefined;
  /** The client's Accept header. */
  accept: string | undefined;
  /** The x-aius-project-id label (see projectOf). */
  projectId: string | null;
  /** The correlation headers (spec §8), echoed to the client and forwarded upstream. */
  correlation: Record<string, string>;
  answer: AnswerSink;
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

  /** The models this caller may call: a token with an allowlist (spec §12) sees only those. */
  async listModels(principal: Principal): Promise<Model[]> {
    const models = await this.upstreams.listModels();
    return principal.tokenModels ? models.filter((m) => mayCallModel(principal, m.id)) : models;
  }

  async chat({ principal, body, rawBody, accept, projectId, correlation, answer: reply }: ChatCall): Promise<void> {
    const started = performance.now();
    // Before routing: a token's allowlist answers the same whether or not the model is served here.
    if (!mayCallModel(principal, body.model)) throw new ApiError('MODEL_NOT_ALLOWED');
    if (this.upstreams.upstreams.length === 0) throw new ApiError('UPSTREAM_UNAVAILABLE');
    const route = this.upstreams.route(body.model);
    if (!route) throw new ApiError('NOT_FOUND', { message: 'The model does not exist or is not served here' });

    const { upstream, model } = route;
    const askUsage = body.stream === true && upstream.streamUsage && !asksForUsage(body);
    const payload = upstreamPayload(body, model, rawBody, askUsage);
    // Credits (spec §12): the call's largest possible cost is held before it is made, or it is refused with 402.
    const held = this.meter.billing ? this.meter.hold(principal, body.model, payload.length, maxOutputOf(body), { projectId }) : null;
    const hold = held instanceof Promise ? await held : held;
    const meter = (status: number, tokens: TokenUsage | null, errorType: string | null = status >= 400 ? String(status) : null) =>
      this.meter.record(principal, { provider: upstream.name, model: body.model, status, errorType, tokens, latencyMs: performance.now() - started, projectId, hold });

    // The stream is metered exactly (askUsage, spec §12): when the client did not ask for its
    // usage, AIUS does, and takes the usage-only event back out of what it relays.
    const result = await exchange(
      upstream.pool,
      {
        method: 'POST',
        path: `${upstream.basePath}/chat/completions`,
        headers: {
          'content-type': 'application/json',
          accept: accept ?? '*/*',
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
      askUsage,
    );
    switch (result.kind) {
      case 'client-gone':
        // Nobody to answer: tell Fastify the reply is dealt with rather than left unsent.
        reply.takeOver();
        return meter(CLIENT_CLOSED, result.usage, 'client_closed');
      case 'failed':
        meter(503, null, 'unreachable');
        throw new ApiError('UPSTREAM_UNAVAILABLE');
      case 'stream':
        // 503 here: the upstream broke off the stream.
        return meter(result.status, result.usage, result.status === 503 ? 'unreachable' : null);
      case 'answer': {
        meter(result.status, result.status < 300 ? usageFromBody(result.body) : null);
        reply.send(result.status, passedBack(result.headers), headerValue(result.headers['content-type']) ?? 'application/json', result.body);
      }
    }
  }
}

/** The optional project label from its header; scoped to the token's client when recorded (see README). */
export function projectOf(value: string | string[] | undefined): string | null {
  if (value === undefined || value === '') return null;
  const label = projectLabel.safeParse(value);
  if (!label.success) throw new ApiError('INVALID_REQUEST', { message: `Invalid ${PROJECT_HEADER} header` });
  return label.data;
}

/** The call's output limit, as OpenAI's two spellings give it; undefined when it names none. */
function maxOutputOf(body: ChatCompletionRequest): number | undefined {
  for (const value of [body.max_completion_tokens, body.max_tokens]) {
    if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
  }
  return undefined;
}

/** Whether the client asked for a stream's usage itself (it then gets the usage event, as it asked). */
function asksForUsage(body: ChatCompletionRequest): boolean {
  const options = body.stream_options;
  return typeof options === 'object' && options !== null && (options as { include_usage?: unknown }).include_usage === true;
}

/**
 * The body sent upstream: the client's bytes as sent, unless a routing prefix must be stripped or
 * usage asked for. Asking for usage appends one member to the client's bytes when it sent no
 * `stream_options` (the usual case: no parse-and-serialize of a large conversation), and otherwise
 * keeps the client's other stream options beside `include_usage`.
 */
function upstreamPayload(body: ChatCompletionRequest, model: string, rawBody: string | undefined, askUsage: boolean): string {
  if (model === body.model && rawBody !== undefined) {
    if (!askUsage) return rawBody;
    const close = rawBody.lastIndexOf('}');
    if (body.stream_options === undefined && close !== -1 && rawBody.slice(close + 1).trim() === '') {
      return `${rawBody.slice(0, close)},"stream_options":{"include_usage":true}}`;
    }
  }
  if (!askUsage) return JSON.stringify({ ...body, model });
  const options = typeof body.stream_options === 'object' && body.stream_options !== null ? body.stream_options : {};
  return JSON.stringify({ ...body, model, stream_options: { ...options, include_usage: true } });
}

function passedBack(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of PASSED_BACK) {
    const value = headerValue(headers[name]);
    if (value !== undefined) out[name] = value;
  }
  return out;
}
