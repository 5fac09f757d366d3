import { Controller, Req, Res } from '@nestjs/common';
import { routes, type ChatCompletionRequest, type ModelListResponse } from '@aius/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ContractBody, Endpoint } from '../../common/endpoint.decorator.js';
import { CurrentPrincipal, type Principal } from '../../common/principal.js';
import { ProxyService } from './proxy.service.js';

@Controller()
export class ProxyController {
  constructor(private readonly proxy: ProxyService) {}

  @Endpoint(routes.listModels)
  models(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<ModelListResponse> {
    return this.proxy.listModels(request, reply);
  }

  /** Writes the reply itself: the upstream's status, and its stream as it arrives. */
  @Endpoint(routes.chatCompletions)
  chat(
    @CurrentPrincipal() principal: Principal,
    @ContractBody(routes.chatCompletions) body: ChatCompletionRequest,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    return this.proxy.chat({ principal, body, request, reply });
  }
}
