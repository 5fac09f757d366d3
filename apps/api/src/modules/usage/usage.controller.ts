import { Controller } from '@nestjs/common';
import { routes, type UsageQuery, type UsageResponse } from '@aius/contracts';
import { ContractQuery, Endpoint } from '../../common/endpoint.decorator.js';
import { CurrentPrincipal, type Principal } from '../../common/principal.js';
import { UsageService } from './usage.service.js';

@Controller()
export class UsageController {
  constructor(private readonly usage: UsageService) {}

  @Endpoint(routes.usage)
  get(@CurrentPrincipal() principal: Principal, @ContractQuery(routes.usage) query: UsageQuery): Promise<UsageResponse> {
    return this.usage.usage(principal.userId, query);
  }
}
