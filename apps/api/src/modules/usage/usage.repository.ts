import { PrismaService } from '@aius/db';
import { Injectable } from '@nestjs/common';

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
  /** The run an upstream call of the run loop belongs to. */
  runId?: string | null;
}

/** A range's counters, summed per day (`model` null) or per model (`day` null); see totalsByDayAndModel. */
export interface UsageTotalsRow {
  day: string | null;
  model: string | null;
  requests: number;
  /** Calls answered with a status of 400 or more. */
  errors: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

const COUNTERS = ['requests', 'errors', 'prompt_tokens', 'completion_tokens', 'total_tokens', 'latency_ms_sum'];
const ADD_COUNTERS = COUNTERS.map((c) => `${c} = d.${c} + EXCLUDED.${c}`).join(', ');
const SUM_COUNTERS = "count(*), count(*) FILTER (WHERE s >= 400), sum(pt), sum(ct), sum(tt), sum(l)";
// One statement per batch (see appendBatch): the events, and the same rows grouped onto both rollups.
const APPEND_BATCH = `WITH batch AS (
     SELECT b.*, (b.at AT TIME ZONE 'UTC')::date AS day FROM (
       SELECT "tokenId" AS t, "userId" AS u, "clientId" AS c, "projectId" AS p, model AS m, "promptTokens" AS pt,
              "completionTokens" AS ct, "totalTokens" AS tt, "latencyMs" AS l, status AS s, to_timestamp(at / 1000.0) AS at, "runId" AS r
       FROM jsonb_to_recordset($1::jsonb) AS e("tokenId" int, "userId" text, "clientId" text, "projectId" text, model text,
         "promptTokens" int, "completionTokens" int, "totalTokens" int, "latencyMs" int, status int, at bigint, "runId" text)) b
   ), events AS (
     INSERT INTO usage_events (token_id, user_id, client_id, project_id, model,
                               prompt_tokens, completion_tokens, total_tokens, latency_ms, status, created_at, run_id)
     SELECT t, u, c, p, m, pt, ct, tt, l, s, at, r FROM batch
   ), daily AS (
     INSERT INTO usage_daily AS d (client_id, day, project_id, token_id, model, ${COUNTERS.join(', ')})
     SELECT c, day, coalesce(p, ''), t, m, ${SUM_COUNTERS}
     FROM batch GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
     ON CONFLICT (client_id, day, project_id, token_id, model) DO UPDATE SET ${ADD_COUNTERS}
   )
   INSERT INTO usage_client_daily AS d (client_id, day, model, ${COUNTERS.join(', ')})
   SELECT c, day, m, ${SUM_COUNTERS}
   FROM batch GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
   ON CONFLICT (client_id, day, model) DO UPDATE SET ${ADD_COUNTERS}`;

/** day, model, requests, errors, prompt, completion and total tokens (see totalsByDayAndModel). */
type TotalsRow = [string | null, string | null, string, string, string, string, string];
const SUMS = 'sum(requests)::bigint, sum(errors)::bigint, sum(prompt_tokens)::bigint, sum(completion_tokens)::bigint, sum(total_tokens)::bigint';
// Summed in Postgres per day and per model (GROUPING SETS), not sent as one row per day and model: a
// 90-day range of 6 models is 96 rows instead of 540, and each row node-postgres parses is a dozen
// short-lived objects (measured: 4x fewer young-generation collections per call in the API).
const CLIENT_TOTALS = `SELECT to_char(day, 'YYYY-MM-DD'), model, ${SUMS}
  FROM usage_client_daily
  WHERE client_id = $1 AND day BETWEEN $2::date AND $3::date
  GROUP BY GROUPING SETS ((day), (model))`;
// A project's rows are per token too (usage_daily): the same sums over that project's rows.
const PROJECT_TOTALS = `SELECT to_char(day, 'YYYY-MM-DD'), model, ${SUMS}
  FROM usage_daily
  WHERE client_id = $1 AND day BETWEEN $2::date AND $3::date AND project_id = $4
  GROUP BY GROUPING SETS ((day), (model))`;

/**
 * The only file that touches `usage_events`, `usage_daily` and `usage_client_daily`, apart from
 * the retention purge's batched DELETE of old events (ExpiredRowsPurge, started by UsageRecorder).
 *
 * A batch is written by ONE statement, so it is one transaction: the events go in through a
 * data-modifying CTE, and the same rows, grouped, are added onto both rollups (per client,
 * day, project, token and model; and per client, day and model). Rows are upserted in key
 * order so two instances flushing at once lock them in the same order and cannot deadlock.
 */
@Injectable()
export class UsageRepository {
  constructor(private readonly prisma: PrismaService) {}

  async appendBatch(events: readonly UsageEvent[]): Promise<void> {
    // The events go as they are buffered (their own field names, times as epoch ms read by
    // to_timestamp, exact to the ms): no second object and Date/ISO string per event (1,000 per batch).
    // Straight to node-postgres as a prepared statement, not Prisma's raw-query path: at a few
    // thousand proxy calls a second Prisma's wasm query compiler handled every flush's statement
    // and copied its JSON parameter (a thousand events, ~150 KB) in and out of wasm memory: 6 % of
    // the chat proxy's CPU under saturation (`profile --scenario chat`), for one INSERT.
    await this.prisma.pool.query({ name: 'usage.append-batch', text: APPEND_BATCH, values: [JSON.stringify(events)] });
  }

  /**
   * A range's counters per day and per model, from the rollups only: the client-wide one, or the
   * finer one for a project filter (that project's rows only). Days without traffic have no row.
   * GET /usage is read on every dashboard view, so this goes to node-postgres directly as a
   * prepared statement (parsed and planned once per connection), skipping Prisma's query layer,
   * whose raw-query path compiled the statement and converted every value on every call.
   */
  async totalsByDayAndModel(clientId: string, from: string, to: string, projectId?: string): Promise<UsageTotalsRow[]> {
    const { rows } = await this.prisma.pool.query<TotalsRow>(
      projectId === undefined
        ? { name: 'usage.client-totals', text: CLIENT_TOTALS, values: [clientId, from, to], rowMode: 'array' }
        : { name: 'usage.project-totals', text: PROJECT_TOTALS, values: [clientId, from, to, projectId], rowMode: 'array' },
    );
    // int8 sums arrive as decimal strings (node-postgres keeps them exact); a range's counter fits a double.
    const totals = rows.map(([day, model, requests, errors, prompt, completion, total]) => ({
      day,
      model,
      requests: Number(requests),
      errors: Number(errors),
      promptTokens: Number(prompt),
      completionTokens: Number(completion),
      totalTokens: Number(total),
    }));
    // Emptied once read: otherwise the finished query's rows outlived the request through two
    // young-generation collections and were promoted to the old generation (~1.2 MB per collection,
    // ~25 KB a call; each collection 4-6 ms on the pinned core, and full collections to clear them).
    // What keeps the result reachable that long was not pinned down: node-postgres's query_timeout
    // callback is one link (a node-postgres-only loop promotes with it, not without), but the API
    // without query_timeout still promoted 0.86 MB per collection. Emptying the array cuts the rows
    // loose whatever holds the result: ~0.1 MB per collection. See README, GET /usage.
    rows.length = 0;
    return totals;
  }
}
