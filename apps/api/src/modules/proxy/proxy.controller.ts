import { Controller, Req, Res } from '@nestjs/common';
import { routes, type ModelListResponse } from '@aius/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Endpoint } from '../../common/endpoint.decorator.js';
import { CurrentPrincipal, type Principal } from '../../common/principal.js';
import { correlate } from './correlation.js';
import { ProxyService } from './proxy.service.js';

/** GET /models (and its list for the dashboard's token form). POST /chat/completions is served by ChatRoute, outside Nest's router (see there). */
@Controller()
export class ProxyController {
  constructor(private readonly proxy: ProxyService) {}

  @Endpoint(routes.listModels)
  async models(
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ModelListResponse> {
    correlate(request, reply);
    return { object: 'list', data: await this.proxy.listModels(principal) };
  }

  /** The dashboard's session principal has no token, so no allowlist narrows the list. */
  @Endpoint(routes.tokenModelChoices)
  async tokenModelChoices(@CurrentPrincipal() principal: Principal): Promise<ModelListResponse> {
    return { object: 'list', data: await this.proxy.listModels(principal) };
  }
}
