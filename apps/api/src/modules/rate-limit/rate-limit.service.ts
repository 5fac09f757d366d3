import { Inject, Injectable, Logger } from '@nestjs/common';
import { API_BASE, ERRORS, routes, type RatePolicy as RoutePolicy, type RouteDef } from '@aius/contracts';
import type { Arrival, ArrivalContributor, ArrivalRefusal, ArrivalReply, ArrivingRequest } from '../../common/arrival.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { RateLimitedError } from './rate-limited.error.js';
import { closerToLimit, rateLimitHeaders, type RateDecision, type RatePolicy } from './rate-limit-headers.js';
import type { GcraResult } from './gcra.js';
import { RateLimitStore, type Quota } from './rate-limit.store.js';

interface RouteLimits {
  rate: RoutePolicy;
  tokenQuota: boolean;
}

/**
 * Per-IP limits for every request (spec §7) and the per-token limit the chat proxy adds.
 * The IP check runs as a Fastify onRequest hook: after routing (so the route's policy is
 * known) but before body parsing, Nest guards and credential checks, so a flood of bad
 * bearers or oversized bodies is refused for the price of at most one Redis round trip.
 *
 * On a route with a token quota, a request whose bearer the verifier already knows
 * (`arrival.bearer`) has its token quota taken in that same round trip, after the IP quota and
 * only if the IP quota allowed it; the verdict is applied by `consumeToken` once the
 * credential is verified, so a bad credential still hears 401 first. The token quota thus
 * counts every call whose credential is accepted, whatever happens to it afterwards.
 */
