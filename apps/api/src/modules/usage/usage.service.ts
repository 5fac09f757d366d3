import { Injectable } from '@nestjs/common';
import type { UsageQuery, UsageResponse } from '@aius/contracts';
import { ClientsService } from '../clients/clients.service.js';
import { dayRange } from './usage-range.js';
import { UsageRepository } from './usage.repository.js';

type Counts = UsageResponse['totals'];
const zero = (): Counts => ({ requests: 0, failed_requests: 0, prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });

@Injectable()
export class UsageService {
  constructor(
    private readonly clients: ClientsService,
    private readonly repository: UsageRepository,
  ) {}

  /**
   * Totals, one entry per day of the range (days without traffic are zeros, so a chart
   * needs no gap filling) and per-model totals, largest first. Members of the client only.
   */
  async usage(userId: string, query: UsageQuery): Promise<UsageResponse> {
    const range = dayRange(query.from, query.to);
    await this.clients.assertMember(userId, query.org_id);
    const rows = await this.repository.totalsByDayAndModel(query.org_id, range.from, range.to, query.project_id);

    const totals = zero();
    const perDay = new Map(range.days.map((date) => [date, { date, requests: 0, failed_requests: 0, total_tokens: 0 }]));
    const perModel: UsageResponse['by_model'] = [];
    for (const r of rows) {
      if (r.model !== null) {
        // Every counted call has a model, so the per-model rows add up to the range's totals.
        perModel.push({ model: r.model, requests: r.requests, failed_requests: r.errors, prompt_tokens: r.promptTokens, completion_tokens: r.completionTokens, total_tokens: r.totalTokens });
        totals.requests += r.requests;
        totals.failed_requests += r.errors;
        totals.prompt_tokens += r.promptTokens;
        totals.completion_tokens += r.completionTokens;
        totals.total_tokens += r.totalTokens;
        continue;
      }
      const day = r.day === null ? undefined : perDay.get(r.day);
      if (day) {
        day.requests = r.requests;
        day.failed_requests = r.errors;
        day.total_tokens = r.totalTokens;
      }
    }
    return {
      totals,
      daily: [...perDay.values()],
      by_model: perModel.sort((a, b) => b.total_tokens - a.total_tokens || b.requests - a.requests || a.model.localeCompare(b.model)),
    };
  }
}
