import { Controller } from '@nestjs/common';
import { routes, type ListRunsQuery, type RunDetail, type RunListResponse } from '@aius/contracts';
import { ContractParams, ContractQuery, Endpoint } from '../../common/endpoint.decorator.js';
import { CurrentPrincipal, type Principal } from '../../common/principal.js';
import { RunsService } from './runs.service.js';

@Controller()
export class RunsController {
  constructor(private readonly runs: RunsService) {}

  @Endpoint(routes.listRuns)
  list(@CurrentPrincipal() p: Principal, @ContractQuery(routes.listRuns) query: ListRunsQuery): Promise<RunListResponse> {
    return this.runs.list(p.userId, query);
  }

  @Endpoint(routes.getRun)
  get(@CurrentPrincipal() p: Principal, @ContractParams(routes.getRun) params: { id: string }): Promise<RunDetail> {
    return this.runs.get(p.userId, params.id);
  }
}
