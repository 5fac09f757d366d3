import pg from 'pg';
import type { Section } from '../context.js';
import { below } from '../figures.js';
import { num, table } from '../report.js';
import { mintAiusToken } from './aius.js';
import { seedUsage } from './usage-seed.js';

const DAY_MS = 86_400_000;
const DAYS = 90;
/** Sequential GET /usage calls timed per run (enough for a p99 that is not the second-slowest call). */
const USAGE_CALLS = 1000;

/**
 * `GET /usage` for 90 days (`--only usage`), on AIUS instances of their own whose databases were
 * seeded with BENCH_USAGE_EVENTS (1 000 000) and BENCH_USAGE_EVENTS_LARGE (10 000 000; 0 leaves
 * it out) usage events: the read must not grow with the events (it reads the daily rollups).
 */
export const usageSection: Section = {
  name: 'usage',
  async setup(ctx) {
    const sizes = [Number(process.env.BENCH_USAGE_EVENTS ?? 1_000_000), Number(process.env.BENCH_USAGE_EVENTS_LARGE ?? 10_000_000)].filter((n) => n > 0);
    const seeded: { events: number; url: string; auth: Record<string, string>; seedSeconds: number; dailyRows: number; databaseUrl: string; clientId: string; from: string; to: string }[] = [];
    for (const events of sizes) {
      const aius = await ctx.startAius();
      const token = await mintAiusToken(aius.base);
      const auth = { authorization: `Bearer ${token}` };
      const clients = (await (await fetch(`${aius.base}/clients`, { headers: auth })).json()) as { data: { id: string }[] };
      const clientId = clients.data[0]!.id;
      ctx.log(`seeding ${num(events)} usage events with COPY, and their rollups`);
      const seed = await seedUsage(aius.databaseUrl, { clientId, userId: 'usr_bench', tokenId: 1, events, days: DAYS });
      const to = new Date();
      const from = new Date(to.getTime() - (DAYS - 1) * DAY_MS);
      const url = `${aius.base}/usage?org_id=${clientId}&from=${from.toISOString().slice(0, 10)}&to=${to.toISOString().slice(0, 10)}`;
      const first = (await (await fetch(url, { headers: auth })).json()) as { totals: { requests: number }; daily: unknown[] };
      if (first.daily.length !== DAYS || first.totals.requests < events / 2) throw new Error(`GET /usage answered unexpectedly: ${JSON.stringify(first.totals)}`);
      seeded.push({ events, url, auth, seedSeconds: seed.seconds, dailyRows: seed.dailyRows, databaseUrl: aius.databaseUrl, clientId, from: from.toISOString().slice(0, 10), to: to.toISOString().slice(0, 10) });
    }
    return async () => {
      const rows: string[][] = [];
      for (const s of seeded) {
        ctx.log(`timing ${USAGE_CALLS} sequential GET /usage over ${num(s.events)} events`);
        const times: number[] = [];
        for (let i = 0; i < USAGE_CALLS; i++) {
          const started = performance.now();
          const res = await fetch(s.url, { headers: s.auth });
          await res.arrayBuffer();
          if (res.status !== 200) throw new Error(`GET /usage answered ${res.status}`);
          times.push(performance.now() - started);
        }
        times.sort((a, b) => a - b);
        const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
        // Where the time goes: the rollup read alone, straight on Postgres (the repository's SQL).
        const sql = await timeRollupQuery(s.databaseUrl, s.clientId, s.from, s.to);
        const label = `${num(s.events / 1e6, s.events < 1e6 ? 2 : 0)} M events`;
        ctx.figure(`usage: GET /usage p50, ${label}`, at(0.5), ' ms');
        ctx.figure(`usage: GET /usage p99, ${label}`, at(0.99), ' ms', below(15, '< 15 ms'));
        ctx.figure(`usage: the rollup query alone on Postgres, p99, ${label}`, sql.p99, ' ms');
        rows.push([
          `${num(s.events)} events (${num(s.dailyRows)} usage_daily rows, seeded in ${num(s.seedSeconds, 1)} s)`,
          num(at(0.5), 2),
          num(at(0.99), 2),
          num(times.at(-1)!, 2),
          `${num(sql.p50, 2)} · ${num(sql.p99, 2)}`,
        ]);
      }
      console.log(`\n### \`GET /usage\`, ${DAYS} days, ${USAGE_CALLS} sequential calls (target p99 < 15 ms)\n\n${table(['seeded', 'p50 ms', 'p99 ms', 'max ms', 'rollup query alone on Postgres, p50 · p99 ms'], rows)}`);
    };
  },
};

/** The repository's client-wide rollup read (UsageRepository.totalsByDayAndModel: a prepared statement), timed USAGE_CALLS times on one connection. */
async function timeRollupQuery(databaseUrl: string, clientId: string, from: string, to: string): Promise<{ p50: number; p99: number }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const times: number[] = [];
    for (let i = 0; i < USAGE_CALLS; i++) {
      const started = performance.now();
      await client.query({
        name: 'usage.client-totals',
        text: `SELECT to_char(day, 'YYYY-MM-DD'), model, sum(requests)::bigint, sum(errors)::bigint, sum(prompt_tokens)::bigint,
                      sum(completion_tokens)::bigint, sum(total_tokens)::bigint
          FROM usage_client_daily
          WHERE client_id = $1 AND day BETWEEN $2::date AND $3::date
          GROUP BY GROUPING SETS ((day), (model))`,
        values: [clientId, from, to],
        rowMode: 'array',
      });
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    return { p50: times[Math.floor(0.5 * times.length)]!, p99: times[Math.floor(0.99 * times.length)]! };
  } finally {
    await client.end();
  }
}
