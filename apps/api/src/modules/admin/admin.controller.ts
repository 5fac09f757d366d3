import { Controller } from '@nestjs/common';
import { routes, type AdminUser, type AdminUserListResponse, type AdminUserParams, type AdminUsersQuery, type CreateUserRequest } from '@aius/contracts';
import { ContractBody, ContractParams, ContractQuery, Endpoint } from '../../common/endpoint.decorator.js';
import { CurrentPrincipal, type Principal } from '../../common/principal.js';
import { CallerOrigin, type RequestOrigin } from '../../common/request-origin.js';
import { AdminUsersService } from './admin-users.service.js';

@Controller()
export class AdminController {
  constructor(private readonly users: AdminUsersService) {}

  @Endpoint(routes.listUsers)
  list(@CurrentPrincipal() p: Principal, @ContractQuery(routes.listUsers) query: AdminUsersQuery): Promise<AdminUserListResponse> {
    return this.users.list(p, query);
  }

  @Endpoint(routes.createUser)
  create(@CurrentPrincipal() p: Principal, @ContractBody(routes.createUser) body: CreateUserRequest, @CallerOrigin() origin: RequestOrigin): Promise<AdminUser> {
    return this.users.create(p, body, origin);
  }

  @Endpoint(routes.disableUser)
  disable(@CurrentPrincipal() p: Principal, @ContractParams(routes.disableUser) params: AdminUserParams, @CallerOrigin() origin: RequestOrigin): Promise<AdminUser> {
    return this.users.disable(p, params.id, origin);
  }

  @Endpoint(routes.enableUser)
  enable(@CurrentPrincipal() p: Principal, @ContractParams(routes.enableUser) params: AdminUserParams, @CallerOrigin() origin: RequestOrigin): Promise<AdminUser> {
    return this.users.enable(p, params.id, origin);
  }
}
