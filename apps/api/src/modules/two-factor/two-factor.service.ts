import { Injectable, Logger } from '@nestjs/common';
import type {
  RecoveryCodesResponse,
  TwoFactorDisableResponse,
  TwoFactorEnableResponse,
  TwoFactorSetupResponse,
  TwoFactorStatusResponse,
} from '@aius/contracts';
import { type Prisma, PrismaService, type TwoFactor } from '@aius/db';
import { ApiError } from '../../common/api-error.js';
import type { Principal } from '../../common/principal.js';
import type { RequestOrigin } from '../../common/request-origin.js';
import { AuditLog, selfEvent } from '../audit/audit-log.js';
import { SessionService } from '../identity/session.service.js';
import { UsersService } from '../identity/users.service.js';
import { SecondFactorThrottle } from '../rate-limit/second-factor-throttle.service.js';
import { newRecoveryCodes, normalizeRecoveryCode } from './recovery-codes.js';
import { matchTotpStep, isTotpShaped, newTotpSecret, otpauthUrl } from './totp.js';
import { TwoFactorCrypto } from './two-factor-crypto.js';
import { TwoFactorRepository, type LockedTwoFactor } from './two-factor.repository.js';

type Db = Prisma.TransactionClient;

/**
 * TOTP enrolment and use (spec §4), on `two_factor` and `recovery_codes` (through
 * TwoFactorRepository). Every code
 * is spent with one conditional UPDATE, so two concurrent uses of one TOTP step or one
 * recovery code cannot both succeed.
 */
/** Which kind of second factor a code turned out to be. */
export type SpentFactor = 'totp' | 'recovery_code';

@Injectable()
export class TwoFactorService {
  private readonly logger = new Logger(TwoFactorService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly repository: TwoFactorRepository,
    private readonly crypto: TwoFactorCrypto,
    private readonly sessions: SessionService,
    private readonly users: UsersService,
    private readonly throttle: SecondFactorThrottle,
    private readonly audit: AuditLog,
  ) {}

  async isEnabled(userId: string): Promise<boolean> {
    return (await this.repository.enabledAt(userId)) !== null;
  }

  async status(userId: string): Promise<TwoFactorStatusResponse> {
    const enabled = await this.isEnabled(userId);
    const remaining = enabled ? await this.repository.unusedRecoveryCodes(userId) : 0;
    return { enabled, recovery_codes_remaining: remaining };
  }

  /** A new pending secret, replacing any earlier unconfirmed one. */
  async setup(userId: string): Promise<TwoFactorSetupResponse> {
    const user = await this.users.findById(userId);
    if (!user) throw new ApiError('UNAUTHENTICATED');
    const secret = newTotpSecret();
    if (!(await this.repository.setPendingSecret(userId, this.crypto.seal(secret, userId)))) throw new ApiError('2FA_ALREADY_ENABLED');
    return { secret, otpauth_url: otpauthUrl(user.email, secret) };
  }

  /**
   * Checks in the spec's order: 2FA_NOT_STARTED (no secret at all), INVALID_CODE, then
   * 2FA_ALREADY_ENABLED — so an enabled user hears 409 only for a right code.
   */
  async enable(principal: Principal, code: string, origin: RequestOrigin): Promise<TwoFactorEnableResponse> {
    const userId = principal.userId;
    const row = await this.repository.find(userId);
    const sealed = row?.enabledAt ? row.secretEnc : row?.pendingSecretEnc;
    if (!row || !sealed) throw new ApiError('2FA_NOT_STARTED');
    const step = await matchTotpStep(this.openSecret(sealed, userId), code, stepOf(row));
    if (step === null) throw new ApiError('INVALID_CODE');
    if (row.enabledAt) throw new ApiError('2FA_ALREADY_ENABLED');

    const codes = newRecoveryCodes();
    await this.prisma.$transaction(async (tx) => {
      // Still the very pending secret we checked, still off, and this step not yet spent.
      if (!(await this.repository.enable(tx, userId, sealed, step))) throw new ApiError((await this.isEnabled(userId)) ? '2FA_ALREADY_ENABLED' : 'INVALID_CODE');
      await this.replaceRecoveryCodes(tx, userId, codes);
      await this.sessions.revokeOthers(userId, principal.sessionId, tx);
    });
    this.audit.record(selfEvent('2fa.enabled', userId, origin));
    return { enabled: true, recovery_codes: codes };
  }

