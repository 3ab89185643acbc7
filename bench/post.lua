-- SPDX-License-Identifier: Apache-2.0
-- wrk script of bench/run: every request is a POST whose body is the file
-- $BENCH_BODY (read once; wrk adds its Content-Length); the other headers
-- come from wrk -H. Reports as report.lua.
local f = assert(io.open(os.getenv("BENCH_BODY"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
dofile("bench/report.lua")
