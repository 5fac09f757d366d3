import { isIP } from 'node:net';
import { z } from 'zod';
import { BILLING_MODES } from '@aius/contracts';

/**
 * Every setting AIUS reads, parsed once at boot. Nothing else reads process.env:
 * the parsed object is injected (APP_CONFIG) wherever a setting is needed.
 */
const int = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce
    .number({ error: `must be an integer between ${min} and ${max}` })
    .int({ error: `must be an integer between ${min} and ${max}` })
    .min(min, { error: `must be an integer between ${min} and ${max}` })
    .max(max, { error: `must be an integer between ${min} and ${max}` })
    .default(def);

const url = (protocols: RegExp, what: string) =>
  z.string().refine((v) => {
    try {
      return protocols.test(new URL(v).protocol);
    } catch {
      return false;
    }
  }, `must be a ${what} URL`);

const upstreamSchema = z.strictObject({
  name: z.string().min(1).max(64),
  base_url: url(/^https?:$/, 'http(s)://'),
  api_key: z.string().min(1).optional(),
  models: z.array(z.string().min(1)).default([]),
  prefix: z.string().min(1).optional(),
  /**
   * Ask this upstream for a stream's usage (`stream_options.include_usage`) when the client did
   * not, and drop the usage-only event before relaying (spec §12). Turn off only for a server that
   * refuses the option: its streams are then metered, and billed, by their hold (an estimate).
   */
  stream_usage: z.boolean().default(true),
});
export type UpstreamConfig = z.infer<typeof upstreamSchema>;

