/**
 * GCRA (generic cell rate algorithm), the one limiter algorithm AIUS uses, in Redis (Lua)
 * and in memory (TypeScript) with identical arithmetic, so falling back to the in-memory
 * limiter during a Redis outage changes where the state lives, not what is allowed.
 *
 * A policy "limit per window" becomes an emission interval T = window / limit and a burst
 * of `limit`. The only state per key is the theoretical arrival time (TAT). Unlike a fixed
 * window there is no boundary at which the quota refills all at once: after a burst of
 * `limit`, the next request is allowed one T later, so no interval of length d ever sees
 * more than limit + d / T requests (never 2× limit at a "window edge").
 *
 * Why not a library: rate-limiter-flexible (the well-kept one) only counts fixed windows;
 * its maintainer says rolling windows have "no easy way" (animir/node-rate-limiter-flexible
 * discussion #126). redis-gcra (Losant) does GCRA over ioredis but is little used (~60k
 * downloads/week vs 7M), knows nothing of an in-memory fallback (we would still need this
 * file's TypeScript twin) and takes the clock from the caller. The script below is one
 * atomic EVALSHA round trip using Redis's own clock, so API instances with skewed clocks
 * still share one timeline.
 */

export interface GcraResult {
  allowed: boolean;
  /** Requests still allowed right now after this one (0 when refused). */
  remaining: number;
  /** Milliseconds until the key is back to a full quota. */
  resetMs: number;
  /** Milliseconds until one more request would be allowed (0 when allowed). */
  retryAfterMs: number;
}

/** Floating-point slack: T = window / limit is rarely exact, and `limit` sums of it must fit the window. */
const EPSILON_MS = 0.001;

/**
 * One GCRA step. `tat` is the stored theoretical arrival time (undefined: fresh key).
 * Returns the decision and the TAT to store (unchanged when refused or when cost is 0).
 */
export function gcraStep(
  tat: number | undefined,
  now: number,
  limit: number,
  windowMs: number,
  cost: number,
): GcraResult & { tat: number } {
  const interval = windowMs / limit;
  const base = tat === undefined || tat < now ? now : tat;
  const newTat = base + interval * cost;
  const allowAt = newTat - windowMs;
  if (now + EPSILON_MS < allowAt) {
    return {
      allowed: false,
      remaining: Math.max(0, Math.floor((now + windowMs - base) / interval + EPSILON_MS)),
      resetMs: Math.ceil(base - now),
      retryAfterMs: Math.ceil(allowAt - now),
      tat: base,
    };
  }
  return {
    allowed: true,
    remaining: Math.max(0, Math.floor((now + windowMs - newTat) / interval + EPSILON_MS)),
    resetMs: Math.ceil(newTat - now),
    retryAfterMs: 0,
    tat: newTat,
  };
}

/**
 * A quota hands out credits (see QuotaCredits) only while at least this many requests are
 * still allowed after the grant's request, and never more than a quarter of them, so a quota
 * near its limit, and any small quota, is decided one request at a time in Redis.
 */
export const CREDIT_MIN_HEADROOM = 32;

/**
 * The same step inside Redis, over one or more quotas in order: KEYS the quota keys; ARGV the
 * cost, a clock (ms, or '' for Redis's own; only tests pass one), then limit, window (ms) and
 * credits wanted of each key. Stops at the first quota that refuses, so a request refused by
 * its first quota takes nothing from the later ones. Returns {allowed, remaining, resetMs,
 * retryAfterMs, credits} per quota evaluated, flattened; `credits` were taken from the quota
 * on top of `cost` for the caller to hand out itself, and `remaining` excludes them.
 * Refusals do not move the TAT, so hammering a limited key does not extend its lockout.
 */
export const GCRA_LUA = `
local cost = tonumber(ARGV[1])
local now = tonumber(ARGV[2])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
end
local eps = ${EPSILON_MS}
local out = {}
for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[3 * i])
  local window = tonumber(ARGV[1 + 3 * i])
  local wanted = tonumber(ARGV[2 + 3 * i])
  local interval = window / limit
  local base = tonumber(redis.call('GET', key))
  if not base or base < now then base = now end
  local new_tat = base + interval * cost
  local allow_at = new_tat - window
  if now + eps < allow_at then
    local remaining = math.max(0, math.floor((now + window - base) / interval + eps))
    table.insert(out, 0); table.insert(out, remaining)
    table.insert(out, math.ceil(base - now)); table.insert(out, math.ceil(allow_at - now)); table.insert(out, 0)
    return out
  end
  local remaining = math.max(0, math.floor((now + window - new_tat) / interval + eps))
  local credits = 0
  if wanted > 0 and remaining >= ${CREDIT_MIN_HEADROOM} then
    credits = math.min(wanted, math.floor(remaining / 4))
    new_tat = new_tat + interval * credits
    remaining = remaining - credits
  end
  if cost > 0 or credits > 0 then
    redis.call('SET', key, string.format('%.3f', new_tat), 'PX', math.max(1, math.ceil(new_tat - now)))
  end
  table.insert(out, 1); table.insert(out, remaining); table.insert(out, math.ceil(new_tat - now)); table.insert(out, 0)
  table.insert(out, credits)
end
return out
`;

/**
 * Gives unused credits back to a quota: KEYS the key; ARGV the credits, limit and window (ms).
 * The TAT moves back by what they would have cost, so the quota is as if they were never taken.
 */
export const GCRA_GIVE_BACK_LUA = `
local tat = tonumber(redis.call('GET', KEYS[1]))
if not tat then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local new_tat = tat - tonumber(ARGV[1]) * tonumber(ARGV[3]) / tonumber(ARGV[2])
if new_tat <= now then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], string.format('%.3f', new_tat), 'PX', math.max(1, math.ceil(new_tat - now)))
end
return 1
`;
