import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { Model } from '@aius/contracts';
import { Pool } from 'undici';
import { APP_CONFIG, type AppConfig, type UpstreamConfig } from '../../config/config.js';
import { readUsage, type TokenUsage } from './token-usage.js';
import { unixSeconds } from '../../common/unix-time.js';

/** One configured OpenAI-compatible server, with its own keep-alive connection pool. */
export interface Upstream {
  name: string;
  /** Path of the base URL without a trailing slash (`/v1`, `/api/v1`, or ''). */
  basePath: string;
  /** `Bearer <key>`; absent for upstreams that take no key (a local vLLM or Ollama). */
  authorization?: string;
  models: readonly string[];
  prefix?: string;
  /** Whether AIUS may ask it for a stream's usage (UPSTREAMS `stream_usage`, default true). */
  streamUsage: boolean;
  pool: Pool;
}

export interface UpstreamRoute {
  upstream: Upstream;
  /** The model id the upstream knows: the client's id with a routing prefix stripped. */
  model: string;
}

/** How a non-streamed chat completion ended (the run loop's calls). */
export type CompletionResult =
  | { kind: 'answer'; status: number; body: unknown; tokens: TokenUsage | null }
  /** Unreachable, refused, timed out, or a body that is not JSON. */
  | { kind: 'failed' }
  /** `signal` fired first (the caller went away). */
  | { kind: 'aborted' };

interface FetchedModels {
  models: Model[];
  expiresAt: number;
}

/**
 * The configured upstreams and the model routing rule:
 * 1. an upstream listing the model id exactly;
 * 2. else the upstream with the longest `prefix` the id starts with (`openrouter/` +
 *    `openai/gpt-4o`): the prefix is an AIUS routing namespace the upstream does not know,
 *    so it is stripped before forwarding;
 * 3. else the first upstream with neither `models` nor `prefix` (a catch-all, which is what
 *    the UPSTREAM_BASE_URL shorthand configures).
 */
