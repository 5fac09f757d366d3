import { Controller } from '@nestjs/common';
import {
  routes,
  type RecoveryCodesResponse,
  type TwoFactorCodeRequest,
  type TwoFactorDisableResponse,
  type TwoFactorEnableResponse,
  type TwoFactorSetupResponse,
  type TwoFactorStatusResponse,
} from '@aius/contracts';
import { ContractBody, Endpoint } from '../../common/endpoint.decorator.js';
import { CurrentPrincipal, type Principal } from '../../common/principal.js';
import { CallerOrigin, type RequestOrigin } from '../../common/request-origin.js';
import { TwoFactorService } from './two-factor.service.js';

/** 2FA management (spec §4); the /2fa/login step lives with login in the auth controller. */
@Controller()
export class TwoFactorController {
  constructor(private readonly twoFactor: TwoFactorService) {}

  @Endpoint(routes.twoFactorSetup)
  setup(@CurrentPrincipal() principal: Principal): Promise<TwoFactorSetupResponse> {
    return this.twoFactor.setup(principal.userId);
  }

  @Endpoint(routes.twoFactorEnable)
  enable(
    @CurrentPrincipal() principal: Principal,
    @ContractBody(routes.twoFactorEnable) body: TwoFactorCodeRequest,
    @CallerOrigin() origin: RequestOrigin,
  ): Promise<TwoFactorEnableResponse> {
    return this.twoFactor.enable(principal, body.code, origin);
  }

  @Endpoint(routes.twoFactorDisable)
  disable(
    @CurrentPrincipal() principal: Principal,
    @ContractBody(routes.twoFactorDisable) body: TwoFactorCodeRequest,
    @CallerOrigin() origin: RequestOrigin,
  ): Promise<TwoFactorDisableResponse> {
    return this.twoFactor.disable(principal, body.code, origin);
  }

  @Endpoint(routes.twoFactorRecoveryCodes)
  recoveryCodes(
    @CurrentPrincipal() principal: Principal,
    @ContractBody(routes.twoFactorRecoveryCodes) body: TwoFactorCodeRequest,
    @CallerOrigin() origin: RequestOrigin,
  ): Promise<RecoveryCodesResponse> {
    return this.twoFactor.regenerateRecoveryCodes(principal, body.code, origin);
  }

  @Endpoint(routes.twoFactorStatus)
  status(@CurrentPrincipal() principal: Principal): Promise<TwoFactorStatusResponse> {
    return this.twoFactor.status(principal.userId);
  }
}
