import { Controller } from '@nestjs/common';
import {
  routes,
  type CreateTokenRequest,
  type CreateTokenResponse,
  type RevokeTokenResponse,
  type TokenIdParams,
  type TokenListResponse,
} from '@aius/contracts';
import { ContractBody, ContractParams, Endpoint } from '../../common/endpoint.decorator.js';
import { CurrentPrincipal, type Principal } from '../../common/principal.js';
import { CallerOrigin, type RequestOrigin } from '../../common/request-origin.js';
import { TokensService } from './tokens.service.js';

@Controller()
export class TokensController {
  constructor(private readonly tokens: TokensService) {}

  @Endpoint(routes.createToken)
  mint(
    @CurrentPrincipal() p: Principal,
    @ContractBody(routes.createToken) body: CreateTokenRequest,
    @CallerOrigin() origin: RequestOrigin,
  ): Promise<CreateTokenResponse> {
    return this.tokens.mint(p.userId, body, origin);
  }

  @Endpoint(routes.listTokens)
  list(@CurrentPrincipal() p: Principal): Promise<TokenListResponse> {
    return this.tokens.list(p.userId);
  }

  @Endpoint(routes.revokeToken)
  revoke(
    @CurrentPrincipal() p: Principal,
    @ContractParams(routes.revokeToken) params: TokenIdParams,
    @CallerOrigin() origin: RequestOrigin,
  ): Promise<RevokeTokenResponse> {
    return this.tokens.revoke(p.userId, params.id, origin);
  }
}