@Injectable()
export class UpstreamRegistry implements OnModuleDestroy {
  private readonly logger = new Logger('Upstreams');
  readonly upstreams: readonly Upstream[];
  private readonly exact = new Map<string, Upstream>();
  private readonly prefixed: Upstream[];
  private readonly catchAll?: Upstream;
  private readonly fetched = new Map<Upstream, FetchedModels>();
  private readonly inflight = new Map<Upstream, Promise<Model[] | null>>();
  /** `created` for configured models, which carry no date of their own. */
  private readonly bootSeconds = unixSeconds();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.upstreams = upstreamConfigs(config).map((u) => this.open(u));
    for (const u of this.upstreams) for (const m of u.models) if (!this.exact.has(m)) this.exact.set(m, u);
    this.prefixed = this.upstreams.filter((u) => u.prefix).sort((a, b) => b.prefix!.length - a.prefix!.length);
    this.catchAll = this.upstreams.find((u) => u.models.length === 0 && !u.prefix);
  }

  route(model: string): UpstreamRoute | null {
    const exact = this.exact.get(model);
    if (exact) return { upstream: exact, model };
    for (const u of this.prefixed) if (model.startsWith(u.prefix!)) return { upstream: u, model: model.slice(u.prefix!.length) };
    return this.catchAll ? { upstream: this.catchAll, model } : null;
  }

  /**
   * One non-streamed `POST {base}/chat/completions` on the route's upstream, with the server's
   * key and the routed model id; aborted at once when `signal` fires. The answer's body is
   * parsed, never handed on raw: an upstream's HTML error page must not reach a client.
   */
  async complete(route: UpstreamRoute, body: Record<string, unknown>, signal: AbortSignal, headers: Record<string, string> = {}): Promise<CompletionResult> {
    const { upstream, model } = route;
    try {
      const res = await upstream.pool.request({
        method: 'POST',
        path: `${upstream.basePath}/chat/completions`,
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          'accept-encoding': 'identity',
          ...headers,
          ...(upstream.authorization ? { authorization: upstream.authorization } : {}),
        },
        body: JSON.stringify({ ...body, model, stream: false }),
        signal,
        headersTimeout: this.config.UPSTREAM_TIMEOUT_MS,
        bodyTimeout: this.config.UPSTREAM_TIMEOUT_MS,
      });
      const text = await res.body.text();
      let parsed: unknown = null;
      try {
        parsed = JSON.parse(text);
      } catch {
        if (res.statusCode < 300) return { kind: 'failed' };
      }
      return { kind: 'answer', status: res.statusCode, body: parsed, tokens: res.statusCode < 300 ? readUsage(parsed) : null };
    } catch {
      return signal.aborted ? { kind: 'aborted' } : { kind: 'failed' };
    }
  }

  /**
   * Configured models are listed as they are (no network). An upstream configured without
   * a model list is asked for its own (`GET {base}/models`), cached for
   * UPSTREAM_MODELS_CACHE_SECONDS; its ids are shown with the upstream's prefix. An upstream
   * that does not answer contributes the last list it gave (none if it never answered), with a
   * warning in the log: the list is what a client checks its key against, so it must not fail
   * because one upstream is away (the chat call to that upstream still answers 503).
   */
  async listModels(): Promise<Model[]> {
    const lists = await Promise.all(
      this.upstreams.map((u) =>
        u.models.length > 0
          ? u.models.map((id): Model => ({ id, object: 'model', created: this.bootSeconds, owned_by: u.name }))
          : this.upstreamModels(u),
      ),
    );
    const seen = new Set<string>();
    const out: Model[] = [];
    for (const list of lists) {
      for (const m of list ?? []) {
        if (seen.has(m.id)) continue;
        seen.add(m.id);
        out.push(m);
      }
    }
    return out;
  }

  private async upstreamModels(u: Upstream): Promise<Model[] | null> {
    const cached = this.fetched.get(u);
    if (cached && cached.expiresAt > Date.now()) return cached.models;
    let pending = this.inflight.get(u);
    if (!pending) {
      pending = this.fetchModels(u).finally(() => this.inflight.delete(u));
      this.inflight.set(u, pending);
    }
    // A stale list beats none while the upstream is briefly away.
    return (await pending) ?? cached?.models ?? null;
  }

  private async fetchModels(u: Upstream): Promise<Model[] | null> {
    try {
      const res = await u.pool.request({
        method: 'GET',
        path: `${u.basePath}/models`,
        headers: { accept: 'application/json', 'accept-encoding': 'identity', ...(u.authorization ? { authorization: u.authorization } : {}) },
        headersTimeout: this.config.UPSTREAM_TIMEOUT_MS,
        bodyTimeout: this.config.UPSTREAM_TIMEOUT_MS,
      });
      const body = (await res.body.json().catch(() => null)) as { data?: unknown } | null;
      if (res.statusCode !== 200 || !Array.isArray(body?.data)) {
        this.logger.warn(`${u.name}: GET /models answered ${res.statusCode}; GET /v1/models lists what it last gave`);
        return null;
      }
      const models = body.data.flatMap((m: unknown): Model[] => {
        const r = m as { id?: unknown; created?: unknown; owned_by?: unknown };
        if (typeof r.id !== 'string' || r.id === '') return [];
        return [
          {
            id: `${u.prefix ?? ''}${r.id}`,
            object: 'model',
            created: Number.isInteger(r.created) ? (r.created as number) : this.bootSeconds,
            owned_by: typeof r.owned_by === 'string' ? r.owned_by : u.name,
          },
        ];
      });
      this.fetched.set(u, { models, expiresAt: Date.now() + this.config.UPSTREAM_MODELS_CACHE_SECONDS * 1000 });
      return models;
    } catch (error) {
      this.logger.warn(`${u.name}: GET /models failed (${(error as Error).message}); GET /v1/models lists what it last gave`);
      return null;
    }
  }

  private open(u: UpstreamConfig): Upstream {
    const url = new URL(u.base_url);
    return {
      name: u.name,
      basePath: url.pathname.replace(/\/+$/, ''),
      authorization: u.api_key ? `Bearer ${u.api_key}` : undefined,
      models: u.models,
      prefix: u.prefix,
      streamUsage: u.stream_usage,
      pool: new Pool(url.origin, {
        connections: this.config.UPSTREAM_CONNECTIONS,
        keepAliveTimeout: 30_000,
        // An unreachable host must fail fast, whatever the (long) response timeout is.
        connect: { timeout: Math.min(this.config.UPSTREAM_TIMEOUT_MS, 5_000) },
      }),
    };
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.upstreams.map((u) => u.pool.destroy()));
  }
}

/** UPSTREAMS when set, else the UPSTREAM_BASE_URL shorthand as one catch-all upstream. */
export function upstreamConfigs(config: AppConfig): UpstreamConfig[] {
  if (config.UPSTREAMS) return config.UPSTREAMS;
  if (!config.UPSTREAM_BASE_URL) return [];
  return [{ name: 'default', base_url: config.UPSTREAM_BASE_URL, api_key: config.UPSTREAM_API_KEY, models: [], stream_usage: true }];
}
