-- post.lua -- wrk script: POST valid, unique submissions (or GET a path).
--
-- Environment:
--   BENCH_PATH   the path to POST to (default /privacy/unsubscribe)
--   BENCH_BODY   the body; "%s" in it becomes a unique token per request,
--                "%d" a unique 7-digit number from 2000000 (a valid
--                North American subscriber number after an area code)
--   BENCH_PATHS  a file of paths to cycle through instead (one-click links)
--   BENCH_DELAY  milliseconds each connection waits between requests
--   BENCH_TYPE   Content-Type (default application/x-www-form-urlencoded)
--   BENCH_METHOD GET to fetch the path, without a body (default POST)
--   BENCH_HEADERS more request headers, "Name: value" lines (Sec-GPC, Cookie)
-- Prints one JSON object with the summary when done.

local threads = {}

function setup(thread)
	thread:set("tid", #threads + 1)
	table.insert(threads, thread)
end

local counter = 0
local paths = nil
local body = os.getenv("BENCH_BODY") or "email=bench-%s@example.com&channel=email"
local path = os.getenv("BENCH_PATH") or "/privacy/unsubscribe"
local wait = tonumber(os.getenv("BENCH_DELAY") or "0")
local run = os.getenv("BENCH_RUN") or tostring(os.time())
local method = os.getenv("BENCH_METHOD") or "POST"
local headers = {
	["Content-Type"] = os.getenv("BENCH_TYPE") or "application/x-www-form-urlencoded",
}
if method == "GET" then
	headers = {}
end
for line in string.gmatch(os.getenv("BENCH_HEADERS") or "", "[^\n]+") do
	local name, value = string.match(line, "^([^:]+):%s*(.*)$")
	if name then
		headers[name] = value
	end
end

function init(args)
	local file = os.getenv("BENCH_PATHS")
	if file and file ~= "" then
		paths = {}
		for line in io.lines(file) do
			table.insert(paths, line)
		end
	end
end

function request()
	if method == "GET" then
		return wrk.format("GET", path, headers)
	end
	counter = counter + 1
	local unique = run .. "-" .. tostring(tid) .. "-" .. tostring(counter)
	local p = path
	if paths then
		p = paths[(counter + tid * 7919) % #paths + 1]
	end
	if string.find(body, "%d", 1, true) then
		unique = 2000000 + (tid - 1) * 900000 + counter % 900000
	end
	return wrk.format("POST", p, headers, string.format(body, unique))
end

if wait > 0 then
	function delay()
		return wait
	end
end

function done(summary, latency, requests)
	local e = summary.errors
	io.write(string.format(
	    '{"requests": %d, "duration_us": %d, "connect": %d, "read": %d, ' ..
	    '"write": %d, "status": %d, "timeout": %d, "p50_us": %d, ' ..
	    '"p99_us": %d, "mean_us": %.1f}\n',
	    summary.requests, summary.duration, e.connect, e.read, e.write,
	    e.status, e.timeout, latency:percentile(50), latency:percentile(99),
	    latency.mean))
end
