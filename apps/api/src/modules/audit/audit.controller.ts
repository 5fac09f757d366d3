import { Controller } from '@nestjs/common';
import { routes, type AuditLogQuery, type AuditLogResponse } from '@aius/contracts';
import { ContractQuery, Endpoint } from '../../common/endpoint.decorator.js';
import { CurrentPrincipal, type Principal } from '../../common/principal.js';
import { AuditLog } from './audit-log.js';

/** A user's own audit log; a client's is served by the clients module, which knows who may read it. */
@Controller()
export class AuditController {
  constructor(private readonly audit: AuditLog) {}

  @Endpoint(routes.myAuditLog)
  mine(@CurrentPrincipal() p: Principal, @ContractQuery(routes.myAuditLog) query: AuditLogQuery): Promise<AuditLogResponse> {
    return this.audit.page({ userId: p.userId }, query);
  }
}
