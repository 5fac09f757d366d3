import { Controller } from '@nestjs/common';
import {
  IDEMPOTENCY_KEY_HEADER,
  routes,
  type ClientIdParams,
  type CreditsDailyQuery,
  type CreditsDailyResponse,
  type CreditsResponse,
  type CreditTransaction,
  type GrantCreditsHeaders,
  type GrantCreditsRequest,
  type SetPlanRequest,
  type SubscriptionResponse,
  type TransactionListResponse,
  type TransactionsQuery,
} from '@aius/contracts';
import { ContractBody, ContractHeaders, ContractParams, ContractQuery, Endpoint } from '../../common/endpoint.decorator.js';
import { CurrentPrincipal, type Principal } from '../../common/principal.js';
import { CallerOrigin, type RequestOrigin } from '../../common/request-origin.js';
import { BillingService } from './billing.service.js';

@Controller()
export class BillingController {
  constructor(private readonly billing: BillingService) {}

  @Endpoint(routes.getSubscription)
  subscription(@CurrentPrincipal() p: Principal, @ContractParams(routes.getSubscription) params: ClientIdParams): Promise<SubscriptionResponse> {
    return this.billing.subscription(p.userId, params.id);
  }

  @Endpoint(routes.getCredits)
  credits(@CurrentPrincipal() p: Principal, @ContractParams(routes.getCredits) params: ClientIdParams): Promise<CreditsResponse> {
    return this.billing.credits(p.userId, params.id);
  }

  @Endpoint(routes.creditsDaily)
  daily(
    @CurrentPrincipal() p: Principal,
    @ContractParams(routes.creditsDaily) params: ClientIdParams,
    @ContractQuery(routes.creditsDaily) query: CreditsDailyQuery,
  ): Promise<CreditsDailyResponse> {
    return this.billing.daily(p.userId, params.id, query);
  }

  @Endpoint(routes.listCreditTransactions)
  transactions(
    @CurrentPrincipal() p: Principal,
    @ContractParams(routes.listCreditTransactions) params: ClientIdParams,
    @ContractQuery(routes.listCreditTransactions) query: TransactionsQuery,
  ): Promise<TransactionListResponse> {
    return this.billing.transactions(p.userId, params.id, query);
  }

  @Endpoint(routes.grantCredits)
  grant(
    @CurrentPrincipal() p: Principal,
    @ContractParams(routes.grantCredits) params: ClientIdParams,
    @ContractBody(routes.grantCredits) body: GrantCreditsRequest,
    @ContractHeaders(routes.grantCredits) headers: GrantCreditsHeaders,
    @CallerOrigin() origin: RequestOrigin,
  ): Promise<CreditTransaction> {
    return this.billing.grant(p.userId, params.id, body, headers[IDEMPOTENCY_KEY_HEADER] ?? null, origin);
  }

  @Endpoint(routes.setPlan)
  setPlan(
    @CurrentPrincipal() p: Principal,
    @ContractParams(routes.setPlan) params: ClientIdParams,
    @ContractBody(routes.setPlan) body: SetPlanRequest,
    @CallerOrigin() origin: RequestOrigin,
  ): Promise<SubscriptionResponse> {
    return this.billing.setPlan(p.userId, params.id, body, origin);
  }
}
