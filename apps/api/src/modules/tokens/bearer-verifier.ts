import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import type { Arrival, ArrivalContributor, ArrivingRequest, KnownBearer } from '../../common/arrival.js';
import type { CredentialVerifier, Principal } from '../../common/principal.js';
import { RedisService } from '../../redis/redis.service.js';
import { SharedEpochs, type Epoch } from '../../redis/shared-epoch.js';
import { LastUsedRecorder } from './last-used.recorder.js';
import { hashToken, isWellFormedToken } from './token-format.js';
import { TokensRepository } from './tokens.repository.js';

type TokenPrincipal = Principal & { tokenId: number };

/** A revocation-marker read started when the request arrived (see `arrive`). */
interface Prefetched extends KnownBearer {
  hash: string;
  marker: Promise<boolean | undefined>;
}

/** `Bearer <token>`; anything else is left to the credential guard's own parsing. */
const BEARER_HEADER = /^\s*bearer\s+(\S+)\s*$/i;

interface ValidEntry {
  principal: TokenPrincipal;
  /** When the token stops working (ms since the epoch; Infinity: never). Kept here so an expired token is refused from memory. */
  expiresAt: number;
  /** When Postgres last said this token is live (ms). */
  checkedAt: number;
  /** The revocation epoch read before Postgres or the marker last said it is live. */
  epoch: string | null;
}

const NOT_REVOKED = Promise.resolve(false);

/**
 * The gateway's bearer check (spec §3, §5).
 *
 * - Malformed or badly-checksummed tokens are refused from their shape alone.
 * - An expired token (spec §12 `expires_at`) is refused from its cache entry, which carries the
 *   expiry: no Postgres and no Redis for it either.
 * - Warm path: an in-process LRU keyed by the token's SHA-256, and no Redis at all while the
 *   revocation epoch has not moved since the token was last checked (see SharedEpochs); else
 *   one Redis EXISTS on the token's revocation marker, auto-pipelined with the request's other
 *   Redis calls. No Postgres. A revoke writes the marker, moves the epoch and waits out the
 *   epoch's trust window before it responds, so from then on every instance refuses the
 *   token, even if the pub/sub message that drops the entry is late or lost.
 * - Unknown and revoked tokens are cached too (their own LRU, so junk cannot evict real
 *   tokens), and concurrent misses for one token share one query: a flood of bad bearers
 *   costs at most one Postgres lookup per distinct token and writes nothing.
 * - Redis unreachable: a cached token is trusted for TOKEN_CACHE_FALLBACK_MS after its last
 *   Postgres check, then re-checked; that is the revocation bound while Redis is down.
 */
