-- SPDX-License-Identifier: Apache-2.0
-- wrk script of bench/run: every request sends the next Cookie header of
-- a list (the file $BENCH_COOKIES, one header value per line, each with
-- its own valid token; a prime number of them), so that no connection
-- sends the same token twice in a row and each request verifies its token
-- in full: a connection keeps only the last token it saw (src/httpd/verify.c).
-- Reports as report.lua.
local cookies = {}
for line in io.lines(os.getenv("BENCH_COOKIES")) do
  cookies[#cookies + 1] = line
end
local i = 0
request = function()
  i = i % #cookies + 1
  wrk.headers["Cookie"] = cookies[i]
  return wrk.format()
end
dofile("bench/report.lua")
