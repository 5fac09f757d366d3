import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { ID_PREFIX, type ChangePasswordRequest, type ForgotPasswordRequest, type ResetPasswordRequest } from '@aius/contracts';
import { PrismaService, type Prisma } from '@aius/db';
import { ApiError } from '../../common/api-error.js';
import { hashLinkToken, mintLinkToken } from '../../common/link-token.js';
import { randomId } from '../../common/random-id.js';
import type { RequestOrigin } from '../../common/request-origin.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { AuditLog } from '../audit/audit-log.js';
import { SessionService } from '../identity/session.service.js';
import { UsersService } from '../identity/users.service.js';
import { MailOutbox } from '../mail/mail-outbox.js';
import { LoginThrottle } from '../rate-limit/login-throttle.service.js';
import { TokensService } from '../tokens/tokens.service.js';
import { PasswordHasher } from './password-hasher.js';
import { PasswordResetsRepository } from './password-resets.repository.js';

/** Spec §13: a reset link is valid 30 minutes from when its mail is made. */
export const RESET_LINK_TTL_MS = 30 * 60 * 1000;
/** A reset mail the relay could not take for a day is given up: the person has asked again by then. */
const RESET_MAIL_TTL_MS = 24 * 3600 * 1000;
/** At most one reset mail per address per minute, however often the form is sent. */
const RESET_MAIL_PER_RECIPIENT_MS = 60_000;
const MAIL_KIND = 'password_reset';
/** The mail of an account an admin created without a password: a link to choose one. */
const WELCOME_MAIL_KIND = 'account_created';
const DAY_MS = 24 * 3600 * 1000;

/**
 * Passwords (spec §13): change, and forgot → mail → reset.
 *
 * Forgot only queues a row in the mail outbox, for any well-formed email: the answer, its
 * timing and the database work are the same whether an account exists or not. The outbox's
 * sender looks the account up and mints the link when it sends (so no usable link is ever
 * stored: only its SHA-256), from PUBLIC_URL, never from the request's Host. The link opens
 * the dashboard's reset page with the secret in the fragment (never sent to a server, so
 * neither logs nor a scanner's GET can use it); only the page's POST consumes it.
 */
