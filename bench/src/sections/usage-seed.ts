import { spawn } from 'node:child_process';
import pg from 'pg';

export interface UsageSeed {
  /** The client GET /usage is timed for; it gets 80 % of the events. */
  clientId: string;
  userId: string;
  tokenId: number;
  events: number;
  /** Events are spread over this many days ending now. */
  days: number;
}

/** Column i of event n, in [0, mod): deterministic, so every run seeds the same data. */
const pick = (salt: number, mod: number) => `(abs(hashint4(n + ${salt * 1_000_003})) % ${mod})`;

/**
 * Seeds `usage_events` with COPY (Postgres's bulk load, no per-row statements): psql's
 * `COPY (SELECT … generate_series …) TO STDOUT` generates the rows and a second psql's
 * `COPY usage_events FROM STDIN` loads them, through a pipe. Then both rollups (`usage_daily`,
 * `usage_client_daily`) are derived from exactly those rows, the way the recorder's flush would
 * have, and the tables are vacuumed and analysed as autovacuum would leave them on a live system.
 * 80 % of the events belong to `clientId`, spread over 12 tokens, 6 models, 3 projects (and
 * none); the rest over 2 other clients, so the indexes have neighbours to skip.
 */
export async function seedUsage(databaseUrl: string, seed: UsageSeed): Promise<{ seconds: number; dailyRows: number }> {
  const started = performance.now();
  // The events' secondary indexes are dropped for the load and built again after it: 10 M rows
  // with random timestamps inserted into three B-trees one by one took 548 s on a quiet machine,
  // most of it in index maintenance; a bulk build sorts once. The indexes end up the same.
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const indexes = (
    await client.query<{ name: string; def: string }>(
      `SELECT i.indexname AS name, i.indexdef AS def FROM pg_indexes i
       JOIN pg_class c ON c.relname = i.indexname JOIN pg_index x ON x.indexrelid = c.oid
       WHERE i.tablename = 'usage_events' AND NOT x.indisprimary`,
    )
  ).rows;
  for (const i of indexes) await client.query(`DROP INDEX "${i.name}"`);
  const q = (s: string) => `'${s.replaceAll("'", "''")}'`;
  const generate = `COPY (
    SELECT CASE WHEN ${pick(1, 12)} = 0 THEN ${seed.tokenId} ELSE 1000000 + ${pick(1, 12)} END,
           ${q(seed.userId)},
           CASE WHEN ${pick(2, 10)} < 8 THEN ${q(seed.clientId)} ELSE 'client_bench_other_' || ${pick(2, 10)} END,
           CASE WHEN ${pick(3, 4)} = 0 THEN NULL ELSE 'proj_bench_' || ${pick(3, 4)} END,
           'model-' || ${pick(4, 6)},
           10 + ${pick(5, 900)}, 5 + ${pick(6, 400)}, 15 + ${pick(5, 900)} + ${pick(6, 400)},
           40 + ${pick(7, 400)},
           CASE WHEN ${pick(8, 50)} = 0 THEN 500 ELSE 200 END,
           now() - make_interval(secs => ${pick(9, seed.days * 86_400)})
    FROM generate_series(1, ${Math.trunc(seed.events)}) AS n) TO STDOUT`;
  const load = `COPY usage_events (token_id, user_id, client_id, project_id, model, prompt_tokens, completion_tokens,
                                   total_tokens, latency_ms, status, created_at) FROM STDIN`;
  try {
    await new Promise<void>((resolve, reject) => {
      const script = 'psql -X -q -v ON_ERROR_STOP=1 "$1" -c "$2" | psql -X -q -v ON_ERROR_STOP=1 "$1" -c "$3"; s=("${PIPESTATUS[@]}"); [ "${s[0]}" = 0 ] && [ "${s[1]}" = 0 ]';
      const child = spawn('bash', ['-c', script, 'seed', databaseUrl, generate, load], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
      child.once('error', reject);
      child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`seeding usage_events with COPY failed (exit ${code}): ${stderr}`))));
    });

    await client.query(`SET maintenance_work_mem = '512MB'`);
    for (const i of indexes) await client.query(i.def);
    await client.query('BEGIN');
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
    await client.query('VACUUM ANALYZE usage_events');
    await client.query('VACUUM ANALYZE usage_daily');
    await client.query('VACUUM ANALYZE usage_client_daily');
    // What the load wrote is flushed now, not by the checkpointer while GET /usage is being timed.
    await client.query('CHECKPOINT');
    return { seconds: (performance.now() - started) / 1000, dailyRows: daily.rowCount ?? 0 };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}