/** An entry Fastify's trustProxy (proxy-addr) accepts, checked here so a typo is a config error, not a crash. */
function isProxyAddress(entry: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return true;
  const [address = '', bits, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  const max = family === 4 ? 32 : 128;
  return /^\d+$/.test(bits) ? Number(bits) <= max : family === 4 && isIP(bits) === 4;
}

/** A JSON text parsed into `schema`; `message` names what was expected. */
function jsonText<S extends z.ZodType>(schema: S, message: string) {
  return z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: int(8000, 1, 65535),
  LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug', 'verbose']).default('log'),
  /**
   * How long an idle keep-alive connection is kept open. Above a load balancer's own idle
   * timeout (60 s on AWS ALB and nginx' upstream keepalive default), so the balancer, not
   * AIUS, closes idle connections and never sends a request down one AIUS just closed.
   */
  KEEP_ALIVE_TIMEOUT_SECONDS: int(72, 1),
  /** After SIGTERM, how long /ready answers 503 before the listener closes (a balancer's health-check period). */
  SHUTDOWN_DELAY_MS: int(0),
  /** Then how long in-flight requests and streams may take to finish before they are cut. */
  SHUTDOWN_GRACE_MS: int(25_000),
  /** `json` (one object per line) or `pretty` (human-readable); unset: pretty only in development at a terminal. */
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),

  DATABASE_URL: url(/^postgres(ql)?:$/, 'postgresql://'),
  /** Connection and statement time limit: past it the API answers 503 instead of hanging. */
  DB_TIMEOUT_MS: int(3000, 100, 60_000),
  DB_POOL_SIZE: int(10, 1, 200),
  /** Optional: without it rate limits and caches are per instance (logged at boot). */
  REDIS_URL: url(/^rediss?:$/, 'redis://').optional(),
  /** Namespace for every Redis key and channel, so several deployments can share one Redis. */
  REDIS_PREFIX: z.string().default('aius:'),

  SESSION_SECRET: z.string({ error: 'is required (at least 32 characters)' }).min(32, 'must be at least 32 characters'),
  SESSION_TTL_SECONDS: int(7 * 24 * 3600, 60),
  /** Sessions' last_seen_at (GET /sessions) is written in one batched UPDATE at this interval. */
  SESSION_LAST_SEEN_FLUSH_MS: int(30_000, 50, 600_000),
  /** How often expired sessions and login challenges, and usage events past their retention, are deleted (each table by the module that owns it). */
  EXPIRED_ROWS_PURGE_INTERVAL_SECONDS: int(3600, 1, 86_400),
  /**
   * Days each raw usage event (one row per proxied call) is kept; 0 keeps them forever. The
   * usage endpoint and the dashboard read the daily rollups, which are kept, so this only
   * bounds the raw table.
   */
  USAGE_EVENTS_RETENTION_DAYS: int(90, 0, 36_500),
  /** Days each audit event is kept (spec §13); 0 keeps them forever. A year by default: long enough to answer "who revoked that token last spring". */
  AUDIT_RETENTION_DAYS: int(365, 0, 36_500),
  /** Audit events are buffered in memory and written in one statement per interval (or per AUDIT_FLUSH_BATCH events). */
  AUDIT_FLUSH_INTERVAL_MS: int(1000, 10, 60_000),
  AUDIT_FLUSH_BATCH: int(500, 1, 50_000),
  /** 32-byte key (hex or base64) for TOTP secrets at rest; derived from SESSION_SECRET when unset. */
  TOTP_ENCRYPTION_KEY: z
    .string()
    .refine((v) => /^[0-9a-f]{64}$/i.test(v) || Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, hex or base64')
    .optional(),
  /** The app's own origins: a cookie-authenticated write with any other Origin is refused (CSRF). */
  APP_ORIGINS: z
    .string()
    .default('http://localhost:3000,http://127.0.0.1:3000')
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(url(/^https?:$/, 'http(s)://'))),
  /**
   * Where people reach the dashboard (https://aius.example.com): every link in an email is built
   * from it, never from a request's Host header (a forged Host would send a reset link to an
   * attacker's site). Defaults to the first APP_ORIGINS entry; required once SMTP_URL is set.
   */
  PUBLIC_URL: url(/^https?:$/, 'http(s)://').transform((v) => v.replace(/\/+$/, '')).optional(),

  /** Who may register (spec §13): `open`, `invite` (only through an invitation's link) or `closed`. */
  SIGNUP_MODE: z.enum(['open', 'invite', 'closed']).default('open'),
  /** How long an invitation's link works. */
  INVITATION_TTL_DAYS: int(7, 1, 365),

  // ── Mail (spec §13; modules/mail) ────────────────────────────────────────────
  /** smtp://user:pass@host:587 (STARTTLS when offered) or smtps://…:465; unset: mail is written to the log instead. */
  SMTP_URL: url(/^smtps?:$/, 'smtp:// or smtps://').optional(),
  /** The From of every mail: an address, or `Name <address>`. */
  MAIL_FROM: z.string().min(3).default('AIUS <no-reply@localhost>'),
  /** How often each instance looks for mail due in the outbox (a new mail is also sent at once). */
  MAIL_POLL_INTERVAL_MS: int(5000, 50, 600_000),
  /** First retry after this long; each later one waits twice as long, up to an hour. */
  MAIL_RETRY_BASE_MS: int(30_000, 10, 3_600_000),
  /** Attempts before a mail is given up (marked failed, logged); ~11 h of retries with the defaults. */
  MAIL_MAX_ATTEMPTS: int(15, 1, 1000),

  // ── Rate limits (spec §7; modules/rate-limit) ──────────────────────────────
  /**
   * Peers whose X-Forwarded-For is believed (IPs, CIDRs, or proxy-addr's `loopback`,
   * `linklocal`, `uniquelocal`). The client IP is the socket address, or the last
   * X-Forwarded-For entry not itself a trusted proxy. Loopback: the dashboard's /api proxy.
   */
  TRUSTED_PROXIES: z
    .string()
    .default('127.0.0.1,::1')
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .refine((list) => list.every(isProxyAddress), 'must be a comma-separated list of IP addresses or CIDR ranges'),
  /** Per client IP, GCRA (no double burst at a window edge), shared by all instances through Redis. */
  RATE_LIMIT_DEFAULT_PER_MINUTE: int(600, 1),
  /** register, login, 2fa/login: a stricter per-IP quota of their own. */
  RATE_LIMIT_CREDENTIAL_PER_MINUTE: int(10, 1),
  /** Failed logins per account (by email) per window; past it login answers 429 with Retry-After. */
  RATE_LIMIT_FAILED_LOGINS: int(5, 1),
  RATE_LIMIT_FAILED_LOGIN_WINDOW_SECONDS: int(900, 1),
  /** Chat proxy, per API token, on top of the per-IP limit. */
  RATE_LIMIT_TOKEN_PER_MINUTE: int(1200, 1),
  /**
   * Wrong second-factor codes per account, whatever the route (2fa/login, 2fa/disable,
   * 2fa/recovery-codes), challenge, IP or instance: this many per window, and at most the
   * daily number per 24 h; past either, second-factor attempts answer 429 with Retry-After.
   */
  RATE_LIMIT_2FA_FAILURES: int(10, 1),
  RATE_LIMIT_2FA_WINDOW_SECONDS: int(900, 1),
  RATE_LIMIT_2FA_DAILY_FAILURES: int(30, 1),

  // ── chat proxy (spec §8) ──────────────────────────────────────────────────
  /**
   * OpenAI-compatible upstreams, JSON: [{"name","base_url","api_key"?,"models"?:[…],"prefix"?}].
   * A model is routed to the upstream listing it exactly, else to the upstream whose prefix
   * it starts with (the prefix is stripped before forwarding), else to an upstream with
   * neither (a catch-all). See modules/proxy/upstream-registry.ts.
   */
  UPSTREAMS: z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON list of upstreams' });
        return z.NEVER;
      }
    })
    .pipe(z.array(upstreamSchema, { error: 'must be a JSON list of upstreams' }).min(1, 'must name at least one upstream'))
    .optional(),
  /** Shorthand for one catch-all upstream (used when UPSTREAMS is unset). */
  UPSTREAM_BASE_URL: url(/^https?:$/, 'http(s)://').optional(),
  UPSTREAM_API_KEY: z.string().optional(),
  /** Time to the upstream's response headers, and the longest silence inside a stream. */
  UPSTREAM_TIMEOUT_MS: int(60_000, 100),
  /** Keep-alive connections per upstream. */
  UPSTREAM_CONNECTIONS: int(128, 1, 10_000),
  /** How long a model list fetched from an upstream (one with no `models` configured) is reused. */
  UPSTREAM_MODELS_CACHE_SECONDS: int(300, 0),
  /** Usage events are buffered in memory and written in one transaction per interval or batch. */
  USAGE_FLUSH_INTERVAL_MS: int(1000, 10, 60_000),
  USAGE_FLUSH_BATCH: int(1000, 1, 50_000),

  // ── credits and budgets (spec §12; modules/billing) ─────────────────────────
  /** `off`: nothing priced or enforced, the billing routes answer 404. `credits`: the ledger below. */
  BILLING_MODE: z.enum(BILLING_MODES, { error: 'must be off or credits' }).default('off'),
  /**
   * JSON: model id (as clients name it) → USD per million tokens, `{"input": 2.5, "output": 10}`;
   * `"*"` prices every other model. Required (with `"*"`) when BILLING_MODE=credits, so no model
   * is ever free by omission; price a free model at 0 explicitly.
   */
  MODEL_PRICES: jsonText(
    z.record(z.string().min(1), z.strictObject({ input: z.number().min(0).max(1_000_000), output: z.number().min(0).max(1_000_000) }), {
      error: 'must be a JSON object of model → {"input", "output"} (USD per million tokens)',
    }),
    'must be a JSON object of model → {"input", "output"} (USD per million tokens)',
  ).default({}),
  /** The plan a client starts on the first time it is billed. */
  BILLING_DEFAULT_PLAN: z.string().min(1).max(255).default('free'),
  BILLING_DEFAULT_MONTHLY_QUOTA_CREDITS: z.coerce.number({ error: 'must be a number of credits' }).min(0).max(100_000_000).default(0),
  /** The output tokens a call's hold assumes when it names no `max_tokens`/`max_completion_tokens`. */
  BILLING_HOLD_MAX_OUTPUT_TOKENS: int(4096, 1, 10_000_000),
  /** Longest a cached balance is trusted before it is rebuilt from the ledger (drift cannot outlive it). */
  BILLING_CACHE_TTL_SECONDS: int(300, 1, 86_400),

  // ── API tokens (tokens module) ─────────────────────────────────────────
  // A warm bearer check costs no Postgres round trip: verified tokens are cached in
  // process and each request asks Redis whether the token was revoked (one pipelined
  // EXISTS), so a revocation is refused on the next request on every instance.
  /** Longest a cached token goes without a Postgres re-check, even while Redis answers. */
  TOKEN_CACHE_TTL_SECONDS: int(60, 1, 3600),
  /** While Redis is unreachable a cached token is re-checked in Postgres after this long: the revocation bound then. */
  TOKEN_CACHE_FALLBACK_MS: int(1000, 0, 60_000),
  /** How long an unknown or revoked token is remembered, so a flood of bad bearers costs one lookup each. */
  TOKEN_NEGATIVE_CACHE_TTL_SECONDS: int(300, 1, 86_400),
  /** Entries per cache (valid and invalid kept apart, so junk tokens cannot evict real ones). */
  TOKEN_CACHE_MAX_ENTRIES: int(50_000, 100, 10_000_000),
  /** last_used_at is written in one batched UPDATE at this interval, never per request. */
  TOKEN_LAST_USED_FLUSH_MS: int(5000, 50, 600_000),

  // ── artifacts (spec §11; modules/artifacts) ────────────────────────────────
  /** Largest artifact accepted, decoded bytes; the upload route alone takes a body this large (in base64). */
  ARTIFACT_MAX_BYTES: int(10 * 1024 * 1024, 1, 512 * 1024 * 1024),
  /** Store artifact bytes as files under this directory instead of in Postgres (the default). */
  ARTIFACT_DIR: z.string().min(1).optional(),

  // ── run loop (spec §9, §10; modules/runs, modules/agents) ───────────────────
  /** JSON object: model id the client sends → model id routed upstream (the CLI sends OpenRouter slugs). */
  RUN_MODEL_ALIASES: jsonText(z.record(z.string(), z.string().min(1)), 'must be a JSON object of model → model').default({}),
  /** Used when `start.model` is missing or no upstream serves it. */
  RUN_DEFAULT_MODEL: z.string().min(1).optional(),
  /** Upstream calls per run before it ends as max_iterations. */
  RUN_MAX_ITERATIONS: int(50, 1, 10_000),
  /** How long a tool result may take before the model is told the tool failed (a tool may wait for a human). */
  RUN_TOOL_RESULT_TIMEOUT_SECONDS: int(3600, 1, 7 * 86_400),
  /** Longest a run may stay open, tool waits included. */
  RUN_MAX_WALL_SECONDS: int(4 * 3600, 1, 7 * 86_400),
  /** Largest frame accepted (the CLI sends the whole conversation); larger → close 1009. */
  RUN_MAX_MESSAGE_BYTES: int(32 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
  /** Open runs per API token (shared through Redis when configured). */
  RUN_MAX_OPEN_PER_TOKEN: int(16, 1, 100_000),
  RUN_AUTH_TIMEOUT_MS: int(5000, 100, 60_000),
  RUN_PING_INTERVAL_SECONDS: int(30, 1, 3600),
  /** Keep each run's messages in its record (off by default: conversations are the user's). */
  RUN_STORE_TRANSCRIPTS: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  /** Instance admins by email (comma-separated), on top of those granted with `admin grant`. */
  ADMIN_EMAILS: z
    .string()
    .default('')
    .transform((s) => s.split(',').map((x) => x.trim().toLowerCase()).filter(Boolean)),
  /** A JSON file of prompts, tools and agents loaded at boot (the admin routes' bodies). */
  AGENT_CONFIG_FILE: z.string().min(1).optional(),

  // ── operations (metrics) ──────────────────────────────────────────────────
  /** Port of the Prometheus endpoint (GET /metrics), separate from the API's; unset: no metrics. */
  METRICS_PORT: z.coerce.number({ error: 'must be a port number' }).int().min(0, 'must be a port number').max(65535, 'must be a port number').optional(),
  /** Where the metrics port listens: loopback by default; 0.0.0.0 for a Prometheus on another host. */
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** Distinct model ids kept as label values; later ones are reported as `other`. */
  METRICS_MAX_MODELS: int(100, 1, 10_000),
  /**
   * prom-client's process and Node.js metrics (process_*, nodejs_*). Their event-loop delay
   * monitor and GC observer run all the time, not only at scrape: `false` leaves them out.
   */
  METRICS_PROCESS: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),

  /** Apply pending migrations at boot (under Prisma's advisory lock, so replicas take turns). */
  MIGRATE_ON_BOOT: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
});

