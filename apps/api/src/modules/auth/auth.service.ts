import { Injectable, Logger } from '@nestjs/common';
import {
  AUTH_MESSAGES,
  ID_PREFIX,
  type LoginRequest,
  type LoginResponse,
  type MeResponse,
  type RegisterRequest,
  type SessionResponse,
  type TwoFactorLoginRequest,
} from '@aius/contracts';
import { PrismaService, type User } from '@aius/db';
import { ApiError } from '../../common/api-error.js';
import { anyCause, isDatabaseUnavailable } from '../../common/error-response.js';
import { randomId } from '../../common/random-id.js';
import { createClientWithOwner } from '../clients/create-client-with-owner.js';
import { LoginThrottle } from '../rate-limit/login-throttle.service.js';
import { ChallengeService } from '../two-factor/challenge.service.js';
import { TwoFactorService } from '../two-factor/two-factor.service.js';
import { PasswordHasher } from './password-hasher.js';
import { sessionCookie } from './session-cookie.js';
import { SessionService, type IssuedSession, type SessionMeta } from './session.service.js';
import { UsersService, toWireUser } from './users.service.js';

/** What a flow answers, plus the Set-Cookie value when it started a session. */
export interface AuthOutcome<T> {
  body: T;
  cookie?: string;
}

export const DEFAULT_CLIENT_NAME = 'Personal';

/** Register, login, me and logout (spec §4). Owns the `users` table's writes. */
@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);

  constructor(
    private readonly prisma: PrismaService,
    private readonly passwords: PasswordHasher,
    private readonly sessions: SessionService,
    private readonly users: UsersService,
    private readonly twoFactor: TwoFactorService,
    private readonly challenges: ChallengeService,
    private readonly throttle: LoginThrottle,
  ) {}

  /** User, default client (owned by the user) and session in one transaction: all or nothing. */
  async register(input: RegisterRequest, meta: SessionMeta): Promise<AuthOutcome<SessionResponse>> {
    // Cheap early answer for the common case; the unique index settles concurrent races.
    if (await this.users.findByEmail(input.email)) throw new ApiError('EMAIL_ALREADY_EXISTS');
    const passwordHash = await this.passwords.hash(input.password);
    try {
      const { user, session } = await this.prisma.$transaction(async (tx) => {
        const user = await tx.user.create({
          data: { id: randomId(ID_PREFIX.user), email: input.email, name: input.name, passwordHash },
        });
        const client = await createClientWithOwner(tx, { ownerId: user.id, name: DEFAULT_CLIENT_NAME });
        await tx.user.update({ where: { id: user.id }, data: { defaultClientId: client.id } });
        return { user, session: await this.sessions.issue(user.id, meta, tx) };
      });
      return sessionOutcome(user, session, AUTH_MESSAGES.registered);
    } catch (error) {
      if (isUniqueViolation(error)) throw new ApiError('EMAIL_ALREADY_EXISTS');
      if (isDatabaseUnavailable(error)) throw error;
      // The first non-empty line only: Prisma messages go on to quote the query.
      const reason = error instanceof Error ? error.message.split('\n').find((line) => line.trim()) : String(error);
      this.logger.error(`registration failed: ${reason ?? 'unknown error'}`);
      throw new ApiError('REGISTRATION_FAILED');
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
    const user = await this.verifyPassword(input.email, input.password);
    await this.throttle.reset(input.email);
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
    const userId = await this.challenges.redeem(input.challenge_token, input.code);
    const user = await this.users.findById(userId);
    if (!user) throw new ApiError('INVALID_CHALLENGE');
    return this.startSession(user, meta, AUTH_MESSAGES.loggedIn);
  }

  async me(userId: string): Promise<MeResponse> {
    const [user, twoFactorEnabled] = await Promise.all([this.users.findById(userId), this.twoFactor.isEnabled(userId)]);
    // A bearer token or session can outlive nothing: users are deleted with cascades.
    if (!user) throw new ApiError('UNAUTHENTICATED');
    return { user: toWireUser(user), two_factor_enabled: twoFactorEnabled };
  }

  async logout(sessionId: string): Promise<{ logged_out: true }> {
    await this.sessions.revoke(sessionId);
    return { logged_out: true };
  }

  private async verifyPassword(email: string, password: string): Promise<User> {
    const user = await this.users.findByEmail(email);
    const ok = await this.passwords.verify(user?.passwordHash, password);
    if (!user || !ok) throw new ApiError('INVALID_CREDENTIALS');
    return user;
  }

  private async startSession(user: User, meta: SessionMeta, message: string): Promise<AuthOutcome<SessionResponse>> {
    return sessionOutcome(user, await this.sessions.issue(user.id, meta), message);
  }
}

function sessionOutcome(user: User, session: IssuedSession, message: string): AuthOutcome<SessionResponse> {
  return {
    body: { user: toWireUser(user), message, session_token: session.token },
    cookie: sessionCookie(session.token, session.maxAgeSeconds),
  };
}

/** Postgres unique violation (23505), as Prisma reports it (P2002) or as the driver does. */
function isUniqueViolation(error: unknown): boolean {
  return anyCause(error, (e) => e.code === 'P2002' || e.code === '23505');
}
