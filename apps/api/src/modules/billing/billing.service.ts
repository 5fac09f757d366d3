import { Injectable } from '@nestjs/common';
import type {
  CreditsDailyQuery,
  CreditsDailyResponse,
  CreditsResponse,
  CreditTransaction,
  GrantCreditsRequest,
  SetPlanRequest,
  SubscriptionResponse,
  TransactionListResponse,
  TransactionsQuery,
} from '@aius/contracts';
import { ApiError } from '../../common/api-error.js';
import type { RequestOrigin } from '../../common/request-origin.js';
import { unixSeconds } from '../../common/unix-time.js';
import { AgentsService } from '../agents/agents.service.js';
import { AuditLog } from '../audit/audit-log.js';
import { ClientsService } from '../clients/clients.service.js';
import { dayRange } from '../usage/usage-range.js';
import { BillingRepository, type BillingAccount, type LedgerRow } from './billing.repository.js';
import { CreditGate } from './credit-gate.js';
import { toCredits, toMicro } from './model-prices.js';

const subscriptionOf = (a: BillingAccount): SubscriptionResponse => ({
  org_id: a.clientId,
  plan_name: a.planName,
  status: 'active',
  monthly_quota_credits: toCredits(a.monthlyQuota),
  current_period_start: unixSeconds(a.periodStart),
  current_period_end: unixSeconds(a.periodEnd),
});

const transactionOf = (r: LedgerRow): CreditTransaction => ({
  id: String(r.id),
  kind: r.kind as CreditTransaction['kind'],
  amount: toCredits(r.amount),
  balance_after: toCredits(r.balanceAfter),
  model: r.model,
  run_id: r.runId,
  estimated: r.estimated,
  note: r.note,
  created_at: unixSeconds(r.createdAt),
});

/** The routes of spec §12: a client's plan, balance and ledger for its members; grants and plans for instance admins. */
@Injectable()
export class BillingService {
  constructor(
    private readonly gate: CreditGate,
    private readonly repository: BillingRepository,
    private readonly clients: ClientsService,
    private readonly agents: AgentsService,
    private readonly audit: AuditLog,
  ) {}

  /** BILLING_MODE=off: the routes do not exist (spec §12). */
  private assertOn(): void {
    if (!this.gate.enabled) throw new ApiError('ROUTE_NOT_FOUND');
  }

  private async memberAccount(userId: string, clientId: string): Promise<BillingAccount> {
    this.assertOn();
    await this.clients.assertMember(userId, clientId);
    // Pending debits first, so the figures include every call that has finished.
    await this.gate.flush();
    return this.repository.account(clientId, this.gate.defaults);
  }

  async subscription(userId: string, clientId: string): Promise<SubscriptionResponse> {
    return subscriptionOf(await this.memberAccount(userId, clientId));
  }

  async credits(userId: string, clientId: string): Promise<CreditsResponse> {
    const a = await this.memberAccount(userId, clientId);
    return {
      org_id: clientId,
      quota_remaining: toCredits(a.quotaRemaining),
      topup_balance: toCredits(a.topupBalance),
      total: toCredits(a.quotaRemaining + a.topupBalance),
      current_period_end: unixSeconds(a.periodEnd),
    };
  }

  async transactions(userId: string, clientId: string, query: TransactionsQuery): Promise<TransactionListResponse> {
    await this.memberAccount(userId, clientId);
    const rows = await this.repository.transactions(clientId, query.limit, query.before === undefined ? undefined : BigInt(query.before));
    const page = rows.slice(0, query.limit);
    return { data: page.map(transactionOf), next_before: rows.length > query.limit ? String(page.at(-1)!.id) : null };
  }

  /** What calls cost per UTC day of the range, every day listed (zeros too) so a chart needs no gap filling. */
  async daily(userId: string, clientId: string, query: CreditsDailyQuery): Promise<CreditsDailyResponse> {
    this.assertOn();
    const range = dayRange(query.from, query.to);
    await this.clients.assertMember(userId, clientId);
    await this.gate.flush();
    const spent = await this.repository.spentPerDay(clientId, range.from, range.to);
    const daily = range.days.map((date) => ({ date, spent: toCredits(spent.get(date) ?? 0n) }));
    return { org_id: clientId, daily, total_spent: toCredits([...spent.values()].reduce((a, b) => a + b, 0n)) };
  }

  async grant(userId: string, clientId: string, body: GrantCreditsRequest, idempotencyKey: string | null, origin: RequestOrigin): Promise<CreditTransaction> {
    await this.assertAdminOf(userId, clientId);
    const outcome = await this.repository.grant(clientId, BigInt(toMicro(body.amount)), body.note ?? null, userId, this.gate.defaults, idempotencyKey);
    if (outcome.kind === 'conflict') throw new ApiError('IDEMPOTENCY_KEY_REUSED');
    if (outcome.kind === 'written') {
      await this.gate.dropBalance(clientId, outcome.row.id);
      this.audit.record({ action: 'credits.granted', actorId: userId, clientId, targetType: 'client', targetId: clientId, ...origin });
    }
    return transactionOf(outcome.row);
  }

  async setPlan(userId: string, clientId: string, body: SetPlanRequest, origin: RequestOrigin): Promise<SubscriptionResponse> {
    await this.assertAdminOf(userId, clientId);
    const { account: a, version } = await this.repository.setPlan(clientId, body.plan_name, BigInt(toMicro(body.monthly_quota_credits)), userId, this.gate.defaults);
    await this.gate.dropBalance(clientId, version);
    this.audit.record({ action: 'plan.changed', actorId: userId, clientId, targetType: 'client', targetId: clientId, ...origin });
    return subscriptionOf(a);
  }

  private async assertAdminOf(userId: string, clientId: string): Promise<void> {
    this.assertOn();
    await this.agents.assertAdmin(userId);
    if (!(await this.clients.standing(userId, clientId)).exists) throw new ApiError('NOT_FOUND');
  }
}
