import { ID_PREFIX } from '@aius/contracts';
import { Injectable } from '@nestjs/common';
import { PrismaService, type Prisma, type TwoFactor } from '@aius/db';
import { randomId } from '../../common/random-id.js';

type Db = Prisma.TransactionClient;

/** The user's 2FA row as `lockForUse` reads it (raw columns: it is a SELECT … FOR UPDATE). */
export interface LockedTwoFactor {
  enabled_at: Date | null;
  secret_enc: string | null;
  last_used_step: bigint | null;
}

/** A login challenge as `lockChallenge` reads it. */
export interface LockedChallenge {
  id: string;
  user_id: string;
  attempts: number;
  expires_at: Date;
  used_at: Date | null;
}

/**
 * The only code that touches `two_factor`, `recovery_codes` and `two_factor_challenges`, apart
 * from the expiry purge of challenges (ExpiredRowsPurge, started by ChallengeService). Codes are
 * spent by conditional UPDATEs: the returned count says whether this call was the one that spent.
 */
@Injectable()
export class TwoFactorRepository {
  constructor(private readonly prisma: PrismaService) {}

  find(userId: string): Promise<TwoFactor | null> {
    return this.prisma.twoFactor.findUnique({ where: { userId } });
  }

  async enabledAt(userId: string): Promise<Date | null> {
    const row = await this.prisma.twoFactor.findUnique({ where: { userId }, select: { enabledAt: true } });
    return row?.enabledAt ?? null;
  }

  unusedRecoveryCodes(userId: string): Promise<number> {
    return this.prisma.recoveryCode.count({ where: { userId, usedAt: null } });
  }

  /**
   * Stores a pending secret unless 2FA is already on; false when it is. ON CONFLICT DO NOTHING
   * rather than upsert: Prisma's upsert reads then inserts, so two setups at once (a double
   * click) both inserted and the loser was a unique-violation 500. The update is conditional
   * on "not enabled", so a concurrent enable cannot be overwritten.
   */
  async setPendingSecret(userId: string, sealed: string): Promise<boolean> {
    await this.prisma.twoFactor.createMany({ data: [{ userId }], skipDuplicates: true });
    const { count } = await this.prisma.twoFactor.updateMany({ where: { userId, enabledAt: null }, data: { pendingSecretEnc: sealed } });
    return count === 1;
  }

  /** Turns 2FA on if the pending secret is still `sealed`, 2FA still off and `step` not yet spent. */
  async enable(tx: Db, userId: string, sealed: string, step: number): Promise<boolean> {
    const { count } = await tx.twoFactor.updateMany({
      where: { userId, enabledAt: null, pendingSecretEnc: sealed, ...unspentStep(step) },
      data: { secretEnc: sealed, pendingSecretEnc: null, enabledAt: new Date(), lastUsedStep: BigInt(step) },
    });
    return count === 1;
  }

  /** 2FA off: the secret, the recovery codes and any login challenge of the user. */
  async removeAll(tx: Db, userId: string): Promise<void> {
    await tx.twoFactor.deleteMany({ where: { userId } });
    await tx.recoveryCode.deleteMany({ where: { userId } });
    await tx.twoFactorChallenge.deleteMany({ where: { userId } });
  }

  /** Locks the user's 2FA row for the rest of the transaction (see TwoFactorService.lockForUse). */
  async lockForUse(db: Db, userId: string): Promise<LockedTwoFactor | undefined> {
    const [row] = await db.$queryRaw<LockedTwoFactor[]>`
      SELECT enabled_at, secret_enc, last_used_step FROM two_factor WHERE user_id = ${userId} FOR UPDATE`;
    return row;
  }

  /** Records `step` as the last TOTP step used, unless it (or a later one) was spent already. */
  async spendStep(db: Db, userId: string, step: number): Promise<boolean> {
    const { count } = await db.twoFactor.updateMany({
      where: { userId, enabledAt: { not: null }, ...unspentStep(step) },
      data: { lastUsedStep: BigInt(step) },
    });
    return count === 1;
  }

  async spendRecoveryCode(db: Db, userId: string, codeHash: string): Promise<boolean> {
    const { count } = await db.recoveryCode.updateMany({ where: { userId, codeHash, usedAt: null }, data: { usedAt: new Date() } });
    return count === 1;
  }

  async replaceRecoveryCodes(tx: Db, userId: string, codeHashes: readonly string[]): Promise<void> {
    await tx.recoveryCode.deleteMany({ where: { userId } });
    await tx.recoveryCode.createMany({ data: codeHashes.map((codeHash) => ({ id: randomId(ID_PREFIX.recoveryCode), userId, codeHash })) });
  }

  /** A new challenge; the user's spent and stale ones are swept in the same transaction. */
  async startChallenge(userId: string, tokenHash: string, createdAt: Date, expiresAt: Date): Promise<void> {
    await this.prisma.$transaction([
      this.prisma.twoFactorChallenge.deleteMany({ where: { userId, OR: [{ expiresAt: { lte: createdAt } }, { usedAt: { not: null } }] } }),
      this.prisma.twoFactorChallenge.create({ data: { id: randomId(ID_PREFIX.challenge), userId, tokenHash, createdAt, expiresAt } }),
    ]);
  }

  async challengeOwner(tokenHash: string): Promise<string | null> {
    const row = await this.prisma.twoFactorChallenge.findUnique({ where: { tokenHash }, select: { userId: true } });
    return row?.userId ?? null;
  }

  async lockChallenge(tx: Db, tokenHash: string): Promise<LockedChallenge | undefined> {
    const [row] = await tx.$queryRaw<LockedChallenge[]>`
      SELECT id, user_id, attempts, expires_at, used_at FROM two_factor_challenges WHERE token_hash = ${tokenHash} FOR UPDATE`;
    return row;
  }

  async countWrongCode(tx: Db, challengeId: string): Promise<void> {
    await tx.twoFactorChallenge.update({ where: { id: challengeId }, data: { attempts: { increment: 1 } } });
  }

  async spendChallenge(tx: Db, challengeId: string): Promise<void> {
    await tx.twoFactorChallenge.update({ where: { id: challengeId }, data: { usedAt: new Date() } });
  }
}

/** Prisma `where` fragment: no step at or above `step` was spent yet (the replay guard). */
function unspentStep(step: number): Prisma.TwoFactorWhereInput {
  return { OR: [{ lastUsedStep: null }, { lastUsedStep: { lt: BigInt(step) } }] };
}
