import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { routes } from '@aius/contracts';
import { PrismaService } from '@aius/db';
import { ApiError } from '../../common/api-error.js';
import { ExpiredRowsPurges, type ExpiredRowsPurge } from '../../database/expired-rows-purge.js';
import { SecondFactorThrottle } from '../rate-limit/second-factor-throttle.service.js';
import { TwoFactorCrypto } from './two-factor-crypto.js';
import { TwoFactorRepository } from './two-factor.repository.js';
import { TwoFactorService, type SpentFactor } from './two-factor.service.js';
import type { RequestOrigin } from '../../common/request-origin.js';
import { AuditLog } from '../audit/audit-log.js';

/** Spec §4 (decided): a challenge lives 5 minutes, is single-use, and dies after 5 wrong codes. */
export const CHALLENGE_TTL_MS = 5 * 60 * 1000;
export const CHALLENGE_MAX_WRONG_CODES = 5;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/; // 32 random bytes, base64url

const INVALID_CODE_STATUS = routes.twoFactorLogin.statusOverrides.INVALID_CODE;

/** The password-passed-now-prove-the-second-factor step of login. On `two_factor_challenges` (through TwoFactorRepository). */
@Injectable()
export class ChallengeService {
  /** Challenges of users who never came back are not swept by `start`: this catches them. */
  readonly purge: ExpiredRowsPurge;

  constructor(
    private readonly prisma: PrismaService,
    private readonly repository: TwoFactorRepository,
    private readonly crypto: TwoFactorCrypto,
    private readonly twoFactor: TwoFactorService,
    private readonly throttle: SecondFactorThrottle,
    private readonly audit: AuditLog,
    purges: ExpiredRowsPurges,
  ) {
    this.purge = purges.for({ table: 'two_factor_challenges' });
  }

  /** A fresh challenge token; only its hash is stored. Spent and stale ones of the user are swept. */
  async start(userId: string): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    const now = new Date();
    await this.repository.startChallenge(userId, this.crypto.challengeHash(token), now, new Date(now.getTime() + CHALLENGE_TTL_MS));
    return token;
  }

  /**
   * The user the challenge was for, once `code` proves the second factor. The user's 2FA
   * row and the challenge row stay locked for the whole check, so concurrent attempts
   * queue up: the challenge is spent exactly once and every wrong code is counted, on the
   * challenge (5 at most) and on the account across challenges (SecondFactorThrottle).
   */
  async redeem(token: string, code: string, origin: RequestOrigin): Promise<{ userId: string; factor: SpentFactor }> {
    if (!TOKEN_SHAPE.test(token)) throw new ApiError('INVALID_CHALLENGE');
    const tokenHash = this.crypto.challengeHash(token);
    const ownerId = await this.repository.challengeOwner(tokenHash);
    if (ownerId === null) throw new ApiError('INVALID_CHALLENGE');
    await this.throttle.reserve(ownerId);
    const outcome = await this.prisma
      .$transaction(async (tx) => {
        // The user's 2FA row first, then the challenge: the lock order every 2FA change uses.
        await this.twoFactor.lockForUse(tx, ownerId);
        const row = await this.repository.lockChallenge(tx, tokenHash);
        if (!row || row.used_at || row.expires_at.getTime() <= Date.now() || row.attempts >= CHALLENGE_MAX_WRONG_CODES) {
          return { error: 'INVALID_CHALLENGE' as const };
        }
        const factor = await this.twoFactor.spendSecondFactor(tx, row.user_id, code);
        if (!factor) {
          await this.repository.countWrongCode(tx, row.id);
          return { error: 'INVALID_CODE' as const, userId: row.user_id };
        }
        await this.repository.spendChallenge(tx, row.id);
        return { userId: row.user_id, factor };
      })
      .catch(async (error: unknown) => {
        await this.throttle.release(ownerId);
        throw error;
      });
    if ('error' in outcome) {
      if (outcome.error === 'INVALID_CODE') {
        // A wrong second factor after a right password: the account's owner should hear of it.
        this.audit.record({ action: 'login.failed', actorId: null, targetType: 'user', targetId: outcome.userId, ip: origin.ip, userAgent: origin.userAgent });
        throw new ApiError('INVALID_CODE', { status: INVALID_CODE_STATUS });
      }
      await this.throttle.release(ownerId); // a dead challenge: no code was judged
      throw new ApiError('INVALID_CHALLENGE');
    }
    await this.throttle.release(outcome.userId);
    return outcome;
  }
}
