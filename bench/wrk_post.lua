-- wrk script of the benchmark's write throughput (bench/load.py): POSTs progress reports,
-- round-robin over the lines of BENCH_POSTS ("token<TAB>path<TAB>JSON body": department
-- leads on open tasks of their own departments), and prints one JSON line when done.
-- Non-2xx/3xx answers count as errors (summary.errors.status).
local targets = {}
local index = 0

init = function(args)
  for line in io.lines(os.getenv("BENCH_POSTS")) do
    local token, path, body = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
    if token then
      targets[#targets + 1] = {
        path = path,
        body = body,
        headers = {
          ["Authorization"] = "Bearer " .. token,
          ["Content-Type"] = "application/json",
        },
      }
    end
  end
end

request = function()
  index = index % #targets + 1
  local t = targets[index]
  return wrk.format("POST", t.path, t.headers, t.body)
end

done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "errors": %d, "status_errors": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, errors, summary.errors.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
