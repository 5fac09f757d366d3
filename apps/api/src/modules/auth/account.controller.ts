import { Controller, Inject } from '@nestjs/common';
import {
  routes,
  type ChangePasswordRequest,
  type ChangePasswordResponse,
  type ForgotPasswordRequest,
  type ForgotPasswordResponse,
  type InstanceInfoResponse,
  type ResetPasswordRequest,
  type ResetPasswordResponse,
} from '@aius/contracts';
import { ContractBody, Endpoint } from '../../common/endpoint.decorator.js';
import { CurrentPrincipal, type Principal } from '../../common/principal.js';
import { CallerOrigin, type RequestOrigin } from '../../common/request-origin.js';
import { APP_CONFIG, type AppConfig } from '../../config/config.js';
import { PasswordService } from './password.service.js';

/** Passwords (spec §13) and what the sign-in pages need to know about this server. */
@Controller()
export class AccountController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly passwords: PasswordService,
  ) {}

  @Endpoint(routes.instanceInfo)
  instance(): InstanceInfoResponse {
    return { signup_mode: this.config.SIGNUP_MODE, mail_delivery: this.config.SMTP_URL ? 'smtp' : 'log', billing_mode: this.config.BILLING_MODE };
  }

  /** Session cookie only, so the principal always names a session (the one that stays). */
  @Endpoint(routes.changePassword)
  change(
    @CurrentPrincipal() principal: Principal,
    @ContractBody(routes.changePassword) body: ChangePasswordRequest,
    @CallerOrigin() origin: RequestOrigin,
  ): Promise<ChangePasswordResponse> {
    return this.passwords.change(principal.userId, principal.sessionId!, body, origin);
  }

  @Endpoint(routes.forgotPassword)
  forgot(@ContractBody(routes.forgotPassword) body: ForgotPasswordRequest): Promise<ForgotPasswordResponse> {
    return this.passwords.forgot(body);
  }

  @Endpoint(routes.resetPassword)
  reset(@ContractBody(routes.resetPassword) body: ResetPasswordRequest, @CallerOrigin() origin: RequestOrigin): Promise<ResetPasswordResponse> {
    return this.passwords.reset(body, origin);
  }
}
