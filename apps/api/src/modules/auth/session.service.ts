import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { SignJWT, jwtVerify } from 'jose';
import { type Prisma, PrismaService } from '@aius/db';
import { randomId } from '../../common/random-id.js';
import type { CredentialVerifier, Principal } from '../../common/principal.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { ExpiredRowsPurge } from '../../database/expired-rows-purge.js';

export interface SessionMeta {
  ip?: string;
  userAgent?: string;
}

export interface IssuedSession {
  sessionId: string;
  token: string;
  maxAgeSeconds: number;
}

const USER_AGENT_MAX = 512;

/**
 * Sessions (spec §3): an HS256 JWT that names a server-side row. The signature rejects
 * forgeries without touching the database; the row makes logout and "end other
 * sessions" take effect at once. The owner of the `sessions` table.
 */
@Injectable()
export class SessionService implements CredentialVerifier, OnModuleInit, OnModuleDestroy {
  private readonly key: Uint8Array;
  private readonly ttlSeconds: number;
  /** Expired rows refuse their token anyway; deleting them keeps the table the size of the live sessions. */
  readonly purge: ExpiredRowsPurge;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly prisma: PrismaService,
  ) {
    this.key = new TextEncoder().encode(config.SESSION_SECRET);
    this.ttlSeconds = config.SESSION_TTL_SECONDS;
    this.purge = new ExpiredRowsPurge(prisma, { table: 'sessions' }, config.EXPIRED_ROWS_PURGE_INTERVAL_SECONDS * 1000);
  }

  onModuleInit(): void {
    this.purge.start();
  }

  onModuleDestroy(): void {
    this.purge.stop();
  }

  /** Creates the row (inside `db`'s transaction when given one) and signs its token. */
  async issue(userId: string, meta: SessionMeta, db: Prisma.TransactionClient = this.prisma): Promise<IssuedSession> {
    const sessionId = randomId('ses_');
    const issuedAt = Math.floor(Date.now() / 1000);
    const expiresAt = issuedAt + this.ttlSeconds;
    await db.session.create({
      data: {
        id: sessionId,
        userId,
        expiresAt: new Date(expiresAt * 1000),
        ip: meta.ip ?? null,
        userAgent: meta.userAgent?.slice(0, USER_AGENT_MAX) ?? null,
      },
    });
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
    const row = await this.prisma.session.findUnique({
      where: { id: sessionId },
      select: { userId: true, expiresAt: true, revokedAt: true },
    });
    if (!row || row.userId !== userId || row.revokedAt !== null || row.expiresAt.getTime() <= Date.now()) return null;
    return { userId, via: 'session', sessionId };
  }

  async revoke(sessionId: string): Promise<void> {
    await this.prisma.session.updateMany({ where: { id: sessionId, revokedAt: null }, data: { revokedAt: new Date() } });
  }

  /** Ends every live session of the user except `keepSessionId` (the caller's own, if any). */
  async revokeOthers(userId: string, keepSessionId: string | undefined, db: Prisma.TransactionClient = this.prisma): Promise<void> {
    await db.session.updateMany({
      where: { userId, revokedAt: null, ...(keepSessionId ? { id: { not: keepSessionId } } : {}) },
      data: { revokedAt: new Date() },
    });
  }
}