/**
 * The settings that hold only together, checked after the fields (issue paths name the variable).
 * `loadConfig` uses it; the CLIs pick single fields from `configSchema`, which must therefore stay
 * free of refinements (zod refuses `.pick()` on a refined object).
 */
export const appConfigSchema = configSchema
  .superRefine((c, ctx) => {
    if (c.BILLING_MODE === 'credits' && !c.MODEL_PRICES['*']) {
      ctx.addIssue({ code: 'custom', path: ['MODEL_PRICES'], message: 'must price "*" (every other model) when BILLING_MODE=credits' });
    }
    if (c.SMTP_URL && !c.PUBLIC_URL) {
      ctx.addIssue({ code: 'custom', path: ['PUBLIC_URL'], message: 'is required when SMTP_URL is set (links in mail are built from it)' });
    }
  })
  .transform((c) => ({ ...c, PUBLIC_URL: c.PUBLIC_URL ?? new URL(c.APP_ORIGINS[0] ?? 'http://localhost:3000').origin }));

export type AppConfig = z.output<typeof appConfigSchema>;
export const APP_CONFIG = Symbol('APP_CONFIG');

export class ConfigError extends Error {}

/** Parses the environment; on failure the message is one line naming the variable. */
export function loadConfig(env: Record<string, string | undefined>): AppConfig;
export function loadConfig<S extends z.ZodType>(env: Record<string, string | undefined>, schema: S): z.output<S>;
export function loadConfig(env: Record<string, string | undefined>, schema: z.ZodType = appConfigSchema): unknown {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const name = String(issue.path[0] ?? 'environment');
  const message = issue.code === 'invalid_type' && cleaned[name] === undefined ? 'is required' : issue.message;
  throw new ConfigError(`Invalid configuration: ${name} ${message}`);
}
