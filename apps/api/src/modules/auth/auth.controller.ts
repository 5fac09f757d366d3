import { Controller, Res } from '@nestjs/common';
import {
  routes,
  type LoginRequest,
  type LoginResponse,
  type LogoutResponse,
  type MeResponse,
  type RegisterRequest,
  type SessionResponse,
  type TwoFactorLoginRequest,
} from '@aius/contracts';
import type { FastifyReply } from 'fastify';
import { ContractBody, Endpoint } from '../../common/endpoint.decorator.js';
import { CurrentPrincipal, type Principal } from '../../common/principal.js';
import { AuthService, type AuthOutcome } from './auth.service.js';
import { clearedSessionCookie } from './session-cookie.js';
import { CallerOrigin, type RequestOrigin } from '../../common/request-origin.js';

@Controller()
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Endpoint(routes.register)
  async register(
    @ContractBody(routes.register) body: RegisterRequest,
    @CallerOrigin() origin: RequestOrigin,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SessionResponse> {
    return withCookie(reply, await this.auth.register(body, origin));
  }

  @Endpoint(routes.login)
  async login(
    @ContractBody(routes.login) body: LoginRequest,
    @CallerOrigin() origin: RequestOrigin,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<LoginResponse> {
    return withCookie(reply, await this.auth.login(body, origin));
  }

  @Endpoint(routes.twoFactorLogin)
  async twoFactorLogin(
    @ContractBody(routes.twoFactorLogin) body: TwoFactorLoginRequest,
    @CallerOrigin() origin: RequestOrigin,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SessionResponse> {
    return withCookie(reply, await this.auth.completeTwoFactorLogin(body, origin));
  }

  @Endpoint(routes.me)
  me(@CurrentPrincipal() principal: Principal): Promise<MeResponse> {
    return this.auth.me(principal.userId);
  }

  /** The route takes the session cookie only, so the principal always names a session. */
  @Endpoint(routes.logout)
  async logout(
    @CurrentPrincipal() principal: Principal,
    @CallerOrigin() origin: RequestOrigin,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<LogoutResponse> {
    const body = await this.auth.logout(principal, origin);
    void reply.header('set-cookie', clearedSessionCookie());
    return body;
  }
}

function withCookie<T>(reply: FastifyReply, outcome: AuthOutcome<T>): T {
  if (outcome.cookie) void reply.header('set-cookie', outcome.cookie);
  return outcome.body;
}