@Injectable()
export class BearerVerifier implements CredentialVerifier, ArrivalContributor, OnModuleInit {
  readonly name = 'bearer prefetch';
  private readonly logger = new Logger('BearerVerifier');
  private readonly valid: LRUCache<string, ValidEntry>;
  private readonly invalid: LRUCache<string, true>;
  private readonly inflight = new Map<string, Promise<TokenPrincipal | null>>();
  /** Cache outcomes of well-formed tokens (a known-bad one is `refused`); read by the metrics at scrape time. */
  readonly cacheLookups = { hit: 0, miss: 0, refused: 0 };
  private readonly channel: string;
  private readonly markerTtlSeconds: number;
  private readonly revocations: Epoch;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly redis: RedisService,
    private readonly tokens: TokensRepository,
    private readonly lastUsed: LastUsedRecorder,
    epochs: SharedEpochs,
  ) {
    this.revocations = epochs.register('token-revocations');
    this.valid = new LRUCache({ max: config.TOKEN_CACHE_MAX_ENTRIES, ttl: config.TOKEN_CACHE_TTL_SECONDS * 1000 });
    this.invalid = new LRUCache({ max: config.TOKEN_CACHE_MAX_ENTRIES, ttl: config.TOKEN_NEGATIVE_CACHE_TTL_SECONDS * 1000 });
    this.channel = `${config.REDIS_PREFIX}tokens:revocations`;
    // A marker must outlive every cache entry that could predate the revocation.
    this.markerTtlSeconds = Math.max(3600, 2 * config.TOKEN_CACHE_TTL_SECONDS);
  }

  onModuleInit(): void {
    const subscriber = this.redis.createSubscriber();
    if (!subscriber) return;
    subscriber.on('message', (channel: string, tokenHash: string) => {
      if (channel === this.channel) this.forget(tokenHash);
    });
    subscriber.subscribe(this.channel).catch((error: unknown) => {
      this.logger.warn(`revocation channel unavailable, relying on per-request markers: ${String(error)}`);
    });
  }

  /**
   * The arrival step's first contributor: starts the marker read of a warm token as the request
   * arrives, in the same tick as the limiter's script (the limiter runs after it), so both leave in
   * one auto-pipelined write and the request pays one Redis round trip instead of two in a row.
   * Only a read, only for tokens already known to be live: the limiter still decides before any
   * credential is judged or any handler or query runs, and a bad bearer costs nothing here.
   * `verify` uses the answer only for the same token on the same request.
   */
  arrive(request: ArrivingRequest, arrival: Arrival): void {
    const header = request.headers.authorization;
    if (header === undefined || arrival.route === undefined) return;
    const token = BEARER_HEADER.exec(header)?.[1];
    if (token === undefined || !isWellFormedToken(token)) return;
    const hash = hashToken(token);
    const cached = this.valid.get(hash);
    if (!cached || cached.expiresAt <= Date.now()) return;
    const { tokenId, userId } = cached.principal;
    const known: Prefetched = { token, hash, tokenId, userId, marker: this.stillLive(cached) };
    arrival.bearer = known;
  }

  /**
   * `verify`'s answer without a promise, for the common call: the arrival step found this very
   * token live and its marker read was answered from memory (the revocation epoch has not moved
   * since the token was last found live), and nothing has refused it since. Whatever else (a
   * marker read still in flight, a revocation heard between arrival and now, an expiry, an entry
   * replaced) is left to `verify`, which decides it as before.
   */
  verifyNow(known: KnownBearer): Principal | undefined {
    const prefetched = known as Prefetched;
    if (prefetched.marker !== NOT_REVOKED) return undefined;
    if (this.invalid.has(prefetched.hash)) return undefined;
    const cached = this.valid.get(prefetched.hash);
    if (!cached || cached.principal.tokenId !== prefetched.tokenId || cached.expiresAt <= Date.now()) return undefined;
    this.cacheLookups.hit++;
    return this.used(cached.principal);
  }

  async verify(token: string, known?: KnownBearer | null): Promise<Principal | null> {
    // The arrival step already checked and hashed this very token: don't do it twice.
    const prefetched = known && known.token === token ? (known as Prefetched) : undefined;
    if (!prefetched && !isWellFormedToken(token)) return null;
    const hash = prefetched?.hash ?? hashToken(token);
    if (this.invalid.get(hash)) {
      this.cacheLookups.refused++;
      return null;
    }
    const cached = this.valid.get(hash);
    if (cached && cached.expiresAt <= Date.now()) {
      // Expiry never reverses: remember the token as invalid, like a revoked one.
      this.cacheLookups.refused++;
      this.forget(hash);
      return null;
    }
    if (cached) {
      this.cacheLookups.hit++;
      const revoked =
        prefetched && prefetched.tokenId === cached.principal.tokenId ? await prefetched.marker : await this.stillLive(cached);
      if (revoked === true) {
        this.forget(hash);
        return null;
      }
      if (revoked === false || Date.now() - cached.checkedAt <= this.config.TOKEN_CACHE_FALLBACK_MS) {
        return this.used(cached.principal);
      }
    } else {
      this.cacheLookups.miss++;
    }
    const principal = await this.lookup(hash);
    return principal ? this.used(principal) : null;
  }

  /**
   * Called by a revoke, after Postgres has it: drop the local entries, set the markers every
   * instance checks, tell the other instances to drop theirs, and move the revocation epoch
   * once for them all (which resolves once no instance trusts its memory of them any more).
   * Redis failures are logged, not thrown: Postgres already refuses them on every cold path.
   */
  async announceRevocations(tokens: readonly { tokenHash: string; id: number }[]): Promise<void> {
    if (tokens.length === 0) return;
    for (const token of tokens) this.forget(token.tokenHash);
    const client = this.redis.client;
    if (!client) return;
    try {
      await Promise.all(
        tokens.flatMap((token) => [client.set(this.markerKey(token.id), '1', 'EX', this.markerTtlSeconds), client.publish(this.channel, token.tokenHash)]),
      );
      await this.revocations.advance();
    } catch (error) {
      this.logger.warn(
        `token(s) ${tokens.map((t) => t.id).join(', ')} revoked in Postgres but not announced over Redis; other instances refuse them within ` +
          `${this.config.TOKEN_CACHE_TTL_SECONDS}s: ${String(error)}`,
      );
    }
  }

  private forget(tokenHash: string): void {
    this.valid.delete(tokenHash);
    this.invalid.set(tokenHash, true);
  }

  private used(principal: TokenPrincipal): TokenPrincipal {
    this.lastUsed.touch(principal.tokenId);
    return principal;
  }

  private markerKey(tokenId: number): string {
    return `${this.config.REDIS_PREFIX}tokens:revoked:${tokenId}`;
  }

  /**
   * Whether the token was revoked (as `revokedMarker`), from memory when the epoch has not
   * moved since it was last found live. The epoch is read before the marker, so a revoke that
   * lands in between leaves the entry filed under the epoch it then moves away from.
   */
  private stillLive(entry: ValidEntry): Promise<boolean | undefined> {
    const epoch = this.revocations.current();
    if (epoch !== null && entry.epoch === epoch) return NOT_REVOKED;
    return this.revokedMarker(entry.principal.tokenId).then((revoked) => {
      if (revoked === false && epoch !== null) entry.epoch = epoch;
      return revoked;
    });
  }

  /** true/false from Redis; undefined when Redis cannot be asked right now. */
  private async revokedMarker(tokenId: number): Promise<boolean | undefined> {
    const client = this.redis.client;
    if (!client || client.status !== 'ready') return undefined;
    try {
      return (await client.exists(this.markerKey(tokenId))) === 1;
    } catch {
      return undefined;
    }
  }

  /** Concurrent misses for one token share a single query. */
  private lookup(tokenHash: string): Promise<TokenPrincipal | null> {
    let pending = this.inflight.get(tokenHash);
    if (!pending) {
      pending = this.load(tokenHash).finally(() => this.inflight.delete(tokenHash));
      this.inflight.set(tokenHash, pending);
    }
    return pending;
  }

  private async load(tokenHash: string): Promise<TokenPrincipal | null> {
    const epoch = this.revocations.current();
    const row = await this.tokens.findByHash(tokenHash);
    const expiresAt = row?.expiresAt ? row.expiresAt.getTime() : Infinity;
    if (!row || row.revokedAt || expiresAt <= Date.now()) {
      this.forget(tokenHash);
      return null;
    }
    const principal: TokenPrincipal = {
      userId: row.userId,
      via: 'bearer',
      tokenId: row.id,
      tokenClientId: row.clientId,
      tokenModels: row.models ? new Set(row.models) : null,
    };
    this.valid.set(tokenHash, { principal, expiresAt, checkedAt: Date.now(), epoch });
    return principal;
  }
}
