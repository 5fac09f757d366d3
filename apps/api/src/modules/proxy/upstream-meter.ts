import { Injectable } from '@nestjs/common';
import type { Principal } from '../../common/principal.js';
import { MetricsService } from '../../metrics/metrics.service.js';
import { UsageRecorder, type MeteredCall } from '../usage/usage-recorder.js';

/** One upstream call as both meters see it: the upstream it went to, and why it failed (null: it did not). */
export interface UpstreamCallOutcome extends MeteredCall {
  provider: string;
  errorType: string | null;
}

/**
 * Every upstream call, chat proxy and run loop alike, is metered here once: usage (the
 * per-token, per-client record the ledger and GET /usage read) and the GenAI metrics.
 */
@Injectable()
export class UpstreamMeter {
  constructor(
    private readonly usage: UsageRecorder,
    private readonly metrics: MetricsService,
  ) {}

  record(principal: Principal, call: UpstreamCallOutcome): void {
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
