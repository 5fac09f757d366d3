import { ID_PREFIX, type SessionInfo } from '@aius/contracts';
import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { SignJWT, jwtVerify } from 'jose';
import type { Prisma } from '@aius/db';
import { randomId } from '../../common/random-id.js';
import type { RequestOrigin } from '../../common/request-origin.js';
import type { CredentialVerifier, Principal } from '../../common/principal.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { ExpiredRowsPurges, type ExpiredRowsPurge } from '../../database/expired-rows-purge.js';
import { TouchBatch } from '../../database/touch-batch.js';
import { SessionsRepository } from './sessions.repository.js';
import { unixSeconds } from '../../common/unix-time.js';

/** Where the session was started from, kept on its row. */
export type SessionMeta = RequestOrigin;

export interface IssuedSession {
  sessionId: string;
  token: string;
  maxAgeSeconds: number;
}

const USER_AGENT_MAX = 512;

/**
 * Sessions (spec §3): an HS256 JWT that names a server-side row. The signature rejects
 * forgeries without touching the database; the row makes logout and "end other
 * sessions" take effect at once. Its rows are SessionsRepository's.
 */
@Injectable()
export class SessionService implements CredentialVerifier, OnModuleInit, OnModuleDestroy {
  private readonly key: Uint8Array;
  private readonly ttlSeconds: number;
  /** Expired rows refuse their token anyway; deleting them keeps the table the size of the live sessions. */
  readonly purge: ExpiredRowsPurge;
  /** last_seen_at, in one UPDATE per SESSION_LAST_SEEN_FLUSH_MS, never a write per request. */
  readonly seen: TouchBatch<string>;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly sessions: SessionsRepository,
    purges: ExpiredRowsPurges,
  ) {
    this.key = new TextEncoder().encode(config.SESSION_SECRET);
    this.ttlSeconds = config.SESSION_TTL_SECONDS;
    this.purge = purges.for({ table: 'sessions' });
    this.seen = new TouchBatch('session last_seen_at', (ids) => sessions.markSeen(ids), config.SESSION_LAST_SEEN_FLUSH_MS);
  }

  onModuleInit(): void {
    this.seen.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.seen.stop();
  }

  /** Creates the row (inside `db`'s transaction when given one) and signs its token. */
  async issue(userId: string, meta: SessionMeta, db?: Prisma.TransactionClient): Promise<IssuedSession> {
    const sessionId = randomId(ID_PREFIX.session);
    const issuedAt = unixSeconds();
    const expiresAt = issuedAt + this.ttlSeconds;
    await this.sessions.insert(
      { id: sessionId, userId, expiresAt: new Date(expiresAt * 1000), ip: meta.ip ?? null, userAgent: meta.userAgent?.slice(0, USER_AGENT_MAX) ?? null },
      db,
    );
    const token = await new SignJWT({ sid: sessionId })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(userId)
      .setIssuedAt(issuedAt)
      .setExpirationTime(expiresAt)
      .sign(this.key);
    return { sessionId, token, maxAgeSeconds: this.ttlSeconds };
  }

  /** The session verifier the credential guard calls: null for anything not currently valid. */
  async verify(token: string): Promise<Principal | null> {
    let userId: string;
    let sessionId: string;
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'], requiredClaims: ['sub', 'exp'] });
      if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string') return null;
      userId = payload.sub;
      sessionId = payload.sid;
    } catch {
      return null; // malformed, forged or expired
    }
    const row = await this.sessions.find(sessionId);
    if (!row || row.userId !== userId || row.revokedAt !== null || row.expiresAt.getTime() <= Date.now()) return null;
    this.seen.touch(sessionId);
    return { userId, via: 'session', sessionId };
  }

  revoke(sessionId: string): Promise<void> {
    return this.sessions.revoke(sessionId);
  }

  /**
   * THE way to end a user's sessions (password change and reset, "end other sessions", an admin's
   * disable): every live session except `keepSessionId` (the caller's own, if any), inside `db`'s
   * transaction when given one; resolves with how many ended. Every request's session is checked
   * against its row, so they are refused on every instance from the next request on.
   */
  revokeOthers(userId: string, keepSessionId: string | undefined, db?: Prisma.TransactionClient): Promise<number> {
    return this.sessions.revokeAllBut(userId, keepSessionId, db);
  }

  /** Ends one of the user's own live sessions; false when it is not theirs, unknown or already over. */
  revokeOwned(userId: string, sessionId: string): Promise<boolean> {
    return this.sessions.revokeOwned(userId, sessionId);
  }

  /** The user's live sessions (spec §13 GET /sessions), `currentSessionId` marked. */
  async list(userId: string, currentSessionId: string | undefined): Promise<SessionInfo[]> {
    const rows = await this.sessions.listLive(userId);
    return rows.map((r) => ({
      id: r.id,
      created_at: unixSeconds(r.createdAt),
      last_seen_at: r.lastSeenAt ? unixSeconds(r.lastSeenAt) : null,
      ip: r.ip,
      user_agent: r.userAgent,
      current: r.id === currentSessionId,
    }));
  }
}
