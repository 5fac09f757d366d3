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
    const rows = await this.repository.dailyByModel(query.org_id, range.from, range.to, query.project_id);

    const totals = zero();
    const perDay = new Map(range.days.map((date) => [date, { date, requests: 0, failed_requests: 0, total_tokens: 0 }]));
    const perModel = new Map<string, Counts>();
    for (const r of rows) {
      const model = perModel.get(r.model) ?? perModel.set(r.model, zero()).get(r.model)!;
      for (const c of [totals, model]) {
        c.requests += r.requests;
        c.failed_requests += r.errors;
        c.prompt_tokens += r.promptTokens;
        c.completion_tokens += r.completionTokens;
        c.total_tokens += r.totalTokens;
      }
      const day = perDay.get(r.day);
      if (day) {
        day.requests += r.requests;
        day.failed_requests += r.errors;
        day.total_tokens += r.totalTokens;
      }
    }
    return {
      totals,
      daily: [...perDay.values()],
      by_model: [...perModel]
        .map(([model, c]) => ({ model, ...c }))
        .sort((a, b) => b.total_tokens - a.total_tokens || b.requests - a.requests || a.model.localeCompare(b.model)),
    };
  }
}
