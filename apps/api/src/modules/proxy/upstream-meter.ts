import { Injectable } from '@nestjs/common';
import type { Principal } from '../../common/principal.js';
import { MetricsService } from '../../metrics/metrics.service.js';
import { CreditGate, type CreditHold } from '../billing/credit-gate.js';
import { UsageRecorder, type MeteredCall } from '../usage/usage-recorder.js';

/** One upstream call as both meters see it: the upstream it went to, and why it failed (null: it did not). */
export interface UpstreamCallOutcome extends MeteredCall {
  provider: string;
  errorType: string | null;
  /** The call's credit hold (BILLING_MODE=credits), settled here to the call's real cost. */
  hold?: CreditHold | null;
}

/** nginx's "client closed request": a call whose client left is still billed (spec §12). */
const CLIENT_CLOSED = 499;

/**
 * Every upstream call, chat proxy and run loop alike, is metered here once: usage (the
 * per-token, per-client record the ledger and GET /usage read) and the GenAI metrics.
 */
@Injectable()
export class UpstreamMeter {
  constructor(
    private readonly usage: UsageRecorder,
    private readonly metrics: MetricsService,
    private readonly credits: CreditGate,
  ) {}

  /** Whether calls are priced (BILLING_MODE=credits): only then does a call take a hold first. */
  get billing(): boolean {
    return this.credits.enabled;
  }

  /**
   * The call's hold, taken before it is made (spec §12); throws INSUFFICIENT_CREDITS, after
   * recording the refused call in usage with status 402 (so it shows in the usage error count).
   */
  hold(principal: Principal, model: string, requestBytes: number, maxOutputTokens: number | undefined, call: { projectId?: string | null; runId?: string | null } = {}): CreditHold | Promise<CreditHold> {
    const held = this.credits.hold(principal, model, requestBytes, maxOutputTokens);
    // A hold from this instance's lease is answered at once (CreditGate.hold); only a hold decided elsewhere can be refused.
    if (!(held instanceof Promise)) return held;
    return held.catch((error: unknown) => {
      this.usage.recordCall(principal, { model, status: 402, tokens: null, latencyMs: 0, ...call });
      throw error;
    });
  }

  record(principal: Principal, call: UpstreamCallOutcome): void {
    if (call.hold) {
      // Answered (any status), or left by its client mid-call: billed, by its usage or else its hold.
      const billable = call.status < 400 || call.status === CLIENT_CLOSED;
      this.credits.settle(call.hold, billable ? call.tokens : null, billable, call.runId ?? null);
    }
    this.metrics.upstreamCall({
      provider: call.provider,
      model: call.model,
      errorType: call.errorType,
      seconds: call.latencyMs / 1000,
      inputTokens: call.tokens?.promptTokens,
      outputTokens: call.tokens?.completionTokens,
    });
    this.usage.recordCall(principal, call);
  }
}
