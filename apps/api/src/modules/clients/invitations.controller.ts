import { Controller } from '@nestjs/common';
import {
  routes,
  type AcceptInvitationResponse,
  type CancelInvitationResponse,
  type CreateInvitationRequest,
  type Invitation,
  type InvitationListResponse,
  type InvitationParams,
  type InvitationPreview,
  type InvitationTokenRequest,
} from '@aius/contracts';
import { ContractBody, ContractParams, Endpoint } from '../../common/endpoint.decorator.js';
import { CurrentPrincipal, type Principal } from '../../common/principal.js';
import { CallerOrigin, type RequestOrigin } from '../../common/request-origin.js';
import { InvitationsService } from './invitations.service.js';

@Controller()
export class InvitationsController {
  constructor(private readonly invitations: InvitationsService) {}

  @Endpoint(routes.createInvitation)
  create(
    @CurrentPrincipal() p: Principal,
    @ContractParams(routes.createInvitation) params: { id: string },
    @ContractBody(routes.createInvitation) body: CreateInvitationRequest,
    @CallerOrigin() origin: RequestOrigin,
  ): Promise<Invitation> {
    return this.invitations.create(p.userId, params.id, body, origin);
  }

  @Endpoint(routes.listInvitations)
  list(@CurrentPrincipal() p: Principal, @ContractParams(routes.listInvitations) params: { id: string }): Promise<InvitationListResponse> {
    return this.invitations.list(p.userId, params.id);
  }

  @Endpoint(routes.cancelInvitation)
  cancel(@CurrentPrincipal() p: Principal, @ContractParams(routes.cancelInvitation) params: InvitationParams, @CallerOrigin() origin: RequestOrigin): Promise<CancelInvitationResponse> {
    return this.invitations.cancel(p.userId, params.id, params.invitation_id, origin);
  }

  @Endpoint(routes.inspectInvitation)
  inspect(@ContractBody(routes.inspectInvitation) body: InvitationTokenRequest): Promise<InvitationPreview> {
    return this.invitations.inspect(body.token);
  }

  @Endpoint(routes.acceptInvitation)
  accept(@CurrentPrincipal() p: Principal, @ContractBody(routes.acceptInvitation) body: InvitationTokenRequest, @CallerOrigin() origin: RequestOrigin): Promise<AcceptInvitationResponse> {
    return this.invitations.accept(p.userId, body.token, origin);
  }
}