@Injectable()
export class PasswordService implements OnModuleInit {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly prisma: PrismaService,
    private readonly passwords: PasswordHasher,
    private readonly users: UsersService,
    private readonly sessions: SessionService,
    private readonly throttle: LoginThrottle,
    private readonly tokens: TokensService,
    private readonly resets: PasswordResetsRepository,
    private readonly mail: MailOutbox,
    private readonly audit: AuditLog,
  ) {}

  onModuleInit(): void {
    this.mail.handle(MAIL_KIND, ({ recipient }) => this.renderResetMail(recipient), { perRecipientMs: RESET_MAIL_PER_RECIPIENT_MS });
    this.mail.handle(WELCOME_MAIL_KIND, ({ recipient }) => this.renderWelcomeMail(recipient));
  }

  /**
   * Queues, inside the transaction that creates the account, the mail that lets its owner choose a
   * password. The link is a reset link (the same table, hashing, single use and voiding), living
   * INVITATION_TTL_DAYS rather than 30 minutes: it answers an admin's invitation, not a request the
   * person just made. Call `sendQueued()` once the transaction has committed.
   */
  queueWelcome(tx: Prisma.TransactionClient, email: string): Promise<void> {
    return this.mail.enqueue({ kind: WELCOME_MAIL_KIND, recipient: email, expiresAt: new Date(Date.now() + this.config.INVITATION_TTL_DAYS * DAY_MS) }, tx);
  }

  sendQueued(): void {
    this.mail.kick();
  }

  /** Every other session of the user ends; the caller's own stays. Wrong current password counts as a failed login. */
  async change(userId: string, sessionId: string, input: ChangePasswordRequest, origin: RequestOrigin): Promise<{ changed: true }> {
    const user = await this.users.findById(userId);
    if (!user) throw new ApiError('UNAUTHENTICATED');
    await this.throttle.assertAllowed(user.email);
    if (!(await this.passwords.verify(user.passwordHash, input.current_password))) throw new ApiError('INVALID_CREDENTIALS');
    await this.throttle.reset(user.email);
    const passwordHash = await this.passwords.hash(input.new_password);
    await this.prisma.$transaction(async (tx) => {
      await this.users.setPasswordHash(tx, userId, passwordHash);
      await this.sessions.revokeOthers(userId, sessionId, tx);
    });
    this.audit.record({ action: 'password.changed', actorId: userId, targetType: 'user', targetId: userId, ...origin });
    return { changed: true };
  }

  /** Queues the mail and answers; never awaits SMTP, never says whether the account exists. */
  async forgot(input: ForgotPasswordRequest): Promise<{ sent: true }> {
    await this.mail.enqueue({ kind: MAIL_KIND, recipient: input.email, expiresAt: new Date(Date.now() + RESET_MAIL_TTL_MS) });
    this.mail.kick();
    return { sent: true };
  }

  /**
   * Single use: the link, the new password and the end of every session of the account (and,
   * when asked, of every API token) commit together. No session is started: the person signs in
   * with the new password, through 2FA when it is on.
   */
  async reset(input: ResetPasswordRequest, origin: RequestOrigin): Promise<{ reset: true }> {
    // Hashed before the link is looked at, so a bad link costs what a good one does.
    const passwordHash = await this.passwords.hash(input.new_password);
    const outcome = await this.prisma.$transaction(async (tx) => {
      const userId = await this.resets.consume(tx, hashLinkToken(input.token));
      if (!userId) throw new ApiError('INVALID_RESET_TOKEN');
      await this.users.setPasswordHash(tx, userId, passwordHash);
      await this.sessions.revokeOthers(userId, undefined, tx);
      const announce = input.revoke_api_tokens ? await this.tokens.revokeAllOf(tx, userId) : undefined;
      return { userId, announce };
    });
    await outcome.announce?.();
    const user = await this.users.findById(outcome.userId);
    // Whoever was locked out by failed logins has just proven they own the mailbox.
    if (user) await this.throttle.reset(user.email);
    this.audit.record({ action: 'password.reset', actorId: outcome.userId, targetType: 'user', targetId: outcome.userId, ...origin });
    return { reset: true };
  }

  private async renderWelcomeMail(email: string): Promise<{ subject: string; text: string } | null> {
    const user = await this.users.findByEmail(email);
    if (!user || user.disabledAt) return null;
    const days = this.config.INVITATION_TTL_DAYS;
    const link = await this.mintLink(user.id, days * DAY_MS, '&welcome=1');
    return {
      subject: 'Your AIUS account is ready',
      text: [
        `An administrator of ${this.config.PUBLIC_URL} created an AIUS account for ${user.email}.`,
        '',
        `Open this link within ${days} day${days === 1 ? '' : 's'} to choose your password:`,
        link,
        '',
        'The link works once. If it has expired, use "Forgot password" on the sign-in page to get a new one.',
      ].join('\n'),
    };
  }

  /** A new single-use link for the user (voiding older ones); only its SHA-256 is stored. */
  private async mintLink(userId: string, ttlMs: number, extra = ''): Promise<string> {
    const { token, hash } = mintLinkToken();
    await this.resets.replace({ id: randomId(ID_PREFIX.passwordReset), userId, tokenHash: hash, expiresAt: new Date(Date.now() + ttlMs) });
    return `${this.config.PUBLIC_URL}/reset-password#token=${token}${extra}`;
  }

  /** Run by the outbox's sender: no account, no mail (and the request's answer was the same). */
  private async renderResetMail(email: string): Promise<{ subject: string; text: string } | null> {
    const user = await this.users.findByEmail(email);
    if (!user) return null;
    const link = await this.mintLink(user.id, RESET_LINK_TTL_MS);
    return {
      subject: 'Reset your AIUS password',
      text: [
        `Someone, hopefully you, asked to reset the password of the AIUS account ${user.email} on`,
        this.config.PUBLIC_URL,
        '',
        'Open this link within 30 minutes to choose a new password:',
        link,
        '',
        'The link works once, and only the newest one you asked for works. Resetting signs you out everywhere.',
        'If you did not ask for this, ignore this mail: your password stays as it is.',
      ].join('\n'),
    };
  }
}
