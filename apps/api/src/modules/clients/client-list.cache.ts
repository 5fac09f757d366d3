import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { API_BASE, routes, type ClientListResponse } from '@aius/contracts';
import { LRUCache } from 'lru-cache';
import type { Arrival, ArrivalContributor, ArrivingRequest, ListVersion } from '../../common/arrival.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { RedisService } from '../../redis/redis.service.js';
import { SharedEpochs, type Epoch } from '../../redis/shared-epoch.js';

/** How long a cached list may be served at most, even with no change announced. */
const TTL_MS = 60_000;
/** A version key outlives every cache entry that could have been built at it. */
const VERSION_TTL_SECONDS = 86_400;
const LIST_ROUTE = `${API_BASE}${routes.listClients.path}`;

export type { ListVersion };

interface Entry extends ListVersion {
  list: ClientListResponse;
}

/**
 * `GET /clients` without a Postgres query when nothing changed: each user's list is kept in
 * this process together with the user's list version, a Redis counter that every change to
 * their memberships bumps after it commits, and the membership epoch (see SharedEpochs) that
 * the change then moves. While the epoch has not moved, the list is served from memory with no
 * Redis call; once it has, the next read asks Redis for the user's version (for a bearer caller
 * as the request arrives, in the same round trip as the per-IP limiter). A change waits out the
 * epoch's trust window before it responds, so from then on every instance sees it.
 * The epoch is read before the version and the version before the list is queried, so a list
 * built while a change commits is filed under the older version and never served again.
 * Without Redis (not configured, down, or stalled) nothing is cached or served from cache,
 * and the cache is emptied whenever the connection comes back.
 */
@Injectable()
export class ClientListCache implements ArrivalContributor, OnModuleInit {
  readonly name = 'client-list version';
  private readonly lists = new LRUCache<string, Entry>({ max: 10_000, ttl: TTL_MS });
  private readonly prefix: string;
  private readonly memberships: Epoch;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly redis: RedisService,
    epochs: SharedEpochs,
  ) {
    this.prefix = `${config.REDIS_PREFIX}clients:v:`;
    this.memberships = epochs.register('memberships');
  }

  onModuleInit(): void {
    this.redis.client?.on('ready', () => this.lists.clear());
  }

  /**
   * The arrival step's second contributor, after the bearer prefetch: for `GET /clients` by a
   * bearer already known, whose list is not servable from memory, starts the version read so it
   * leaves with the limiter's Redis call.
   */
  arrive(request: ArrivingRequest, arrival: Arrival): void {
    const userId = arrival.bearer?.userId;
    if (userId !== undefined && request.method === 'GET' && arrival.route === LIST_ROUTE && !this.local(userId)) {
      arrival.clientListVersion = this.version(userId);
    }
  }

  /** The user's list from memory, when no membership change can have happened since it was checked. */
  local(userId: string): ClientListResponse | undefined {
    const epoch = this.memberships.current();
    const entry = this.lists.get(userId);
    return epoch !== null && entry?.epoch === epoch ? entry.list : undefined;
  }

  /** The user's list version, or null when Redis cannot be asked (then nothing is cached). */
  async version(userId: string): Promise<ListVersion | null> {
    const client = this.redis.client;
    if (!client || client.status !== 'ready') return this.unavailable();
    const epoch = this.memberships.current();
    try {
      return { version: (await client.get(this.prefix + userId)) ?? '0', epoch };
    } catch {
      return this.unavailable();
    }
  }

  /** The cached list if it is still at `read`'s version; it is then trusted under `read`'s epoch. */
  get(userId: string, read: ListVersion): ClientListResponse | undefined {
    const entry = this.lists.get(userId);
    if (entry?.version !== read.version) return undefined;
    entry.epoch = read.epoch;
    return entry.list;
  }

  set(userId: string, read: ListVersion, list: ClientListResponse): void {
    this.lists.set(userId, { ...read, list });
  }

  /** After a change to these users' memberships has committed: every instance's copy goes stale. */
  async changed(...userIds: string[]): Promise<void> {
    for (const userId of userIds) this.lists.delete(userId);
    const client = this.redis.client;
    if (!client) return;
    try {
      await Promise.all(userIds.map((userId) => client.multi().incr(this.prefix + userId).expire(this.prefix + userId, VERSION_TTL_SECONDS).exec()));
      await this.memberships.advance();
    } catch (error) {
      // Redis is failing, so no instance serves from its cache until it is back (see above).
      this.redis.reportOutage(error);
    }
  }

  private unavailable(): null {
    this.lists.clear();
    return null;
  }
}
