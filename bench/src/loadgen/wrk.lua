-- wrk script for the bench's saturated runs (src/loadgen/wrk.ts runs `wrk -t1 -s wrk.lua`).
-- WRK_METHOD and WRK_BODY set the request (headers come as -H); done() prints one JSON line.
-- The response() hook counts statuses (wrk itself only counts >= 400); it costs wrk some CPU.

wrk.method = os.getenv("WRK_METHOD") or "GET"
local body = os.getenv("WRK_BODY")
if body ~= nil and body ~= "" then
  wrk.body = body
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non2xx = 0
  status5xx = 0
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
  if status >= 500 then
    status5xx = status5xx + 1
  end
end

function done(summary, latency, requests)
  local n, s5 = 0, 0
  for _, thread in ipairs(threads) do
    n = n + thread:get("non2xx")
    s5 = s5 + thread:get("status5xx")
  end
  local e = summary.errors
  local seconds = summary.duration / 1e6
  -- latency is in microseconds
  io.write(string.format(
    '{"requestsPerSecond":%.3f,"p50":%.3f,"p90":%.3f,"p99":%.3f,"max":%.3f,"answered":%d,"non2xx":%d,"status5xx":%d,"errors":%d,"timeouts":%d,"seconds":%.3f}\n',
    summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.requests, n, s5, e.connect + e.read + e.write, e.timeout, seconds))
end
