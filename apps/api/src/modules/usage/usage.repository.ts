import { Injectable } from '@nestjs/common';
import { PrismaService } from '../../database/prisma.service.js';

/** One authenticated proxy call, as the usage recorder buffers it. */
export interface UsageEvent {
  tokenId: number;
  userId: string;
  clientId: string;
  projectId: string | null;
  model: string;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  latencyMs: number;
  status: number;
  /** Unix milliseconds. */
  at: number;
}

export interface DailyModelRow {
  day: string;
  model: string;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

/**
 * The only file that touches `usage_events` and `usage_daily`.
 *
 * A batch is written by ONE statement, so it is one transaction: the events go in through a
 * data-modifying CTE and the same rows, grouped per (client, day, project, token, model), are
 * added onto the daily rollups. Rows are upserted in key order so two instances flushing at
 * once take row locks in the same order and cannot deadlock each other.
 */
@Injectable()
export class UsageRepository {
  constructor(private readonly prisma: PrismaService) {}

  async appendBatch(events: readonly UsageEvent[]): Promise<void> {
    const rows = events.map((e) => ({
      t: e.tokenId,
      u: e.userId,
      c: e.clientId,
      p: e.projectId,
      m: e.model,
      pt: e.promptTokens,
      ct: e.completionTokens,
      tt: e.totalTokens,
      l: e.latencyMs,
      s: e.status,
      at: new Date(e.at).toISOString(),
    }));
    await this.prisma.$executeRawUnsafe(
      `WITH batch AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb)
           AS b(t int, u text, c text, p text, m text, pt int, ct int, tt int, l int, s int, at timestamptz)
       ), events AS (
         INSERT INTO usage_events (token_id, user_id, client_id, project_id, model,
                                   prompt_tokens, completion_tokens, total_tokens, latency_ms, status, created_at)
         SELECT t, u, c, p, m, pt, ct, tt, l, s, at FROM batch
       )
       INSERT INTO usage_daily AS d (client_id, day, project_id, token_id, model, requests, errors,
                                     prompt_tokens, completion_tokens, total_tokens, latency_ms_sum)
       SELECT c, (at AT TIME ZONE 'UTC')::date, coalesce(p, ''), t, m, count(*), count(*) FILTER (WHERE s >= 400),
              sum(pt), sum(ct), sum(tt), sum(l)
       FROM batch
       GROUP BY 1, 2, 3, 4, 5
       ORDER BY 1, 2, 3, 4, 5
       ON CONFLICT (client_id, day, project_id, token_id, model) DO UPDATE SET
         requests = d.requests + EXCLUDED.requests,
         errors = d.errors + EXCLUDED.errors,
         prompt_tokens = d.prompt_tokens + EXCLUDED.prompt_tokens,
         completion_tokens = d.completion_tokens + EXCLUDED.completion_tokens,
         total_tokens = d.total_tokens + EXCLUDED.total_tokens,
         latency_ms_sum = d.latency_ms_sum + EXCLUDED.latency_ms_sum`,
      JSON.stringify(rows),
    );
  }

  /** Per day and model, from the rollups only: the cost grows with days, not requests. */
  async dailyByModel(clientId: string, from: string, to: string, projectId?: string): Promise<DailyModelRow[]> {
    const rows = await this.prisma.$queryRawUnsafe<
      { day: string; model: string; requests: bigint; prompt: bigint; completion: bigint; total: bigint }[]
    >(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, model,
              sum(requests)::bigint AS requests, sum(prompt_tokens)::bigint AS prompt,
              sum(completion_tokens)::bigint AS completion, sum(total_tokens)::bigint AS total
       FROM usage_daily
       WHERE client_id = $1 AND day BETWEEN $2::date AND $3::date ${projectId === undefined ? '' : 'AND project_id = $4'}
       GROUP BY day, model
       ORDER BY day, model`,
      ...(projectId === undefined ? [clientId, from, to] : [clientId, from, to, projectId]),
    );
    return rows.map((r) => ({
      day: r.day,
      model: r.model,
      requests: Number(r.requests),
      promptTokens: Number(r.prompt),
      completionTokens: Number(r.completion),
      totalTokens: Number(r.total),
    }));
  }
}
