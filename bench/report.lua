-- SPDX-License-Identifier: Apache-2.0
-- wrk script of bench/run: one machine-readable line per run.
-- RESULT <req/s> <p50 us> <p90 us> <p99 us> <max us> <HTTP errors (status >= 400)>
--        <socket errors> <bytes/response> <requests>
done = function(summary, latency, requests)
  local e = summary.errors
  local secs = summary.duration / 1e6
  local n = summary.requests
  io.write(string.format("RESULT %.1f %d %d %d %d %d %d %.0f %d\n",
    n / secs, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.status,
    e.connect + e.read + e.write + e.timeout,
    n > 0 and summary.bytes / n or 0, n))
end
