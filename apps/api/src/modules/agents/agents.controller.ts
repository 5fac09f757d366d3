import { Controller } from '@nestjs/common';
import { routes, type AgentListResponse, type AgentResponse, type PutAgentRequest, type PutPromptRequest, type PutToolRequest, type VersionedResponse } from '@aius/contracts';
import { ContractBody, ContractParams, Endpoint } from '../../common/endpoint.decorator.js';
import { CurrentPrincipal, type Principal } from '../../common/principal.js';
import { AgentsService } from './agents.service.js';

@Controller()
export class AgentsController {
  constructor(private readonly agents: AgentsService) {}

  @Endpoint(routes.putPrompt)
  putPrompt(@CurrentPrincipal() p: Principal, @ContractBody(routes.putPrompt) body: PutPromptRequest): Promise<VersionedResponse> {
    return this.agents.putPrompt(p.userId, body);
  }

  @Endpoint(routes.putTool)
  putTool(@CurrentPrincipal() p: Principal, @ContractBody(routes.putTool) body: PutToolRequest): Promise<VersionedResponse> {
    return this.agents.putTool(p.userId, body);
  }

  @Endpoint(routes.putAgent)
  putAgent(@CurrentPrincipal() p: Principal, @ContractBody(routes.putAgent) body: PutAgentRequest): Promise<VersionedResponse> {
    return this.agents.putAgent(p.userId, body);
  }

  @Endpoint(routes.listAgents)
  listAgents(@CurrentPrincipal() p: Principal): Promise<AgentListResponse> {
    return this.agents.listAgents(p.userId);
  }

  @Endpoint(routes.getAgent)
  getAgent(@CurrentPrincipal() p: Principal, @ContractParams(routes.getAgent) params: { name: string }): Promise<AgentResponse> {
    return this.agents.getAgent(p.userId, params.name);
  }
}