@Injectable()
export class RateLimitService implements ArrivalContributor {
  readonly name = 'limiter';
  private readonly logger = new Logger('RateLimit');
  private readonly policies: Record<'default' | 'credential', RatePolicy>;
  private readonly tokenPolicy: RatePolicy;
  /**
   * Method → Fastify's route pattern (`/api/v1/path/:param`) → the route table's limits. Two
   * lookups rather than one `${method} ${pattern}` key: that string was built on every request
   * of every route (the per-IP check runs before each), `GET /health` included.
   */
  private readonly routeLimits = new Map<string, Map<string, RouteLimits>>();
  private failingOpen = false;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly store: RateLimitStore,
  ) {
    this.policies = {
      default: { name: 'per-ip', limit: config.RATE_LIMIT_DEFAULT_PER_MINUTE, windowSeconds: 60 },
      credential: { name: 'per-ip', limit: config.RATE_LIMIT_CREDENTIAL_PER_MINUTE, windowSeconds: 60 },
    };
    this.tokenPolicy = { name: 'per-token', limit: config.RATE_LIMIT_TOKEN_PER_MINUTE, windowSeconds: 60 };
    for (const def of Object.values(routes) as RouteDef[]) {
      const limits = { rate: def.rate, tokenQuota: def.tokenQuota === true };
      for (const method of def.method === 'GET' ? ['GET', 'HEAD'] : [def.method]) {
        let byPattern = this.routeLimits.get(method);
        if (!byPattern) this.routeLimits.set(method, (byPattern = new Map()));
        byPattern.set(`${API_BASE}${def.path}`, limits);
      }
    }
  }

  /** Where the limiter's decisions were taken (credits in memory, Redis, memory while Redis is away): counts for the metrics. */
  get decisions(): Readonly<RateLimitStore['decisions']> {
    return this.store.decisions;
  }

  /**
   * The arrival step's last contributor: the per-IP check on every route, including unknown ones
   * (scanners count too). Resolves with the 429 to answer, or nothing to go on.
   */
  arrive(request: ArrivingRequest, arrival: Arrival, reply: ArrivalReply): Promise<ArrivalRefusal | undefined> | undefined {
    const limit = this.limitFor(request, arrival);
    // Unlimited routes (health, readiness) cost nothing: no promise, no Redis.
    if (!limit) return undefined;
    return this.limitByIp(request, arrival, reply, limit);
  }

  /** Fail open: a bug or outage in the limiter must never turn into a 500 (logged once per outage). */
  failed(error: unknown): void {
    if (!this.failingOpen) this.logger.error(`rate limiter failed, requests pass unlimited: ${String(error)}`);
    this.failingOpen = true;
  }

  /**
   * The per-token quota of the chat proxy and of `rate: 'token'` routes, for a verified token: the
   * decision taken on arrival when there was one for this token, else one Redis round trip now (a
   * token not yet cached). Returns the rate-limit headers the answer must now carry (those of the
   * decision closer to its limit), or null when the arrival's still stand; throws 429 past it.
   * Answered in the same tick (no promise; a 429 thrown there and then) when the arrival already
   * took this token's decision: the busy chat call's case.
   */
  consumeToken(tokenId: number, arrival: Arrival): Record<string, string> | null | Promise<Record<string, string> | null> {
    const taken = arrival.tokenDecision;
    if (taken?.tokenId === tokenId) return this.applyTokenDecision(arrival, taken.decision);
    return this.decide(this.tokenPolicy, this.tokenQuota(tokenId)).then((decision) => this.applyTokenDecision(arrival, decision));
  }

  private applyTokenDecision(arrival: Arrival, decision: RateDecision): Record<string, string> | null {
    const previous = arrival.rateDecision ?? undefined;
    const shown = previous ? closerToLimit(previous, decision) : decision;
    arrival.rateDecision = shown;
    if (!decision.allowed) throw new RateLimitedError(rateLimitHeaders(shown));
    return shown !== previous ? rateLimitHeaders(shown) : null;
  }

  /**
   * One call's worth of a verified token's quota, for any transport: the chat proxy (through
   * `consumeToken`) and each upstream call of the run loop take it from the same bucket.
   * `arrival`: the decision the arrival hook already took for this token, if any.
   */
  async takeTokenQuota(tokenId: number, arrival: { tokenId: number; decision: RateDecision } | null = null): Promise<RateDecision> {
    return arrival?.tokenId === tokenId ? arrival.decision : this.decide(this.tokenPolicy, this.tokenQuota(tokenId));
  }

  /**
   * The route's policy: Fastify's route pattern when routed; the bare path for a 404, so a
   * credential path keeps its stricter policy even without a handler. Anything unknown
   * counts under the default policy, so scanners are limited too. Null: not limited.
   */
  private limitFor(request: ArrivingRequest, arrival: Arrival): IpLimit | null {
    const pattern = arrival.route ?? pathOf(request.url);
    const limits = this.routeLimits.get(request.method)?.get(pattern);
    const rate = limits?.rate ?? 'default';
    if (rate === 'none') return null;
    if (rate === 'token') {
      // A known token is counted against its own quota only; anything else per IP (and the
      // token, once verified, by consumeToken): the first call of a token on an instance costs
      // the IP budget one unit.
      return { policy: this.policies.default, bucket: 'ip', tokenQuota: true, ipQuota: arrival.bearer === null };
    }
    return { policy: this.policies[rate], bucket: rate === 'credential' ? 'cred' : 'ip', tokenQuota: limits?.tokenQuota === true, ipQuota: true };
  }

  /**
   * The 429 to answer when the IP is over its quota, or nothing to go on. Decided in the same tick
   * when the quotas hold credits here (the busy case: no promise, the request goes on at once),
   * else with one Redis round trip.
   */
  private limitByIp(request: ArrivingRequest, arrival: Arrival, reply: ArrivalReply, limit: IpLimit): Promise<ArrivalRefusal | undefined> | undefined {
    const tokenId = limit.tokenQuota ? (arrival.bearer?.tokenId ?? null) : null;
    const quotas: Quota[] = [];
    if (limit.ipQuota) quotas.push({ key: `${limit.bucket}:${request.ip}`, limit: limit.policy.limit, windowMs: limit.policy.windowSeconds * 1000 });
    if (tokenId !== null) quotas.push(this.tokenQuota(tokenId));
    const decided = this.store.consumeAllFromCredits(quotas);
    if (decided) {
      const refusal = this.apply(arrival, reply, limit, tokenId, decided);
      // Credits only ever allow; a refusal still reaches the arrival step as its promise.
      return refusal ? Promise.resolve(refusal) : undefined;
    }
    return this.store.consumeAll(quotas).then((results) => this.apply(arrival, reply, limit, tokenId, results));
  }

  /** Writes the decisions on the arrival (and the IP's headers on the reply); the refusal when the IP is over its quota. */
  private apply(arrival: Arrival, reply: ArrivalReply, { policy, ipQuota }: IpLimit, tokenId: number | null, results: readonly GcraResult[]): ArrivalRefusal | undefined {
    this.failingOpen = false;
    if (!ipQuota) {
      // Only the token's quota; its verdict is applied once the credential is verified.
      arrival.tokenDecision = { tokenId: tokenId!, decision: { ...results[0]!, policy: this.tokenPolicy } };
      return undefined;
    }
    const [ip, token] = results;
    const decision = { ...ip!, policy };
    arrival.rateDecision = decision;
    if (token && tokenId !== null) arrival.tokenDecision = { tokenId, decision: { ...token, policy: this.tokenPolicy } };
    const headers = rateLimitHeaders(decision);
    if (decision.allowed) {
      reply.headers(headers);
      return undefined;
    }
    return { status: 429, headers, body: { detail: ERRORS.RATE_LIMIT_EXCEEDED.message } };
  }

  private tokenQuota(tokenId: number): Quota {
    return { key: `tok:${tokenId}`, limit: this.tokenPolicy.limit, windowMs: this.tokenPolicy.windowSeconds * 1000 };
  }

  private async decide(policy: RatePolicy, quota: Quota): Promise<RateDecision> {
    const [result] = await this.store.consumeAll([quota]);
    return { ...result!, policy };
  }
}

interface IpLimit {
  policy: RatePolicy;
  bucket: string;
  tokenQuota: boolean;
  /** False when only the token's quota is taken (a `rate: 'token'` route with a known token). */
  ipQuota: boolean;
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}
