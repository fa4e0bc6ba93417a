-- wrk script for bench/webhook.py: replays pre-signed Twilio webhooks, one line each in
-- WRK_REQUESTS ("<X-Twilio-Signature>\t<form body>"), split between wrk's threads. With
-- WRK_CYCLE=1 the lines are sent again once used up (baselines that store nothing); without
-- it a thread stops when its share is used up, so no message is sent twice. Counts answers by
-- status, keeps 2xx bodies when WRK_KEEP_BODIES=1 (they carry the ticket reference), and
-- writes everything to WRK_RESULTS for bench/webhook.py to read.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

local lines, sent = {}, 0
statuses, bodies = {}, {} -- globals: done() reads them with thread:get
local cycle = os.getenv("WRK_CYCLE") == "1"
local keep_bodies = os.getenv("WRK_KEEP_BODIES") == "1"
ran_out = 0

function init(args)
  local share = tonumber(os.getenv("WRK_THREADS"))
  local number = 0
  for line in io.lines(os.getenv("WRK_REQUESTS")) do
    if number % share == id - 1 then
      local signature, body = line:match("^([^\t]*)\t(.*)$")
      local headers = {
        ["Content-Type"] = "application/x-www-form-urlencoded",
        ["X-Twilio-Signature"] = signature,
      }
      table.insert(lines, wrk.format("POST", nil, headers, body))
    end
    number = number + 1
  end
end

function request()
  if sent == #lines then
    if not cycle then
      -- Stop this thread; wrk wants one more request, so the last one goes again (the
      -- webhook is idempotent: same reply, no second ticket).
      ran_out = 1
      wrk.thread:stop()
      return lines[#lines]
    end
    sent = 0
  end
  sent = sent + 1
  return lines[sent]
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if keep_bodies and status < 300 then
    table.insert(bodies, (body:gsub("[\r\n]", " ")))
  end
end

function done(summary, latency, requests)
  local out = io.open(os.getenv("WRK_RESULTS"), "w")
  out:write(string.format("requests %d\n", summary.requests))
  out:write(string.format("duration_us %d\n", summary.duration))
  out:write(string.format("p50_us %d\n", latency:percentile(50.0)))
  out:write(string.format("p99_us %d\n", latency:percentile(99.0)))
  out:write(string.format("max_us %d\n", latency.max))
  local errors = summary.errors
  out:write(string.format("socket_errors %d\n", errors.connect + errors.read + errors.write))
  out:write(string.format("timeouts %d\n", errors.timeout))
  for _, thread in ipairs(threads) do
    out:write(string.format("ran_out %d\n", thread:get("ran_out")))
    for status, count in pairs(thread:get("statuses")) do
      out:write(string.format("status %d %d\n", status, count))
    end
    for _, body in ipairs(thread:get("bodies")) do
      out:write("body " .. body .. "\n")
    end
  end
  out:close()
end
