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
 * The same step inside Redis, over one or more quotas in order: KEYS the quota keys; ARGV the
 * cost, a clock (ms, or '' for Redis's own; only tests pass one), then limit and window (ms) of
 * each key. Stops at the first quota that refuses, so a request refused by its first quota
 * takes nothing from the later ones. Returns {allowed, remaining, resetMs, retryAfterMs} per
 * quota evaluated, flattened. Refusals do not move the TAT, so hammering a limited key does
 * not extend its lockout.
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
  local limit = tonumber(ARGV[1 + 2 * i])
  local window = tonumber(ARGV[2 + 2 * i])
  local interval = window / limit
  local base = tonumber(redis.call('GET', key))
  if not base or base < now then base = now end
  local new_tat = base + interval * cost
  local allow_at = new_tat - window
  if now + eps < allow_at then
    local remaining = math.max(0, math.floor((now + window - base) / interval + eps))
    table.insert(out, 0); table.insert(out, remaining)
    table.insert(out, math.ceil(base - now)); table.insert(out, math.ceil(allow_at - now))
    return out
  end
  if cost > 0 then
    redis.call('SET', key, string.format('%.3f', new_tat), 'PX', math.max(1, math.ceil(new_tat - now)))
  end
  local remaining = math.max(0, math.floor((now + window - new_tat) / interval + eps))
  table.insert(out, 1); table.insert(out, remaining); table.insert(out, math.ceil(new_tat - now)); table.insert(out, 0)
end
return out
`;
