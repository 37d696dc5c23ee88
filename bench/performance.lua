-- wrk script of bench/performance.py. Each thread has one connection, so every response
-- answers the request the thread sent just before it, and is checked against the answer that
-- request got in the correctness pass, byte for byte (certificate tokens included: each is
-- kept once made, so a token signed anew would show as a wrong answer).
-- Usage: WRK_RESULT=result.json wrk -t N -c N -s performance.lua URL -- SPEC
-- With WRK_PAUSE_MS, each connection waits that long before each request (wrk's delay()): every
-- server held to one pace, whatever it could answer.

local cases, path
ok, wrong, failed = 0, 0, 0
local index = 0

function init(args)
  local spec = dofile(args[1])
  path, cases = spec.path, spec.cases
  index = math.random(#cases)
end

-- Defined only when asked for: wrk schedules every request through a timer once delay exists.
local pause = tonumber(os.getenv("WRK_PAUSE_MS") or "")
if pause then
  function delay()
    return pause
  end
end

function request()
  index = index % #cases + 1
  local case = cases[index]
  return wrk.format("POST", path, case.headers, case.body)
end

function response(status, headers, body)
  if status ~= 200 then
    failed = failed + 1
  elseif body == cases[index].expected then
    ok = ok + 1
  else
    wrong = wrong + 1
  end
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function done(summary, latency, requests)
  local counted = { ok = 0, wrong = 0, failed = 0 }
  for _, thread in ipairs(threads) do
    for name, _ in pairs(counted) do
      counted[name] = counted[name] + thread:get(name)
    end
  end
  local errors = summary.errors
  -- The latency at every tenth of a percent, so that the rounds of a server pool into one
  -- distribution (bench/performance.py, _pooled).
  local quantiles = {}
  for k = 1, 1000 do
    quantiles[k] = string.format("%d", latency:percentile(k / 10))
  end
  local out = io.open(os.getenv("WRK_RESULT"), "w")
  out:write(string.format(
    '{"ok":%d,"wrong":%d,"failed":%d,"requests":%d,"duration_us":%d,"socket_errors":%d,'
      .. '"quantiles_us":[%s]}',
    counted.ok, counted.wrong, counted.failed, summary.requests, summary.duration,
    errors.connect + errors.read + errors.write + errors.timeout, table.concat(quantiles, ",")
  ))
  out:close()
end
