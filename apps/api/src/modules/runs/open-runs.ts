import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { RedisService } from '../../redis/redis.service.js';

/** What the registry needs of an open run: ending it when its session is taken over. */
export interface SessionHolder {
  readonly key: string;
  endReplaced(): void;
}

interface SessionClaim {
  holder: SessionHolder;
  key: string;
  /** When the claim was made (ms, on the claiming instance's clock). */
  at: number;
}

/** The order every instance agrees on, whatever their clocks: by claim time, then by key. */
const isOlder = (a: { key: string; at: number }, b: { key: string; at: number }) => a.at < b.at || (a.at === b.at && a.key < b.key);

/**
 * The two bounds on open runs (spec §9), across instances when Redis is there:
 * - per API token: a Redis sorted set of open run keys per token, each scored with the time it
 *   may stay open until (its wall-time bound), so a crashed instance's entries expire by
 *   themselves; per instance while Redis is unreachable.
 * - one run per `session_id`: a start announces its session on a channel and every instance
 *   ends its own older open run of that session (as `disconnected`); on this instance at once.
 */
@Injectable()
export class OpenRuns implements OnModuleInit {
  private readonly logger = new Logger('OpenRuns');
  private readonly local = new Map<number, Set<string>>();
  private readonly sessions = new Map<string, SessionClaim>();
  private readonly channel: string;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly redis: RedisService,
  ) {
    this.channel = `${config.REDIS_PREFIX}runs:sessions`;
  }

  onModuleInit(): void {
    const subscriber = this.redis.createSubscriber();
    if (!subscriber) return;
    subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.channel) return;
      const [session, key, at] = JSON.parse(message) as [string, string, number];
      const mine = this.sessions.get(session);
      // Only a newer claim ends ours: two starts on two instances at the same moment both hear
      // of the other, and exactly one of them (the later, ties broken by key) stays open; a
      // late message from an older start ends nothing.
      if (mine && mine.holder.key !== key && isOlder(mine, { key, at })) {
        this.sessions.delete(session);
        mine.holder.endReplaced();
      }
    });
    subscriber.subscribe(this.channel).catch((error: unknown) => this.logger.warn(`session channel unavailable: ${String(error)}`));
  }

  /** Takes a slot for run `key` of `tokenId`; false when the token already has its maximum open. */
  async acquire(tokenId: number, key: string): Promise<boolean> {
    const max = this.config.RUN_MAX_OPEN_PER_TOKEN;
    const client = this.redis.client;
    if (client && client.status === 'ready') {
      const now = Date.now();
      const setKey = this.tokenKey(tokenId);
      try {
        const replies = await client
          .multi()
          .zremrangebyscore(setKey, '-inf', now)
          .zadd(setKey, now + this.config.RUN_MAX_WALL_SECONDS * 1000 + 60_000, key)
          .zcard(setKey)
          .pexpire(setKey, this.config.RUN_MAX_WALL_SECONDS * 1000 + 60_000)
          .exec();
        const open = Number(replies?.[2]?.[1] ?? 0);
        if (open <= max) return true;
        await client.zrem(setKey, key);
        return false;
      } catch {
        // Redis went away mid-call: count on this instance.
      }
    }
    const mine = this.local.get(tokenId) ?? this.local.set(tokenId, new Set()).get(tokenId)!;
    if (mine.size >= max) return false;
    mine.add(key);
    return true;
  }

  release(tokenId: number, key: string): void {
    const mine = this.local.get(tokenId);
    if (mine?.delete(key) && mine.size === 0) this.local.delete(tokenId);
    const client = this.redis.client;
    if (client && client.status === 'ready') client.zrem(this.tokenKey(tokenId), key).catch(() => undefined);
  }

  /** Makes `holder` the session's one open run, ending any other on every instance. */
  claimSession(session: string, holder: SessionHolder): void {
    const previous = this.sessions.get(session)?.holder;
    const at = Date.now();
    this.sessions.set(session, { holder, key: holder.key, at });
    if (previous && previous !== holder) previous.endReplaced();
    this.redis.client?.publish(this.channel, JSON.stringify([session, holder.key, at])).catch(() => undefined);
  }

  releaseSession(session: string, holder: SessionHolder): void {
    if (this.sessions.get(session)?.holder === holder) this.sessions.delete(session);
  }

  private tokenKey(tokenId: number): string {
    return `${this.config.REDIS_PREFIX}runs:open:${tokenId}`;
  }
}
