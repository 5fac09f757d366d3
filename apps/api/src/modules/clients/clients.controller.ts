import { Controller } from '@nestjs/common';
import {
  routes,
  type AddMemberRequest,
  type AuditLogQuery,
  type AuditLogResponse,
  type ClientListResponse,
  type CreateClientRequest,
  type ClientSummary,
  type CreateClientResponse,
  type DeleteClientResponse,
  type UpdateClientRequest,
  type Member,
  type MemberListResponse,
  type MemberParams,
  type RemoveMemberResponse,
  type UpdateMemberRequest,
} from '@aius/contracts';
import { ContractBody, ContractParams, ContractQuery, Endpoint } from '../../common/endpoint.decorator.js';
import type { Arrival } from '../../common/arrival.js';
import { CurrentArrival, CurrentPrincipal, type Principal } from '../../common/principal.js';
import { CallerOrigin, type RequestOrigin } from '../../common/request-origin.js';
import { ClientsService } from './clients.service.js';
import { MembersService } from './members.service.js';

@Controller()
export class ClientsController {
  constructor(
    private readonly clients: ClientsService,
    private readonly members: MembersService,
  ) {}

  @Endpoint(routes.listClients)
  list(@CurrentPrincipal() p: Principal, @CurrentArrival() arrival: Arrival): Promise<ClientListResponse> {
    // The version read on arrival counts only for the user it was read for.
    return this.clients.listClients(p.userId, arrival.bearer?.userId === p.userId ? arrival.clientListVersion : null);
  }

  @Endpoint(routes.createClient)
  create(
    @CurrentPrincipal() p: Principal,
    @ContractBody(routes.createClient) body: CreateClientRequest,
    @CallerOrigin() origin: RequestOrigin,
  ): Promise<CreateClientResponse> {
    return this.clients.createClient(p.userId, body.name, origin);
  }

  @Endpoint(routes.updateClient)
  rename(
    @CurrentPrincipal() p: Principal,
    @ContractParams(routes.updateClient) params: { id: string },
    @ContractBody(routes.updateClient) body: UpdateClientRequest,
    @CallerOrigin() origin: RequestOrigin,
  ): Promise<ClientSummary> {
    return this.clients.renameClient(p.userId, params.id, body.name, origin);
  }

  @Endpoint(routes.deleteClient)
  remove(@CurrentPrincipal() p: Principal, @ContractParams(routes.deleteClient) params: { id: string }, @CallerOrigin() origin: RequestOrigin): Promise<DeleteClientResponse> {
    return this.clients.deleteClient(p.userId, params.id, origin);
  }

  @Endpoint(routes.listMembers)
  listMembers(@CurrentPrincipal() p: Principal, @ContractParams(routes.listMembers) params: { id: string }): Promise<MemberListResponse> {
    return this.members.listMembers(p.userId, params.id);
  }

  @Endpoint(routes.addMember)
  addMember(
    @CurrentPrincipal() p: Principal,
    @ContractParams(routes.addMember) params: { id: string },
    @ContractBody(routes.addMember) body: AddMemberRequest,
    @CallerOrigin() origin: RequestOrigin,
  ): Promise<Member> {
    return this.members.addMember(p.userId, params.id, body, origin);
  }

  @Endpoint(routes.updateMember)
  updateMember(
    @CurrentPrincipal() p: Principal,
    @ContractParams(routes.updateMember) params: MemberParams,
    @ContractBody(routes.updateMember) body: UpdateMemberRequest,
    @CallerOrigin() origin: RequestOrigin,
  ): Promise<Member> {
    return this.members.updateRole(p.userId, params.id, params.user_id, body.role, origin);
  }

  @Endpoint(routes.clientAuditLog)
  auditLog(
    @CurrentPrincipal() p: Principal,
    @ContractParams(routes.clientAuditLog) params: { id: string },
    @ContractQuery(routes.clientAuditLog) query: AuditLogQuery,
  ): Promise<AuditLogResponse> {
    return this.clients.auditLog(p.userId, params.id, query);
  }

  @Endpoint(routes.removeMember)
  removeMember(
    @CurrentPrincipal() p: Principal,
    @ContractParams(routes.removeMember) params: MemberParams,
    @CallerOrigin() origin: RequestOrigin,
  ): Promise<RemoveMemberResponse> {
    return this.members.removeMember(p.userId, params.id, params.user_id, origin);
  }
}
