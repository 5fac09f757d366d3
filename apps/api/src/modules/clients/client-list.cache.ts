import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { API_BASE, routes, type ClientListResponse } from '@aius/contracts';
import type { FastifyInstance } from 'fastify';
import { LRUCache } from 'lru-cache';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { RedisService } from '../../redis/redis.service.js';

/** How long a cached list may be served at most, even with no change announced. */
const TTL_MS = 60_000;
/** A version key outlives every cache entry that could have been built at it. */
const VERSION_TTL_SECONDS = 86_400;
const LIST_ROUTE = `${API_BASE}${routes.listClients.path}`;

/**
 * `GET /clients` without a Postgres query when nothing changed: each user's list is kept in
 * this process together with the user's list version, a Redis counter that every change to
 * their memberships bumps after it commits. Every read asks Redis for the current version,
 * for a bearer caller as the request arrives, in the same round trip as the per-IP limiter,
 * so a change made through any instance is seen by the very next request on every instance.
 * The version is read before the list is queried, so a list built while a change commits is
 * filed under the older version and never served again.
 * Without Redis (not configured, down, or stalled) nothing is cached or served from cache,
 * and the cache is emptied whenever the connection comes back.
 */
@Injectable()
export class ClientListCache implements OnModuleInit {
  private readonly lists = new LRUCache<string, { version: string; list: ClientListResponse }>({ max: 10_000, ttl: TTL_MS });
  private readonly prefix: string;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly redis: RedisService,
  ) {
    this.prefix = `${config.REDIS_PREFIX}clients:v:`;
  }

  onModuleInit(): void {
    this.redis.client?.on('ready', () => this.lists.clear());
  }

  /** Starts the version read of a bearer caller already known, with the limiter's Redis call. */
  install(fastify: FastifyInstance): void {
    fastify.decorateRequest('clientListVersion', null);
    fastify.addHook('onRequest', (request, _reply, done) => {
      if (request.earlyUserId !== null && request.method === 'GET' && request.routeOptions.url === LIST_ROUTE) {
        request.clientListVersion = this.version(request.earlyUserId);
      }
      done();
    });
  }

  /** The user's list version, or null when Redis cannot be asked (then nothing is cached). */
  async version(userId: string): Promise<string | null> {
    const client = this.redis.client;
    if (!client || client.status !== 'ready') return this.unavailable();
    try {
      return (await client.get(this.prefix + userId)) ?? '0';
    } catch {
      return this.unavailable();
    }
  }

  get(userId: string, version: string): ClientListResponse | undefined {
    const entry = this.lists.get(userId);
    return entry?.version === version ? entry.list : undefined;
  }

  set(userId: string, version: string, list: ClientListResponse): void {
    this.lists.set(userId, { version, list });
  }

  /** After a change to these users' memberships has committed: every instance's copy goes stale. */
  async changed(...userIds: string[]): Promise<void> {
    for (const userId of userIds) this.lists.delete(userId);
    const client = this.redis.client;
    if (!client) return;
    try {
      await Promise.all(userIds.map((userId) => client.multi().incr(this.prefix + userId).expire(this.prefix + userId, VERSION_TTL_SECONDS).exec()));
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

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller's client-list version, read as the request arrived (GET /clients with a known bearer). */
    clientListVersion: Promise<string | null> | null;
  }
}
