import { Inject, Injectable } from '@nestjs/common';
import {
  AUTH_MESSAGES,
  type LoginRequest,
  type LoginResponse,
  type MeResponse,
  type RegisterRequest,
  type SessionResponse,
  type TwoFactorLoginRequest,
} from '@aius/contracts';
import { PrismaService, type User } from '@aius/db';
import { ApiError } from '../../common/api-error.js';
import { AgentsService } from '../agents/agents.service.js';
import { ClientListCache } from '../clients/client-list.cache.js';
import { InvitationsService } from '../clients/invitations.service.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { LoginThrottle } from '../rate-limit/login-throttle.service.js';
import { ChallengeService } from '../two-factor/challenge.service.js';
import { TwoFactorService } from '../two-factor/two-factor.service.js';
import { AuditLog } from '../audit/audit-log.js';
import type { Principal } from '../../common/principal.js';
import { AccountCreation } from './account-creation.js';
import { PasswordHasher } from './password-hasher.js';
import { sessionCookie } from './session-cookie.js';
import { SessionService, type IssuedSession, type SessionMeta } from '../identity/session.service.js';
import { UsersService, toWireUser } from '../identity/users.service.js';

/** What a flow answers, plus the Set-Cookie value when it started a session. */
export interface AuthOutcome<T> {
  body: T;
  cookie?: string;
}

/** Register, login, me and logout (spec §4), over identity's users and sessions. */
@Injectable()
export class AuthService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly passwords: PasswordHasher,
    private readonly sessions: SessionService,
    private readonly users: UsersService,
    private readonly twoFactor: TwoFactorService,
    private readonly challenges: ChallengeService,
    private readonly throttle: LoginThrottle,
    private readonly invitations: InvitationsService,
    private readonly lists: ClientListCache,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditLog,
    private readonly admins: AgentsService,
    private readonly accounts: AccountCreation,
  ) {}

  /** User, default client (owned by the user) and session in one transaction: all or nothing. */
  async register(input: RegisterRequest, meta: SessionMeta): Promise<AuthOutcome<SessionResponse>> {
    // SIGNUP_MODE (spec §13): closed — only admins create accounts; invite — only through an invitation's link.
    const mode = this.config.SIGNUP_MODE;
    if (mode === 'closed' || (mode === 'invite' && !input.invitation_token)) throw new ApiError('SIGNUP_DISABLED');
    // Cheap early answer for the common case; the unique index settles concurrent races.
    if (await this.users.findByEmail(input.email)) throw new ApiError('EMAIL_ALREADY_EXISTS');
    const passwordHash = await this.passwords.hash(input.password);
    try {
      const { user, session, joined } = await this.prisma.$transaction(async (tx) => {
        const user = await this.accounts.createWithin(tx, { email: input.email, name: input.name, passwordHash });
        // Registering through an invitation's link joins its client in the same transaction (or nothing happens).
        const joined = input.invitation_token ? await this.invitations.acceptWithin(tx, { id: user.id, email: user.email }, input.invitation_token) : null;
        return { user, session: await this.sessions.issue(user.id, meta, tx), joined };
      });
      this.audit.record({ action: 'user.registered', actorId: user.id, targetType: 'session', targetId: session.sessionId, ...meta });
      if (joined) {
        await this.lists.changed(user.id);
        this.audit.record({ action: 'invitation.accepted', actorId: user.id, clientId: joined.clientId, targetType: 'invitation', targetId: joined.invitationId, ...meta });
      }
      return sessionOutcome(user, session, AUTH_MESSAGES.registered);
    } catch (error) {
      // The invitation's own refusal passes as it is.
      throw this.accounts.refusal(error);
    }
  }

  /**
   * Email + password. Unknown email and wrong password are the same 401 at the same
   * cost. A locked account (too many failures) is 429 `rate limit exceeded` with Retry-After.
   */
  async login(input: LoginRequest, meta: SessionMeta): Promise<AuthOutcome<LoginResponse>> {
    // Per-account failed-login limit (spec §7): an attempt is reserved before the password
    // check and given back when the password is right, so only failures count.
    await this.throttle.assertAllowed(input.email);
    const user = await this.verifyPassword(input.email, input.password, meta);
    await this.throttle.reset(input.email);
    // Only after the right password: a guesser learns nothing about the account from it (spec §13).
    if (user.disabledAt) throw new ApiError('ACCOUNT_DISABLED');
    if (await this.twoFactor.isEnabled(user.id)) {
      // No session yet: the challenge is the only thing the password earns.
      const challenge = await this.challenges.start(user.id);
      return {
        body: { requires_2fa: true, challenge_token: challenge, email: user.email, message: AUTH_MESSAGES.twoFactorRequired },
      };
    }
    return this.startSession(user, meta, AUTH_MESSAGES.loggedIn);
  }

  /** Second step of a 2FA login: a TOTP or recovery code against the challenge. */
  async completeTwoFactorLogin(input: TwoFactorLoginRequest, meta: SessionMeta): Promise<AuthOutcome<SessionResponse>> {
    const { userId, factor } = await this.challenges.redeem(input.challenge_token, input.code, meta);
    const user = await this.users.findById(userId);
    if (!user) throw new ApiError('INVALID_CHALLENGE');
    if (user.disabledAt) throw new ApiError('ACCOUNT_DISABLED');
    if (factor === 'recovery_code') this.audit.record({ action: '2fa.recovery_code_used', actorId: user.id, ...meta });
    return this.startSession(user, meta, AUTH_MESSAGES.loggedIn);
  }

  async me(userId: string): Promise<MeResponse> {
    const [user, twoFactorEnabled] = await Promise.all([this.users.findById(userId), this.twoFactor.isEnabled(userId)]);
    // A bearer token or session can outlive nothing: users are deleted with cascades.
    if (!user) throw new ApiError('UNAUTHENTICATED');
    return { user: toWireUser(user), two_factor_enabled: twoFactorEnabled, is_admin: await this.admins.isAdminEmail(user.email) };
  }

  /** The route takes the session cookie only, so the principal always names a session. */
  async logout(principal: Principal, origin: SessionMeta): Promise<{ logged_out: true }> {
    await this.sessions.revoke(principal.sessionId!);
    this.audit.record({ action: 'logout', actorId: principal.userId, targetType: 'session', targetId: principal.sessionId, ...origin });
    return { logged_out: true };
  }

  /**
   * A wrong password for an existing account is recorded against that account (its owner sees
   * it); an unknown email is not recorded at all: what was typed there may be a password.
   */
  private async verifyPassword(email: string, password: string, meta: SessionMeta): Promise<User> {
    const user = await this.users.findByEmail(email);
    const ok = await this.passwords.verify(user?.passwordHash, password);
    if (user && !ok) this.audit.record({ action: 'login.failed', actorId: null, targetType: 'user', targetId: user.id, ...meta });
    if (!user || !ok) throw new ApiError('INVALID_CREDENTIALS');
    return user;
  }

  private async startSession(user: User, meta: SessionMeta, message: string): Promise<AuthOutcome<SessionResponse>> {
    const session = await this.sessions.issue(user.id, meta);
    this.audit.record({ action: 'login.succeeded', actorId: user.id, targetType: 'session', targetId: session.sessionId, ...meta });
    return sessionOutcome(user, session, message);
  }
}

function sessionOutcome(user: User, session: IssuedSession, message: string): AuthOutcome<SessionResponse> {
  return {
    body: { user: toWireUser(user), message, session_token: session.token },
    cookie: sessionCookie(session.token, session.maxAgeSeconds),
  };
}
