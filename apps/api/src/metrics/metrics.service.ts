import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { BoundedLabel } from './bounded-label.js';
import { HotCounter, HotHistogram, type CounterSeries, type HistogramSeries } from './hot-series.js';

/** OpenTelemetry's advised buckets for gen_ai.client.operation.duration (seconds) and token usage. */
const GEN_AI_DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
const GEN_AI_TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
const HTTP_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

interface UpstreamSeries {
  duration: HistogramSeries;
  input: HistogramSeries;
  output: HistogramSeries;
  errors?: CounterSeries;
}

interface RequestSeries {
  count: CounterSeries;
  duration: HistogramSeries;
}

export interface UpstreamCall {
  /** The upstream's configured name (OpenTelemetry's gen_ai.provider.name). */
  provider: string;
  model: string;
  /** Null on success; else `unreachable` (refused, timed out, cut short), `client_closed`, or the upstream's status. */
  errorType: string | null;
  seconds: number;
  inputTokens?: number;
  outputTokens?: number;
}

/**
 * The Prometheus registry and what is recorded on the request path. Labels are bounded on
 * purpose: route template, method, status, credential kind, upstream, model (capped) — never a
 * token, user or client id, whose series would grow with the user base (per-key numbers belong
 * to the usage API). With METRICS_PORT unset nothing is recorded.
 *
 * Other modules inject this service: the run loop sets `openRunSockets`.
 */
@Injectable()
export class MetricsService {
  readonly enabled: boolean;
  readonly registry = new Registry();
  private readonly models: BoundedLabel;

  private readonly requests = new HotCounter(
    this.registry,
    'aius_http_requests_total',
    'HTTP requests answered, by route template, method, status and credential kind',
  );
  private readonly requestDuration = new HotHistogram(
    this.registry,
    'http_server_request_duration_seconds',
    'Time to answer an HTTP request (OpenTelemetry http.server.request.duration)',
    HTTP_BUCKETS,
  );
  private readonly operationDuration = new HotHistogram(
    this.registry,
    'gen_ai_client_operation_duration_seconds',
    'Upstream chat completion calls (OpenTelemetry gen_ai.client.operation.duration)',
    GEN_AI_DURATION_BUCKETS,
  );
  private readonly tokenUsage = new HotHistogram(
    this.registry,
    'gen_ai_client_token_usage',
    'Tokens per upstream call, by type (OpenTelemetry gen_ai.client.token.usage)',
    GEN_AI_TOKEN_BUCKETS,
  );
  private readonly upstreamErrors = new HotCounter(
    this.registry,
    'aius_upstream_errors_total',
    'Upstream calls that failed, by upstream and error type (unreachable, client_closed, or the upstream status)',
  );
  /** Set by the run loop: sockets open on this instance. */
  readonly openRunSockets = new Gauge({
    name: 'aius_run_sockets_open',
    help: 'Run-loop WebSockets open on this instance',
    registers: [this.registry],
  });

  /**
   * Recorders per label combination: route → method → status → credential kind, four Map
   * lookups of values the request already holds. A key string built per request (`${method}
   * ${route} ...`) cost ~165 ns of the recorder's ~185 ns (bench: the metrics section's
   * in-process row) and left garbage behind every request; these lookups allocate nothing.
   */
  private readonly requestSeries = new Map<string, Map<string, Map<number, Map<string, RequestSeries>>>>();
  /** Per upstream → model → error type, for the same reason. */
  private readonly upstreamSeries = new Map<string, Map<string, Map<string, UpstreamSeries>>>();

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.enabled = config.METRICS_PORT !== undefined;
    this.models = new BoundedLabel(config.METRICS_MAX_MODELS);
    if (this.enabled && config.METRICS_PROCESS) collectDefaultMetrics({ register: this.registry });
  }

  /**
   * Counts every answered request once it has gone out. `completions` is the request log's
   * controller (no hook of its own; see RequestLog.observeCompletions); with metrics off nothing
   * is observed.
   */
  install(completions: { observeCompletions(observer: (request: FastifyRequest, reply: FastifyReply, route: string | undefined) => void): void }): void {
    if (!this.enabled) return;
    completions.observeCompletions((request, reply, route = 'unmatched') => {
      const credential = request.arrival?.principal?.via ?? 'none';
      const series = this.requestSeriesFor(route, request.method, reply.statusCode, credential);
      series.count.value++;
      series.duration.observe(reply.elapsedTime / 1000);
    });
  }

  private requestSeriesFor(route: string, method: string, statusCode: number, credential: string): RequestSeries {
    let byMethod = this.requestSeries.get(route);
    if (!byMethod) this.requestSeries.set(route, (byMethod = new Map()));
    let byStatus = byMethod.get(method);
    if (!byStatus) byMethod.set(method, (byStatus = new Map()));
    let byCredential = byStatus.get(statusCode);
    if (!byCredential) byStatus.set(statusCode, (byCredential = new Map()));
    let series = byCredential.get(credential);
    if (!series) {
      const status = String(statusCode);
      series = {
        count: this.requests.series({ route, method, status, credential }),
        duration: this.requestDuration.series({ http_route: route, http_request_method: method, http_response_status_code: status }),
      };
      byCredential.set(credential, series);
    }
    return series;
  }

  /** One upstream chat call, as OpenTelemetry's GenAI client metrics describe it. */
  upstreamCall(call: UpstreamCall): void {
    if (!this.enabled) return;
    const model = this.models.of(call.model);
    const errorType = call.errorType ?? '';
    let byModel = this.upstreamSeries.get(call.provider);
    if (!byModel) this.upstreamSeries.set(call.provider, (byModel = new Map()));
    let byError = byModel.get(model);
    if (!byError) byModel.set(model, (byError = new Map()));
    let series = byError.get(errorType);
    if (!series) {
      const operation = { gen_ai_operation_name: 'chat', gen_ai_provider_name: call.provider, gen_ai_request_model: model };
      series = {
        duration: this.operationDuration.series({ ...operation, error_type: errorType }),
        input: this.tokenUsage.series({ ...operation, gen_ai_token_type: 'input' }),
        output: this.tokenUsage.series({ ...operation, gen_ai_token_type: 'output' }),
        ...(errorType !== '' && { errors: this.upstreamErrors.series({ upstream: call.provider, error_type: errorType }) }),
      };
      byError.set(errorType, series);
    }
    series.duration.observe(call.seconds);
    if (series.errors) series.errors.value++;
    if (call.inputTokens !== undefined) series.input.observe(call.inputTokens);
    if (call.outputTokens !== undefined) series.output.observe(call.outputTokens);
  }
}
