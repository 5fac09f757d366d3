import pg from 'pg';

export interface UsageSeed {
  /** The client GET /usage is timed for; it gets most of the events. */
  clientId: string;
  userId: string;
  tokenId: number;
  events: number;
  /** Events are spread over this many days ending today (UTC). */
  days: number;
}

/**
 * Seeds `usage_events` with set-based SQL (generate_series, no per-row round trips) and
 * derives both rollups (`usage_daily`, `usage_client_daily`) from exactly those rows, the way the recorder's flush would have.
 * 80 % of the events belong to `clientId`, spread over 12 tokens, 6 models, 3 projects (and
 * none); the rest over 7 other clients, so the index has neighbours to skip.
 */
export async function seedUsage(databaseUrl: string, seed: UsageSeed): Promise<{ seconds: number; dailyRows: number }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const started = performance.now();
  try {
    await client.query('BEGIN');
    await client.query('SELECT setseed(0.42)'); // the same data every run
    await client.query(
      `INSERT INTO usage_events (token_id, user_id, client_id, project_id, model, prompt_tokens, completion_tokens,
                                 total_tokens, latency_ms, status, created_at)
       SELECT CASE WHEN tok = 0 THEN $3 ELSE 1000000 + tok END,
              $2,
              CASE WHEN cli < 8 THEN $1 ELSE 'client_bench_other_' || cli END,
              CASE WHEN proj = 0 THEN NULL ELSE 'proj_bench_' || proj END,
              'model-' || mdl,
              p, c, p + c,
              40 + (random() * 400)::int,
              CASE WHEN random() < 0.02 THEN 500 ELSE 200 END,
              now() - make_interval(secs => random() * $5 * 86400)
       FROM generate_series(1, $4::int) AS i,
            LATERAL (SELECT floor(random() * 12)::int AS tok, floor(random() * 10)::int AS cli, floor(random() * 4)::int AS proj,
                            floor(random() * 6)::int AS mdl, 10 + (random() * 900)::int AS p, 5 + (random() * 400)::int AS c
                     WHERE i > 0) AS r`,
      [seed.clientId, seed.userId, seed.tokenId, seed.events, seed.days],
    );
    const daily = await client.query(
      `INSERT INTO usage_daily AS d (client_id, day, project_id, token_id, model, requests, errors,
                                     prompt_tokens, completion_tokens, total_tokens, latency_ms_sum)
       SELECT client_id, (created_at AT TIME ZONE 'UTC')::date, coalesce(project_id, ''), token_id, model,
              count(*), count(*) FILTER (WHERE status >= 400), sum(prompt_tokens), sum(completion_tokens),
              sum(total_tokens), sum(latency_ms)
       FROM usage_events GROUP BY 1, 2, 3, 4, 5
       ON CONFLICT (client_id, day, project_id, token_id, model) DO UPDATE SET
         requests = EXCLUDED.requests, errors = EXCLUDED.errors, prompt_tokens = EXCLUDED.prompt_tokens,
         completion_tokens = EXCLUDED.completion_tokens, total_tokens = EXCLUDED.total_tokens,
         latency_ms_sum = EXCLUDED.latency_ms_sum`,
    );
    await client.query(
      `INSERT INTO usage_client_daily AS d (client_id, day, model, requests, errors, prompt_tokens, completion_tokens,
                                            total_tokens, latency_ms_sum)
       SELECT client_id, day, model, sum(requests), sum(errors), sum(prompt_tokens), sum(completion_tokens),
              sum(total_tokens), sum(latency_ms_sum)
       FROM usage_daily GROUP BY 1, 2, 3
       ON CONFLICT (client_id, day, model) DO UPDATE SET
         requests = EXCLUDED.requests, errors = EXCLUDED.errors, prompt_tokens = EXCLUDED.prompt_tokens,
         completion_tokens = EXCLUDED.completion_tokens, total_tokens = EXCLUDED.total_tokens,
         latency_ms_sum = EXCLUDED.latency_ms_sum`,
    );
    await client.query('COMMIT');
    // Fresh statistics and visibility map, as autovacuum would leave them on a live system.
    await client.query('VACUUM ANALYZE usage_events');
    await client.query('VACUUM ANALYZE usage_daily');
    await client.query('VACUUM ANALYZE usage_client_daily');
    return { seconds: (performance.now() - started) / 1000, dailyRows: daily.rowCount ?? 0 };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}