  async disable(principal: Principal, code: string, origin: RequestOrigin): Promise<TwoFactorDisableResponse> {
    await this.withSecondFactor(principal.userId, code, origin, async (tx) => {
      await this.repository.removeAll(tx, principal.userId);
      await this.sessions.revokeOthers(principal.userId, principal.sessionId, tx);
    });
    this.audit.record(selfEvent('2fa.disabled', principal.userId, origin));
    return { enabled: false };
  }

  async regenerateRecoveryCodes(principal: Principal, code: string, origin: RequestOrigin): Promise<RecoveryCodesResponse> {
    const codes = newRecoveryCodes();
    await this.withSecondFactor(principal.userId, code, origin, async (tx) => {
      await this.replaceRecoveryCodes(tx, principal.userId, codes);
      await this.sessions.revokeOthers(principal.userId, principal.sessionId, tx);
    });
    this.audit.record(selfEvent('2fa.recovery_codes_regenerated', principal.userId, origin));
    return { recovery_codes: codes };
  }

  /**
   * Locks the user's 2FA row for the rest of the transaction. Every use of a code and
   * every change to a user's 2FA takes this lock first, so concurrent requests queue in
   * one order (no deadlocks) and each sees what the one before it did.
   */
  lockForUse(db: Db, userId: string): Promise<LockedTwoFactor | undefined> {
    return this.repository.lockForUse(db, userId);
  }

  /**
   * Spends a TOTP code or a recovery code of a user with 2FA on: which of them it was, or null
   * when the code is wrong, already used, or 2FA is off. Writes only on success. Call inside a
   * transaction.
   */
  async spendSecondFactor(db: Db, userId: string, code: string): Promise<SpentFactor | null> {
    const row = await this.lockForUse(db, userId);
    if (!row?.enabled_at || !row.secret_enc) return null;
    if (isTotpShaped(code)) {
      const lastUsed = row.last_used_step === null ? null : Number(row.last_used_step);
      const step = await matchTotpStep(this.openSecret(row.secret_enc, userId), code, lastUsed);
      if (step === null) return null;
      return (await this.repository.spendStep(db, userId, step)) ? 'totp' : null;
    }
    return (await this.repository.spendRecoveryCode(db, userId, this.crypto.recoveryCodeHash(normalizeRecoveryCode(code)))) ? 'recovery_code' : null;
  }

  /**
   * 2FA_NOT_ENABLED, then the account's second-factor quota (429), then INVALID_CODE (400),
   * then `change` — all in one transaction. Only a wrong code is left counted.
   */
  private async withSecondFactor(userId: string, code: string, origin: RequestOrigin, change: (tx: Db) => Promise<void>): Promise<void> {
    if (!(await this.isEnabled(userId))) throw new ApiError('2FA_NOT_ENABLED');
    await this.throttle.reserve(userId);
    let wrong = false;
    let spent: SpentFactor | null = null;
    try {
      await this.prisma.$transaction(async (tx) => {
        spent = await this.spendSecondFactor(tx, userId, code);
        if (!spent) {
          wrong = true;
          throw new ApiError('INVALID_CODE');
        }
        await change(tx);
      });
    } finally {
      if (!wrong) await this.throttle.release(userId);
    }
    if (spent === 'recovery_code') this.audit.record(selfEvent('2fa.recovery_code_used', userId, origin));
  }

  private replaceRecoveryCodes(tx: Db, userId: string, codes: string[]): Promise<void> {
    return this.repository.replaceRecoveryCodes(tx, userId, codes.map((code) => this.crypto.recoveryCodeHash(normalizeRecoveryCode(code))));
  }

  /** An unopenable secret (key changed, row tampered) matches no code; say so in the log. */
  private openSecret(sealed: string, userId: string): string {
    const secret = this.crypto.open(sealed, userId);
    if (secret === null) this.logger.error(`TOTP secret of ${userId} cannot be decrypted (was the key changed?)`);
    return secret ?? '';
  }
}

const stepOf = (row: Pick<TwoFactor, 'lastUsedStep'>) => (row.lastUsedStep === null ? null : Number(row.lastUsedStep));
