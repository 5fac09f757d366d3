import { Controller, Res } from '@nestjs/common';
import { routes, type EndOtherSessionsResponse, type EndSessionResponse, type SessionListResponse } from '@aius/contracts';
import type { FastifyReply } from 'fastify';
import { ApiError } from '../../common/api-error.js';
import { ContractParams, Endpoint } from '../../common/endpoint.decorator.js';
import { CurrentPrincipal, type Principal } from '../../common/principal.js';
import { CallerOrigin, type RequestOrigin } from '../../common/request-origin.js';
import { AuditLog } from '../audit/audit-log.js';
import { SessionService } from '../identity/session.service.js';
import { clearedSessionCookie } from './session-cookie.js';

/**
 * A person's own sessions (spec §13), session cookie only (the principal always names one).
 * Ending one is refused on every instance from the next request on: each request's session is
 * checked against its row. Here rather than in identity because ending one is an audit event,
 * and the audit module sits above identity.
 */
@Controller()
export class SessionsController {
  constructor(
    private readonly sessions: SessionService,
    private readonly audit: AuditLog,
  ) {}

  @Endpoint(routes.listSessions)
  async list(@CurrentPrincipal() principal: Principal): Promise<SessionListResponse> {
    return { data: await this.sessions.list(principal.userId, principal.sessionId) };
  }

  @Endpoint(routes.endSession)
  async end(
    @CurrentPrincipal() principal: Principal,
    @ContractParams(routes.endSession) params: { id: string },
    @CallerOrigin() origin: RequestOrigin,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<EndSessionResponse> {
    // Someone else's session answers like an unknown one, so ids cannot be probed.
    if (!(await this.sessions.revokeOwned(principal.userId, params.id))) throw new ApiError('NOT_FOUND');
    if (params.id === principal.sessionId) void reply.header('set-cookie', clearedSessionCookie());
    this.audit.record({ action: 'session.ended', actorId: principal.userId, targetType: 'session', targetId: params.id, ...origin });
    return { revoked: true };
  }

  @Endpoint(routes.endOtherSessions)
  async endOthers(@CurrentPrincipal() principal: Principal, @CallerOrigin() origin: RequestOrigin): Promise<EndOtherSessionsResponse> {
    const revoked = await this.sessions.revokeOthers(principal.userId, principal.sessionId);
    if (revoked > 0) this.audit.record({ action: 'session.ended', actorId: principal.userId, targetType: 'user', targetId: principal.userId, ...origin });
    return { revoked };
  }
}
